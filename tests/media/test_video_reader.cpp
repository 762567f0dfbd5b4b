// VideoReader: every codec/container decodes to the right frames in order, the
// constant-rate timeline, the VFR mapping rule, rotation, odd sizes, seeking.
#include "media/video_reader.hpp"
#include "media_test_util.hpp"

#include <QtTest>

#include <algorithm>
#include <vector>

using namespace redub::media;
using namespace redub::test::media;
using redub::Rational;
using redub::test::ffmpeg;

namespace {
// All frames' numbers and timestamps.
struct Decoded {
    std::vector<int> numbers;
    std::vector<double> times;
    std::vector<int64_t> indices;
    cv::Size size;
};
Decoded decodeAll(VideoReader& r) {
    Decoded d;
    VideoFrame f;
    while (r.next(f)) {
        d.numbers.push_back(frameNumber(f.rgb));
        d.times.push_back(f.time_s);
        d.indices.push_back(f.index);
        d.size = f.rgb.size();
        if (f.rgb.type() != CV_8UC3) d.numbers.back() = -999;
    }
    return d;
}
QString listOf(const std::vector<int>& v) {
    QStringList s;
    for (int x : v) s << QString::number(x);
    return s.join(',');
}
}  // namespace

class TestVideoReader : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void decodesEveryFrameInOrder_data() {
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<QString>("ext");
        for (const char* ext : {"mp4", "mov", "mkv"})
            QTest::newRow(qPrintable(QString("h264 ") + ext)) << "libx264" << ext;
        for (const char* ext : {"mp4", "avi", "mkv"})
            QTest::newRow(qPrintable(QString("mpeg4 ") + ext)) << "mpeg4" << ext;
        for (const char* ext : {"webm", "mkv"}) QTest::newRow(qPrintable(QString("vp9 ") + ext)) << "libvpx-vp9" << ext;
        for (const char* ext : {"avi", "mov", "mkv"})
            QTest::newRow(qPrintable(QString("mjpeg ") + ext)) << "mjpeg" << ext;
    }
    void decodesEveryFrameInOrder() {
        QFETCH(QString, encoder);
        QFETCH(QString, ext);
        const auto file = path(dir_, QString("m_%1.%2").arg(encoder, ext));
        QStringList enc = {"-c:v", encoder};
        if (encoder == "mpeg4" || encoder == "mjpeg")
            enc << "-q:v"
                << "2";
        if (encoder == "mpeg4")
            enc << "-bf"
                << "2";  // B-frames: decode order != display order
        QVERIFY(ffmpeg(numberedInput(96, 64, "25") + QStringList{"-frames:v", "24"} + enc + QStringList{q(file)}));
        VideoReader r(file);
        QCOMPARE(r.frameRate(), Rational(25, 1));
        QCOMPARE(r.frameCount(), int64_t(24));
        const Decoded d = decodeAll(r);
        QCOMPARE(d.size, cv::Size(96, 64));
        std::vector<int> expected(24);
        for (int i = 0; i < 24; ++i) expected[i] = i;
        QCOMPARE(listOf(d.numbers), listOf(expected));
        for (int i = 0; i < 24; ++i) {
            QCOMPARE(d.indices[i], int64_t(i));
            QVERIFY2(std::abs(d.times[i] - i / 25.0) < 0.002, qPrintable(QString::number(d.times[i])));
        }
    }

    void timelineFollowsTheSourceRate_data() {
        QTest::addColumn<QString>("rate");
        QTest::addColumn<qlonglong>("num");
        QTest::addColumn<qlonglong>("den");
        QTest::addColumn<QString>("ext");
        const struct {
            const char* rate;
            qlonglong num, den;
        } rates[] = {
            {"24000/1001", 24000, 1001}, {"25", 25, 1}, {"30000/1001", 30000, 1001}, {"30", 30, 1}, {"50", 50, 1},
            {"60000/1001", 60000, 1001}, {"60", 60, 1}};
        for (const auto& r : rates)
            for (const char* ext : {"mp4", "mkv"})
                QTest::newRow(qPrintable(QString("%1 %2").arg(r.rate, ext))) << r.rate << r.num << r.den << ext;
    }
    void timelineFollowsTheSourceRate() {
        QFETCH(QString, rate);
        QFETCH(qlonglong, num);
        QFETCH(qlonglong, den);
        QFETCH(QString, ext);
        const auto file = path(dir_, QString("rate_%1.%2").arg(QString(rate).replace('/', '_'), ext));
        QVERIFY(ffmpeg(numberedInput(64, 48, rate) + QStringList{"-frames:v", "24", "-c:v", "libx264", q(file)}));
        VideoReader r(file);
        QCOMPARE(r.frameRate(), Rational(num, den));
        const Decoded d = decodeAll(r);
        QCOMPARE(int(d.numbers.size()), 24);
        for (int i = 0; i < 24; ++i) QCOMPARE(d.numbers[i], i);
    }

    void variableRateSourceMapsToTheLastFrameAtEachSlot_data() {
        QTest::addColumn<QString>("ext");
        QTest::newRow("mkv") << "mkv";
        QTest::newRow("mp4") << "mp4";
        QTest::newRow("mov") << "mov";
    }
    void variableRateSourceMapsToTheLastFrameAtEachSlot() {
        QFETCH(QString, ext);
        // 12 frames at 30 fps then 12 at 10 fps (the last starts at 1.5 s). The
        // timeline rate R is the average rate; slot k shows the last source
        // frame whose time is <= (k + 1/2)/R, for every k with (k + 1/2)/R
        // before the end of the last frame.
        const auto file = path(dir_, "vfr." + ext);
        QVERIFY(ffmpeg(numberedInput(64, 48, "30") + QStringList{"-vf", "setpts='if(lt(N,12),N/30,12/30+(N-12)/10)/TB'",
                                                                 "-fps_mode", "passthrough", "-frames:v", "24", "-c:v",
                                                                 "libx264", "-qp", "0", q(file)}));
        VideoReader r(file);
        QVERIFY(r.info().variable_frame_rate);
        const double R = r.frameRate().toDouble();
        const double end_s = r.info().duration_s;
        QVERIFY2(std::abs(R - 24 / end_s) < 0.01, qPrintable(QString::number(R)));
        std::vector<double> source_t;
        for (int n = 0; n < 24; ++n) source_t.push_back(n < 12 ? n / 30.0 : 12 / 30.0 + (n - 12) / 10.0);
        std::vector<int> expected;
        for (int k = 0; (k + 0.5) / R < end_s; ++k) {
            int best = 0;
            for (int n = 0; n < 24; ++n)
                if (source_t[n] <= (k + 0.5) / R + 1e-9) best = n;
            expected.push_back(best);
        }
        QCOMPARE(r.frameCount(), int64_t(expected.size()));
        const Decoded d = decodeAll(r);
        QCOMPARE(listOf(d.numbers), listOf(expected));
        for (size_t k = 0; k < d.indices.size(); ++k) {
            QCOMPARE(d.indices[k], int64_t(k));
            QVERIFY(std::abs(d.times[k] - source_t[size_t(expected[k])]) < 0.002);
        }
        // Frames were both repeated (slow part) and dropped (fast part).
        QVERIFY(expected[1] - expected[0] == 2);
        QVERIFY(std::adjacent_find(expected.begin(), expected.end()) != expected.end());
    }

    void appliesRotationLikeFfmpeg_data() {
        QTest::addColumn<int>("tag");
        QTest::newRow("90") << 90;
        QTest::newRow("180") << 180;
        QTest::newRow("270") << 270;
    }
    void appliesRotationLikeFfmpeg() {
        QFETCH(int, tag);
        // Red top-left quadrant on blue: where it ends up shows the rotation.
        const auto plain = path(dir_, "quad.mp4");
        const auto file = path(dir_, QString("quad_%1.mp4").arg(tag));
        const auto reference = path(dir_, QString("quad_%1.rgb").arg(tag));
        QVERIFY(ffmpeg({"-f", "lavfi", "-i", "color=c=blue:s=64x48:r=25,drawbox=x=0:y=0:w=32:h=24:color=red:t=fill",
                        "-frames:v", "3", "-c:v", "libx264", q(plain)}));
        QVERIFY(ffmpeg({"-i", q(plain), "-c", "copy", "-metadata:s:v:0", QString("rotate=%1").arg(tag), q(file)}));
        // FFmpeg's own autorotation is the reference.
        QVERIFY(ffmpeg({"-i", q(file), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", q(reference)}));
        VideoReader r(file);
        const cv::Mat mine = r.frameAt(0);
        const std::string ref = readBytes(reference);
        QCOMPARE(mine.cols, r.info().width);
        QCOMPARE(mine.rows, r.info().height);
        QCOMPARE(int64_t(ref.size()), int64_t(mine.total() * 3));
        const cv::Mat theirs(mine.rows, mine.cols, CV_8UC3, const_cast<char*>(ref.data()));
        const auto px = [](const cv::Mat& m, int x, int y) {
            const cv::Vec3b v = m.at<cv::Vec3b>(y, x);
            return QString("(%1,%2,%3)").arg(v[0]).arg(v[1]).arg(v[2]);
        };
        // Corners (inside the quadrants; edges blur with chroma subsampling).
        for (auto [x, y] : {std::pair{3, 3}, {mine.cols - 4, 3}, {3, mine.rows - 4}, {mine.cols - 4, mine.rows - 4}})
            QVERIFY2(cv::norm(mine.at<cv::Vec3b>(y, x), theirs.at<cv::Vec3b>(y, x)) < 30,
                     qPrintable(
                         QString("at %1,%2: mine %3, ffmpeg %4").arg(x).arg(y).arg(px(mine, x, y), px(theirs, x, y))));
        // And the red quadrant really moved (not the identity).
        const bool red_top_left = mine.at<cv::Vec3b>(2, 2)[0] > 200;
        QVERIFY(!red_top_left);
    }

    void decodesOddSizes_data() {
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::newRow("mjpeg 65x49") << "mjpeg" << 65 << 49;
        QTest::newRow("vp9 67x45") << "libvpx-vp9" << 67 << 45;
        QTest::newRow("h264 444 63x47") << "libx264" << 63 << 47;
    }
    void decodesOddSizes() {
        QFETCH(QString, encoder);
        QFETCH(int, w);
        QFETCH(int, h);
        const auto file = path(dir_, QString("odd_%1.mkv").arg(encoder));
        QStringList args = numberedInput(w, h, "25") + QStringList{"-frames:v", "6", "-q:v", "2"};
        if (encoder == "libx264")
            args << "-pix_fmt"
                 << "yuv444p";
        QVERIFY(ffmpeg(args + QStringList{"-c:v", encoder, q(file)}));
        VideoReader r(file);
        const Decoded d = decodeAll(r);
        QCOMPARE(d.size, cv::Size(w, h));
        QCOMPARE(listOf(d.numbers), QString("0,1,2,3,4,5"));
    }

    void seekLandsOnTheExactFrame_data() {
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<QString>("ext");
        QTest::newRow("h264 mp4") << "libx264"
                                  << "mp4";
        QTest::newRow("h264 mkv") << "libx264"
                                  << "mkv";
        QTest::newRow("vp9 webm") << "libvpx-vp9"
                                  << "webm";
        QTest::newRow("mpeg4 avi") << "mpeg4"
                                   << "avi";
        QTest::newRow("mjpeg avi") << "mjpeg"
                                   << "avi";
    }
    void seekLandsOnTheExactFrame() {
        QFETCH(QString, encoder);
        QFETCH(QString, ext);
        const auto file = path(dir_, QString("seek_%1.%2").arg(encoder, ext));
        QStringList enc = {"-c:v", encoder, "-g", "8"};  // keyframes every 8 frames
        if (encoder == "mpeg4" || encoder == "mjpeg")
            enc << "-q:v"
                << "2";
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "27"} + enc + QStringList{q(file)}));
        VideoReader r(file);
        // Backwards, forwards, onto keyframes and between them.
        for (int k : {20, 3, 26, 0, 8, 15, 9, 9, 1}) {
            const cv::Mat m = r.frameAt(k);
            QVERIFY2(!m.empty(), qPrintable(QString("frame %1").arg(k)));
            QCOMPARE(frameNumber(m), k);
        }
        // After a seek, next() continues from there.
        r.seek(12);
        VideoFrame f;
        for (int k = 12; k < 16; ++k) {
            QVERIFY(r.next(f));
            QCOMPARE(f.index, int64_t(k));
            QCOMPARE(frameNumber(f.rgb), k);
        }
        QVERIFY(r.frameAt(27).empty());
    }

    void seekMatchesSequentialDecodeBitExactly_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("encoder");
        QTest::newRow("h264 mp4, one keyframe") << "mp4"
                                                << "libx264";
        QTest::newRow("h264 mkv, one keyframe") << "mkv"
                                                << "libx264";
        QTest::newRow("vp9 webm") << "webm"
                                  << "libvpx-vp9";
    }
    void seekMatchesSequentialDecodeBitExactly() {
        QFETCH(QString, ext);
        QFETCH(QString, encoder);
        // 100 frames with a single keyframe: every seek decodes from frame 0.
        const auto file = path(dir_, "longgop." + ext);
        QVERIFY(ffmpeg(
            {"-f", "lavfi", "-i", "testsrc=s=96x64:r=25", "-frames:v", "100", "-c:v", encoder, "-g", "1000", q(file)}));
        std::vector<cv::Mat> sequential;
        {
            VideoReader r(file);
            VideoFrame f;
            while (r.next(f)) sequential.push_back(f.rgb);
        }
        QCOMPARE(int(sequential.size()), 100);
        VideoReader r(file);
        for (int k : {99, 50, 51, 7, 98, 0, 64}) {
            const cv::Mat m = r.frameAt(k);
            QVERIFY2(!m.empty() && cv::norm(m, sequential[size_t(k)], cv::NORM_INF) == 0,
                     qPrintable(QString("frame %1 differs").arg(k)));
        }
    }

    void scrubbingForwardDecodesAndMatchesSequentialDecode_data() { seekMatchesSequentialDecodeBitExactly_data(); }
    void scrubbingForwardDecodesAndMatchesSequentialDecode() {
        QFETCH(QString, ext);
        QFETCH(QString, encoder);
        const auto file = path(dir_, "scrub." + ext);
        QVERIFY(ffmpeg(
            {"-f", "lavfi", "-i", "testsrc=s=96x64:r=25", "-frames:v", "120", "-c:v", encoder, "-g", "1000", q(file)}));
        std::vector<cv::Mat> sequential;
        {
            VideoReader r(file);
            VideoFrame f;
            while (r.next(f)) sequential.push_back(f.rgb.clone());
        }
        VideoReader r(file);
        // Playing frame by frame, the same frame again, small steps ahead (decoded forward), a
        // jump past the forward-decode limit (a seek), back again; a returned frame may be
        // changed by the caller without changing what the reader gives next.
        for (int k : {0, 1, 2, 2, 3, 10, 11, 40, 40, 41, 100, 101, 30, 31, 119, 119}) {
            cv::Mat m = r.frameAt(k);
            QVERIFY2(!m.empty() && cv::norm(m, sequential[size_t(k)], cv::NORM_INF) == 0,
                     qPrintable(QString("frame %1 differs").arg(k)));
            m.setTo(cv::Scalar(1, 2, 3));
        }
        // next() goes on after the last frame frameAt() returned.
        QVERIFY(r.frameAt(60).size() == sequential[60].size());
        VideoFrame f;
        QVERIFY(r.next(f));
        QCOMPARE(f.index, int64_t(61));
        QVERIFY(cv::norm(f.rgb, sequential[61], cv::NORM_INF) == 0);
    }

    void seekInVariableRateSourceFollowsTheMapping() {
        const auto file = path(dir_, "vfr_seek.mkv");
        QVERIFY(ffmpeg(numberedInput(64, 48, "30") + QStringList{"-vf", "setpts='if(lt(N,12),N/30,12/30+(N-12)/10)/TB'",
                                                                 "-fps_mode", "passthrough", "-frames:v", "24", "-c:v",
                                                                 "libx264", "-qp", "0", "-g", "5", q(file)}));
        VideoReader seq(file);
        std::vector<int> sequential = decodeAll(seq).numbers;
        VideoReader r(file);
        for (int k : {20, 2, 3, 3, 4, 23, 10, 11, 0, 15}) QCOMPARE(frameNumber(r.frameAt(k)), sequential[k]);
    }

    void stopTokenCancels() {
        const auto file = path(dir_, "cancel.mp4");
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "5", "-c:v", "libx264", q(file)}));
        VideoReader r(file);
        std::stop_source stop;
        VideoFrame f;
        QVERIFY(r.next(f, stop.get_token()));
        stop.request_stop();
        try {
            r.next(f, stop.get_token());
            QFAIL("not cancelled");
        } catch (const redub::Error& e) {
            QVERIFY(e.kind() == redub::ErrorKind::Cancelled);
        }
    }
};

QTEST_GUILESS_MAIN(TestVideoReader)
#include "test_video_reader.moc"
