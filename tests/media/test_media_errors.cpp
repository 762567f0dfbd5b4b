// Every bad input gives a redub::Error of the right kind whose message names
// the file and the problem; nothing half-written is left behind.
#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "media_test_util.hpp"

#include <QtTest>

#include <functional>

using namespace redub::media;
using namespace redub::test::media;
using redub::ErrorKind;
using redub::test::ffmpeg;

namespace {
// Runs `fn`, expects redub::Error of `kind` whose message starts with the file
// and contains `words`.
QString expectError(const std::function<void()>& fn, ErrorKind kind, const std::filesystem::path& file,
                    const QString& words) {
    try {
        fn();
    } catch (const redub::Error& e) {
        const QString msg = e.what();
        if (e.kind() != kind) return "wrong kind: " + msg;
        if (!msg.startsWith(q(file))) return "does not name the file: " + msg;
        if (!msg.contains(words, Qt::CaseInsensitive)) return "does not say '" + words + "': " + msg;
        return {};
    } catch (const std::exception& e) {
        return QString("not a redub::Error: ") + e.what();
    }
    return "no error";
}
#define EXPECT_ERROR(call, kind, file, words)                                  \
    do {                                                                       \
        const QString problem = expectError([&] { call; }, kind, file, words); \
        QVERIFY2(problem.isEmpty(), qPrintable(problem));                      \
    } while (0)

WriterParams smallParams() {
    auto p = WriterParams::defaults();
    p.width = 64;
    p.height = 48;
    return p;
}
}  // namespace

class TestMediaErrors : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::filesystem::path movie(const QString& name, const QStringList& extra = {}) {
        const auto file = path(dir_, name);
        if (!ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "25", "-c:v", "libx264"} + extra +
                    QStringList{q(file)}))
            return {};
        return file;
    }

private Q_SLOTS:
    void missingFile() {
        const auto f = path(dir_, "does-not-exist.mp4");
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "not found");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "not found");
        EXPECT_ERROR(readAudio(f, 16000, 1), ErrorKind::BadInput, f, "not found");
    }

    void notMedia() {
        const auto f = path(dir_, "notes.mp4");
        writeBytes(f, "These are my notes, not a video. Lorem ipsum dolor sit amet.\n");
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "not a media file");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "not a media file");
        EXPECT_ERROR(readAudio(f, 16000, 1), ErrorKind::BadInput, f, "not a media file");
    }

    void folderInsteadOfFile() {
        const auto f = path(dir_, "a-folder.mp4");
        std::filesystem::create_directory(f);
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "folder");
    }

    void truncatedMp4WithIndexAtTheEnd() {
        // A recording cut off before its index was written.
        const auto whole = movie("whole.mp4");
        QVERIFY(!whole.empty());
        const std::string bytes = readBytes(whole);
        const auto f = path(dir_, "cut.mp4");
        writeBytes(f, bytes.substr(0, bytes.size() / 2));
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "truncated");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "truncated");
    }

    void truncatedMp4WithIndexAtTheFront() {
        // A faststart file cut short: the index promises more than there is.
        const auto whole = movie("whole_fs.mp4", {"-movflags", "+faststart"});
        QVERIFY(!whole.empty());
        const std::string bytes = readBytes(whole);
        const auto f = path(dir_, "cut_fs.mp4");
        writeBytes(f, bytes.substr(0, bytes.size() * 2 / 3));
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "truncated");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "truncated");
    }

    void truncatedMatroska_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("encoder");
        QTest::newRow("mkv h264") << "mkv"
                                  << "libx264";
        QTest::newRow("webm vp9") << "webm"
                                  << "libvpx-vp9";
    }
    void truncatedMatroska() {
        QFETCH(QString, ext);
        QFETCH(QString, encoder);
        // Matroska has no up-front frame index: the cut shows up when the
        // demuxer runs into the end of the file inside a block.
        const auto whole = path(dir_, "whole." + ext);
        QVERIFY(ffmpeg({"-f", "lavfi", "-i", "testsrc=s=128x96:r=25", "-frames:v", "50", "-c:v", encoder, q(whole)}));
        const std::string bytes = readBytes(whole);
        const auto f = path(dir_, "cut." + ext);
        writeBytes(f, bytes.substr(0, bytes.size() * 6 / 10));
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "truncated");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "truncated");
    }

    void noVideoStream() {
        const auto f = path(dir_, "speech.wav");
        QVERIFY(ffmpeg({"-f", "lavfi", "-i", "sine=sample_rate=16000:duration=0.5", q(f)}));
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "no video stream");
    }

    void noAudioStream() {
        const auto f = movie("silent.mp4");
        QVERIFY(!f.empty());
        EXPECT_ERROR(readAudio(f, 16000, 1), ErrorKind::BadInput, f, "no audio stream");
        EXPECT_ERROR(AudioReader(f, 16000, 1), ErrorKind::BadInput, f, "no audio stream");
        auto p = smallParams();
        p.copy_audio_from = f;
        const auto out = path(dir_, "copy-from-silent.mp4");
        EXPECT_ERROR(VideoWriter(out, p), ErrorKind::BadInput, f, "no audio stream");
        QVERIFY(!std::filesystem::exists(out.string() + ".partial"));
    }

    void zeroLengthFile() {
        const auto f = path(dir_, "empty.mp4");
        writeBytes(f, "");
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "empty");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "empty");
        EXPECT_ERROR(readAudio(f, 16000, 1), ErrorKind::BadInput, f, "empty");
    }

    void zeroFrameVideo_data() {
        QTest::addColumn<QString>("ext");
        QTest::newRow("mp4") << "mp4";
        QTest::newRow("mkv") << "mkv";
    }
    void zeroFrameVideo() {
        QFETCH(QString, ext);
        // What an encoder leaves when it is stopped before the first frame.
        const auto f = path(dir_, "no-frames." + ext);
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "0", "-c:v", "libx264", q(f)}));
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "zero length");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "zero length");
    }

    void unsupportedCodec() {
        // An AVI whose video FourCC no decoder knows.
        const auto good = path(dir_, "mjpeg.avi");
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "5", "-c:v", "mjpeg", q(good)}));
        std::string bytes = readBytes(good);
        int patched = 0;
        for (size_t at = bytes.find("MJPG"); at != std::string::npos; at = bytes.find("MJPG", at + 4), ++patched)
            bytes.replace(at, 4, "QQQQ");
        QVERIFY(patched >= 1);
        const auto f = path(dir_, "unknown-codec.avi");
        writeBytes(f, bytes);
        EXPECT_ERROR(VideoReader{f}, ErrorKind::Unsupported, f, "unsupported video codec");
    }

    void absurdDimensions() {
        // A Y4M header claiming 40000x40 pictures (FFmpeg itself already
        // refuses the likes of 20000x20000).
        const auto f = path(dir_, "huge.y4m");
        writeBytes(f, "YUV4MPEG2 W40000 H40 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + std::string(1000, '\x80'));
        EXPECT_ERROR(probe(f), ErrorKind::BadInput, f, "absurd video size 40000x40");
        // 20000x20000: FFmpeg itself refuses the header; the reason still shows.
        const auto g = path(dir_, "huger.y4m");
        writeBytes(g, "YUV4MPEG2 W20000 H20000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + std::string(1000, '\x80'));
        EXPECT_ERROR(probe(g), ErrorKind::BadInput, g, "absurd video size in the header (Picture size 20000x20000");
        EXPECT_ERROR(VideoReader{f}, ErrorKind::BadInput, f, "absurd");
        const auto out = path(dir_, "huge-out.mp4");
        auto p = smallParams();
        p.width = 20000;
        p.height = 20000;
        EXPECT_ERROR(VideoWriter(out, p), ErrorKind::BadInput, out, "absurd frame size");
    }

    void unwritableOutputFolder() {
        const int before = entriesIn(dir_);
        const auto missing = path(dir_, "no-such-folder/out.mp4");
        EXPECT_ERROR(VideoWriter(missing, smallParams()), ErrorKind::Io, missing, "does not exist");
        // A "folder" that is a file: not writable even for root.
        const auto file = path(dir_, "plain-file");
        writeBytes(file, "x");
        const auto under_file = file / "out.mp4";
        EXPECT_ERROR(VideoWriter(under_file, smallParams()), ErrorKind::Io, under_file, "not a folder");
        // /proc refuses new files for everyone.
        const std::filesystem::path proc = "/proc/redub-test-out.mp4";
        EXPECT_ERROR(VideoWriter(proc, smallParams()), ErrorKind::Io, proc, "cannot");
        QCOMPARE(entriesIn(dir_), before + 1);  // only plain-file
        QVERIFY(!std::filesystem::exists(proc));
    }

    void abandonedWriterLeavesNothing() {
        QTemporaryDir dir;
        const auto out = path(dir, "abandoned.mp4");
        {
            VideoWriter w(out, smallParams());
            for (int i = 0; i < 10; ++i) w.writeFrame(cv::Mat(48, 64, CV_8UC3, cv::Scalar(i, i, i)));
            QVERIFY(std::filesystem::exists(w.partialPath()));
        }  // destroyed without finish(), like after a cancel
        QCOMPARE(entriesIn(dir), 0);
    }

    void wrongFrameSizeFailsAndLeavesNothing() {
        QTemporaryDir dir;
        const auto out = path(dir, "wrong.mp4");
        try {
            VideoWriter w(out, smallParams());
            w.writeFrame(cv::Mat(48, 64, CV_8UC3, cv::Scalar(0, 0, 0)));
            EXPECT_ERROR(w.writeFrame(cv::Mat(50, 64, CV_8UC3)), ErrorKind::BadInput, out, "expected 64x48");
            EXPECT_ERROR(w.writeFrame(cv::Mat(48, 64, CV_8UC1)), ErrorKind::BadInput, out, "not 8-bit RGB");
            throw std::runtime_error("job aborted");
        } catch (const std::runtime_error&) {
        }
        QCOMPARE(entriesIn(dir), 0);
    }

    void finishWithoutFramesFailsAndLeavesNothing() {
        QTemporaryDir dir;
        const auto out = path(dir, "nothing.mp4");
        {
            VideoWriter w(out, smallParams());
            EXPECT_ERROR(w.finish(), ErrorKind::BadInput, out, "no video frames");
        }
        QCOMPARE(entriesIn(dir), 0);
    }
};

QTEST_GUILESS_MAIN(TestMediaErrors)
#include "test_media_errors.moc"
