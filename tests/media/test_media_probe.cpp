// probe(): codecs, containers, frame rates, VFR, rotation, sizes, audio formats.
#include "media/probe.hpp"
#include "media_test_util.hpp"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace redub::media;
using namespace redub::test::media;
using redub::Rational;
using redub::test::ffmpeg;

class TestMediaProbe : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void reportsCodecContainerSizeAndExactCount_data() {
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("codec");
        QTest::addColumn<QString>("container");
        QTest::newRow("h264 mp4") << "libx264"
                                  << "mp4"
                                  << "h264"
                                  << "mov,mp4";
        QTest::newRow("h264 mov") << "libx264"
                                  << "mov"
                                  << "h264"
                                  << "mov,mp4";
        QTest::newRow("h264 mkv") << "libx264"
                                  << "mkv"
                                  << "h264"
                                  << "matroska";
        QTest::newRow("mpeg4 mp4") << "mpeg4"
                                   << "mp4"
                                   << "mpeg4"
                                   << "mov,mp4";
        QTest::newRow("mpeg4 avi") << "mpeg4"
                                   << "avi"
                                   << "mpeg4"
                                   << "avi";
        QTest::newRow("vp9 webm") << "libvpx-vp9"
                                  << "webm"
                                  << "vp9"
                                  << "matroska,webm";
        QTest::newRow("vp9 mkv") << "libvpx-vp9"
                                 << "mkv"
                                 << "vp9"
                                 << "matroska";
        QTest::newRow("mjpeg avi") << "mjpeg"
                                   << "avi"
                                   << "mjpeg"
                                   << "avi";
        QTest::newRow("mjpeg mov") << "mjpeg"
                                   << "mov"
                                   << "mjpeg"
                                   << "mov,mp4";
        QTest::newRow("mjpeg mkv") << "mjpeg"
                                   << "mkv"
                                   << "mjpeg"
                                   << "matroska";
    }
    void reportsCodecContainerSizeAndExactCount() {
        QFETCH(QString, encoder);
        QFETCH(QString, ext);
        QFETCH(QString, codec);
        QFETCH(QString, container);
        const auto file = path(dir_, QString("m_%1.%2").arg(encoder, ext));
        QVERIFY(ffmpeg(numberedInput(96, 64, "25") + QStringList{"-frames:v", "20", "-c:v", encoder, q(file)}));
        const MediaInfo info = probe(file);
        QVERIFY2(QString::fromStdString(info.container).startsWith(container), info.container.c_str());
        QVERIFY(info.video.has_value());
        QVERIFY(!info.audio.has_value());
        QCOMPARE(QString::fromStdString(info.video->codec), codec);
        QCOMPARE(info.video->width, 96);
        QCOMPARE(info.video->height, 64);
        QCOMPARE(info.video->frame_count, int64_t(20));
        QVERIFY(info.video->frame_count_exact);
        QCOMPARE(info.video->nominal_frame_rate, Rational(25, 1));
        QVERIFY(!info.video->variable_frame_rate);
        QVERIFY2(std::abs(info.video->duration_s - 0.8) < 0.02, qPrintable(QString::number(info.video->duration_s)));
    }

    void reportsFrameRateAsExactRational_data() {
        QTest::addColumn<QString>("rate");
        QTest::addColumn<QString>("ext");
        QTest::addColumn<qlonglong>("num");
        QTest::addColumn<qlonglong>("den");
        const struct {
            const char* rate;
            qlonglong num, den;
        } rates[] = {
            {"24000/1001", 24000, 1001}, {"25", 25, 1}, {"30000/1001", 30000, 1001}, {"30", 30, 1}, {"50", 50, 1},
            {"60000/1001", 60000, 1001}, {"60", 60, 1}};
        for (const auto& r : rates)
            for (const char* ext : {"mp4", "mkv"})
                QTest::newRow(qPrintable(QString("%1 %2").arg(r.rate, ext))) << r.rate << ext << r.num << r.den;
    }
    void reportsFrameRateAsExactRational() {
        QFETCH(QString, rate);
        QFETCH(QString, ext);
        QFETCH(qlonglong, num);
        QFETCH(qlonglong, den);
        const auto file = path(dir_, QString("rate_%1.%2").arg(QString(rate).replace('/', '_'), ext));
        QVERIFY(ffmpeg(numberedInput(64, 48, rate) + QStringList{"-frames:v", "24", "-c:v", "libx264", q(file)}));
        const VideoInfo v = *probe(file).video;
        QCOMPARE(v.nominal_frame_rate, Rational(num, den));
        QCOMPARE(v.avg_frame_rate, Rational(num, den));
        QVERIFY(!v.variable_frame_rate);
        QCOMPARE(v.frame_count, int64_t(24));
        QCOMPARE(v.timeline_frame_rate, Rational(num, den));
        QCOMPARE(v.timeline_frame_count, int64_t(24));
        const double expected_s = 24.0 * den / num;
        QVERIFY2(std::abs(v.duration_s - expected_s) < 0.5 * den / num, qPrintable(QString::number(v.duration_s)));
    }

    void detectsVariableFrameRate() {
        // 12 frames at 30 fps then 12 at 10 fps, timestamps kept as they are.
        const auto file = path(dir_, "vfr.mkv");
        QVERIFY(ffmpeg(numberedInput(64, 48, "30") + QStringList{"-vf", "setpts='if(lt(N,12),N/30,12/30+(N-12)/10)/TB'",
                                                                 "-fps_mode", "passthrough", "-frames:v", "24", "-c:v",
                                                                 "libx264", q(file)}));
        const VideoInfo v = *probe(file).video;
        QVERIFY(v.variable_frame_rate);
        QCOMPARE(v.frame_count, int64_t(24));
        // The last frame starts at 12/30 + 11/10 = 1.5 s; its stored duration
        // (muxer-dependent) ends the stream.
        QVERIFY2(v.duration_s > 1.5 && v.duration_s <= 1.6 + 1e-6, qPrintable(QString::number(v.duration_s)));
        QVERIFY2(std::abs(v.avg_frame_rate.toDouble() - 24 / v.duration_s) < 0.01,
                 qPrintable(QString::fromStdString(v.avg_frame_rate.toString())));
        QVERIFY(v.nominal_frame_rate.toDouble() >= 29.9);  // FFmpeg's base rate: the fastest part
        // The reader's timeline: the average rate, slots while (k + 1/2)/R < end.
        QCOMPARE(v.timeline_frame_rate, v.avg_frame_rate);
        QCOMPARE(v.timeline_frame_count, int64_t(std::ceil(v.duration_s * v.avg_frame_rate.toDouble() - 0.5)));
    }

    void reportsRotationAndDisplayedSize_data() {
        QTest::addColumn<int>("tag");
        QTest::addColumn<int>("clockwise");
        // FFmpeg 5.1's "rotate" tag is stored as a counter-clockwise display matrix.
        QTest::newRow("90") << 90 << 270;
        QTest::newRow("180") << 180 << 180;
        QTest::newRow("270") << 270 << 90;
    }
    void reportsRotationAndDisplayedSize() {
        QFETCH(int, tag);
        QFETCH(int, clockwise);
        const auto plain = path(dir_, "rot_plain.mp4");
        const auto file = path(dir_, QString("rot_%1.mp4").arg(tag));
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "5", "-c:v", "libx264", q(plain)}));
        QVERIFY(ffmpeg({"-i", q(plain), "-c", "copy", "-metadata:s:v:0", QString("rotate=%1").arg(tag), q(file)}));
        const VideoInfo v = *probe(file).video;
        QCOMPARE(v.rotation_deg, clockwise);
        QCOMPARE(v.coded_width, 64);
        QCOMPARE(v.coded_height, 48);
        QCOMPARE(v.width, tag == 180 ? 64 : 48);
        QCOMPARE(v.height, tag == 180 ? 48 : 64);
    }

    void reportsOddSizes_data() {
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::newRow("mjpeg 65x49") << "mjpeg" << 65 << 49;
        QTest::newRow("vp9 67x45") << "libvpx-vp9" << 67 << 45;
        QTest::newRow("h264 444 63x47") << "libx264" << 63 << 47;
    }
    void reportsOddSizes() {
        QFETCH(QString, encoder);
        QFETCH(int, w);
        QFETCH(int, h);
        const auto file = path(dir_, QString("odd_%1.mkv").arg(encoder));
        QStringList args = {"-f", "lavfi", "-i", QString("testsrc=s=%1x%2:r=25").arg(w).arg(h), "-frames:v", "5"};
        if (encoder == "libx264")
            args << "-pix_fmt"
                 << "yuv444p";
        QVERIFY(ffmpeg(args + QStringList{"-c:v", encoder, q(file)}));
        const VideoInfo v = *probe(file).video;
        QCOMPARE(v.width, w);
        QCOMPARE(v.height, h);
    }

    void reportsAudioRateAndChannels_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("codec");
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("expected_rate");
        const struct {
            const char* ext;
            const char* codec;
        } formats[] = {{"wav", "pcm_s16le"}, {"mp3", "mp3"}, {"m4a", "aac"}, {"flac", "flac"}, {"opus", "opus"}};
        for (const auto& f : formats)
            for (int rate : {8000, 16000, 44100, 48000})
                for (int ch : {1, 2}) {
                    // Opus always decodes at 48 kHz.
                    const int expected = QString(f.codec) == "opus" ? 48000 : rate;
                    QTest::newRow(qPrintable(QString("%1 %2 Hz %3 ch").arg(f.ext).arg(rate).arg(ch)))
                        << f.ext << f.codec << rate << ch << expected;
                }
    }
    void reportsAudioRateAndChannels() {
        QFETCH(QString, ext);
        QFETCH(QString, codec);
        QFETCH(int, rate);
        QFETCH(int, channels);
        QFETCH(int, expected_rate);
        const auto file = path(dir_, QString("a_%1_%2.%3").arg(rate).arg(channels).arg(ext));
        QVERIFY(ffmpeg({"-f", "lavfi", "-i", QString("sine=frequency=440:sample_rate=%1:duration=1").arg(rate), "-ac",
                        QString::number(channels), q(file)}));
        const MediaInfo info = probe(file);
        QVERIFY(!info.video.has_value());
        QVERIFY(info.audio.has_value());
        QCOMPARE(QString::fromStdString(info.audio->codec), codec);
        QCOMPARE(info.audio->sample_rate, expected_rate);
        QCOMPARE(info.audio->channels, channels);
        // MP3 headers give only an estimate including the encoder padding.
        const double tolerance = codec == "mp3" ? 0.2 : 0.05;
        QVERIFY2(std::abs(info.audio->duration_s - 1.0) < tolerance,
                 qPrintable(QString::number(info.audio->duration_s)));
    }

    void reportsBothStreamsOfAMovie() {
        const auto file = path(dir_, "movie.mp4");
        QVERIFY(
            ffmpeg(numberedInput(64, 48, "25") + QStringList{"-f", "lavfi", "-i", "sine=sample_rate=48000:duration=1",
                                                             "-t", "1", "-c:v", "libx264", "-c:a", "aac", q(file)}));
        const MediaInfo info = probe(file);
        QVERIFY(info.video && info.audio);
        QCOMPARE(info.audio->sample_rate, 48000);
        QVERIFY(info.video->stream_index != info.audio->stream_index);
        QVERIFY(info.size_bytes > 0);
    }

    void jsonCarriesTheRationals() {
        const auto file = path(dir_, "json.mp4");
        QVERIFY(
            ffmpeg(numberedInput(64, 48, "30000/1001") + QStringList{"-frames:v", "10", "-c:v", "libx264", q(file)}));
        const nlohmann::json j = toJson(probe(file));
        QCOMPARE(j["video"]["nominal_frame_rate"]["num"].get<int64_t>(), int64_t(30000));
        QCOMPARE(j["video"]["nominal_frame_rate"]["den"].get<int64_t>(), int64_t(1001));
        QCOMPARE(j["video"]["frame_count"].get<int64_t>(), int64_t(10));
        QVERIFY(j["audio"].is_null());
        QCOMPARE(QString::fromStdString(j["path"].get<std::string>()), q(file));
    }
};

QTEST_GUILESS_MAIN(TestMediaProbe)
#include "test_media_probe.moc"
