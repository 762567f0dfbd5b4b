// VideoWriter round trips: write, probe, decode. Frame count exact, duration
// within one frame, PSNR >= 40 dB at CRF 18, a flash + beep marker stays in
// sync, odd sizes, stream-copied audio, nothing left behind on failure.
#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "media_test_util.hpp"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <cmath>

using namespace redub::media;
using namespace redub::test::media;
using redub::Rational;
using redub::test::ffmpeg;

namespace {
// Camera-like content: smooth colour gradients and a soft moving blob.
cv::Mat syntheticFrame(int w, int h, int i) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(40 + 150 * x / w), uchar(60 + 120 * y / h),
                                              uchar(128 + 60 * std::sin((x + y + 3 * i) * 0.05)));
    cv::circle(m, {(i * 3) % w, h / 2}, h / 5, cv::Scalar(220, 180, 90), cv::FILLED, cv::LINE_AA);
    cv::GaussianBlur(m, m, {0, 0}, 1.5);
    return m;
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
    const double mse = cv::norm(a, b, cv::NORM_L2SQR) / double(a.total() * a.channels());
    return mse <= 1e-10 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}
}  // namespace

class TestVideoWriter : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void roundTripKeepsCountDurationRateAndQuality_data() {
        QTest::addColumn<qlonglong>("num");
        QTest::addColumn<qlonglong>("den");
        QTest::newRow("23.976") << 24000LL << 1001LL;
        QTest::newRow("25") << 25LL << 1LL;
        QTest::newRow("29.97") << 30000LL << 1001LL;
        QTest::newRow("30") << 30LL << 1LL;
        QTest::newRow("50") << 50LL << 1LL;
        QTest::newRow("59.94") << 60000LL << 1001LL;
        QTest::newRow("60") << 60LL << 1LL;
    }
    void roundTripKeepsCountDurationRateAndQuality() {
        QFETCH(qlonglong, num);
        QFETCH(qlonglong, den);
        const Rational rate(num, den);
        const int n = 30, w = 160, h = 120;
        const auto out = path(dir_, QString("rt_%1_%2.mp4").arg(num).arg(den));
        auto p = WriterParams::defaults();
        p.width = w;
        p.height = h;
        p.frame_rate = rate;
        p.with_audio = false;
        std::vector<cv::Mat> frames;
        {
            VideoWriter writer(out, p);
            for (int i = 0; i < n; ++i) {
                frames.push_back(syntheticFrame(w, h, i));
                writer.writeFrame(frames.back());
            }
            QVERIFY(!std::filesystem::exists(out));  // only the partial file so far
            writer.finish();
        }
        QVERIFY(std::filesystem::exists(out));
        QVERIFY(!std::filesystem::exists(out.string() + ".partial"));
        // Faststart: the index ('moov') comes before the media data ('mdat').
        const std::string bytes = readBytes(out);
        QVERIFY(bytes.find("moov") != std::string::npos);
        QVERIFY(bytes.find("moov") < bytes.find("mdat"));
        // An independent decoder (the ffmpeg CLI, stopping at the first error) accepts it.
        QVERIFY(ffmpeg({"-xerror", "-i", q(out), "-f", "null", "-"}));
        const MediaInfo info = probe(out);
        QVERIFY(info.video);
        QCOMPARE(QString::fromStdString(info.video->codec), QString("h264"));
        QCOMPARE(QString::fromStdString(info.video->pixel_format), QString("yuv420p"));
        QCOMPARE(info.video->frame_count, int64_t(n));
        QVERIFY(info.video->frame_count_exact);
        QCOMPARE(info.video->nominal_frame_rate, rate);
        QVERIFY(!info.video->variable_frame_rate);
        const double frame_s = 1.0 / rate.toDouble();
        QVERIFY2(std::abs(info.video->duration_s - n * frame_s) < frame_s,
                 qPrintable(QString::number(info.video->duration_s)));
        VideoReader r(out);
        VideoFrame f;
        int count = 0;
        double sum = 0, worst = 99;
        while (r.next(f)) {
            const double q = psnr(f.rgb, frames[size_t(f.index)]);
            sum += q;
            worst = std::min(worst, q);
            ++count;
        }
        QCOMPARE(count, n);
        qInfo("%s: mean PSNR %.2f dB, worst %.2f dB", qPrintable(QString::fromStdString(rate.toString())), sum / n,
              worst);
        QVERIFY2(sum / n >= 40.0, qPrintable(QString("mean PSNR %1 dB").arg(sum / n)));
        QVERIFY2(worst >= 38.0, qPrintable(QString("worst PSNR %1 dB").arg(worst)));
    }

    void flashAndBeepStayInSync_data() {
        QTest::addColumn<qlonglong>("num");
        QTest::addColumn<qlonglong>("den");
        QTest::addColumn<int>("flash");
        QTest::newRow("25 fps") << 25LL << 1LL << 31;
        QTest::newRow("29.97 fps") << 30000LL << 1001LL << 40;
    }
    void flashAndBeepStayInSync() {
        QFETCH(qlonglong, num);
        QFETCH(qlonglong, den);
        QFETCH(int, flash);
        const Rational rate(num, den);
        const int n = 60, w = 96, h = 64, sr = 48000;
        const auto out = path(dir_, QString("sync_%1.mp4").arg(num));
        auto p = WriterParams::defaults();
        p.width = w;
        p.height = h;
        p.frame_rate = rate;
        p.audio_sample_rate = sr;
        p.audio_channels = 2;
        // Beep (1 kHz, 40 ms) starting exactly when the flash frame is shown.
        const int64_t total = int64_t(std::llround(n / rate.toDouble() * sr));
        const int64_t onset = redub::mulDivFloor(flash, rate.den * sr, rate.num);
        std::vector<float> pcm(size_t(total) * 2, 0.0f);
        for (int64_t i = onset; i < onset + sr / 25; ++i)
            pcm[size_t(2 * i)] = pcm[size_t(2 * i + 1)] = 0.5f * float(std::sin(2 * M_PI * 1000 * (i - onset) / sr));
        {
            VideoWriter writer(out, p);
            for (int i = 0; i < n; ++i)
                writer.writeFrame(
                    cv::Mat(h, w, CV_8UC3, i == flash ? cv::Scalar(255, 255, 255) : cv::Scalar(20, 20, 20)));
            // Odd chunk sizes on purpose.
            for (int64_t off = 0; off < total; off += 777)
                writer.writeAudio(pcm.data() + off * 2, std::min<int64_t>(777, total - off));
            writer.finish();
        }
        // Where is the flash?
        VideoReader r(out);
        VideoFrame f;
        int64_t flash_seen = -1;
        while (r.next(f))
            if (cv::mean(f.rgb)[0] > 128) flash_seen = f.index;
        QCOMPARE(flash_seen, int64_t(flash));
        // Where is the beep?
        const AudioBuffer a = readAudio(out, sr, 1);
        int64_t beep = -1;
        for (int64_t i = 0; i < a.frames(); ++i)
            if (std::abs(a.samples[size_t(i)]) > 0.2f) {
                beep = i;
                break;
            }
        QVERIFY(beep >= 0);
        const double flash_s = flash / rate.toDouble(), beep_s = double(beep) / sr;
        QVERIFY2(std::abs(beep_s - flash_s) < 1.0 / rate.toDouble(),
                 qPrintable(QString("flash at %1 s, beep at %2 s").arg(flash_s).arg(beep_s)));
        // And the audio track is as long as what was written (AAC delay removed).
        QVERIFY2(std::abs(a.duration_s() - double(total) / sr) < 0.03, qPrintable(QString::number(a.duration_s())));
    }

    void oddSizesArePaddedToEven_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::newRow("65x49") << 65 << 49;
        QTest::newRow("64x49") << 64 << 49;
        QTest::newRow("1x1") << 1 << 1;
    }
    void oddSizesArePaddedToEven() {
        QFETCH(int, w);
        QFETCH(int, h);
        const auto out = path(dir_, QString("odd_%1x%2.mp4").arg(w).arg(h));
        auto p = WriterParams::defaults();
        p.width = w;
        p.height = h;
        p.with_audio = false;
        std::vector<cv::Mat> frames;
        {
            VideoWriter writer(out, p);
            QCOMPARE(writer.encodedWidth(), w + (w & 1));
            QCOMPARE(writer.encodedHeight(), h + (h & 1));
            for (int i = 0; i < 5; ++i) {
                frames.push_back(syntheticFrame(w, h, i));
                writer.writeFrame(frames.back());
            }
            writer.finish();
        }
        VideoReader r(out);
        QCOMPARE(r.info().width, w + (w & 1));
        QCOMPARE(r.info().height, h + (h & 1));
        VideoFrame f;
        int count = 0;
        while (r.next(f)) {
            const cv::Mat region = f.rgb(cv::Rect(0, 0, w, h));
            // Tiny frames are dominated by edges: 35 dB still means intact.
            const double q = psnr(region, frames[size_t(f.index)]);
            if (w > 8) QVERIFY2(q > 35, qPrintable(QString("picture damaged: PSNR %1 dB").arg(q)));
            // The padding repeats the last column/row (no black line at the edge).
            if (w & 1) QVERIFY(cv::norm(f.rgb.col(w), f.rgb.col(w - 1), cv::NORM_L1) / h / 3 < 8);
            if (h & 1) QVERIFY(cv::norm(f.rgb.row(h), f.rgb.row(h - 1), cv::NORM_L1) / w / 3 < 8);
            ++count;
        }
        QCOMPARE(count, 5);
    }

    void streamCopiesTheOriginalAudio() {
        const auto src = path(dir_, "source.mp4");
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-f", "lavfi", "-i",
                                                                 "sine=frequency=440:sample_rate=44100:duration=1",
                                                                 "-t", "1", "-c:v", "libx264", "-c:a", "aac", q(src)}));
        const auto out = path(dir_, "copied.mp4");
        auto p = WriterParams::defaults();
        p.width = 64;
        p.height = 48;
        p.copy_audio_from = src;
        {
            VideoReader r(src);
            VideoWriter writer(out, p);
            VideoFrame f;
            while (r.next(f)) writer.writeFrame(f.rgb);
            writer.finish();
        }
        const MediaInfo info = probe(out);
        QVERIFY(info.audio);
        QCOMPARE(QString::fromStdString(info.audio->codec), QString("aac"));
        QCOMPARE(info.audio->sample_rate, 44100);
        const AudioBuffer original = readAudio(src, 44100, 1), copied = readAudio(out, 44100, 1);
        QVERIFY2(std::abs(copied.duration_s() - original.duration_s()) < 0.03,
                 qPrintable(QString("%1 vs %2").arg(copied.duration_s()).arg(original.duration_s())));
        // Bit-identical packets decode to identical samples.
        const size_t m = std::min(original.samples.size(), copied.samples.size()) / 2;
        for (size_t i = 1000; i < m; i += 997) QCOMPARE(copied.samples[i], original.samples[i]);
    }

    void streamCopyRefusesCodecsMp4CannotHold() {
        const auto src = path(dir_, "pcm.avi");
        QVERIFY(ffmpeg({"-f", "lavfi", "-i", "sine=sample_rate=8000:duration=0.5", "-c:a", "pcm_u8", q(src)}));
        auto p = WriterParams::defaults();
        p.width = 64;
        p.height = 48;
        p.copy_audio_from = src;
        const auto out = path(dir_, "nocopy.mp4");
        const int before = entriesIn(dir_);
        try {
            VideoWriter writer(out, p);
            QFAIL("no error");
        } catch (const redub::Error& e) {
            QVERIFY(e.kind() == redub::ErrorKind::Unsupported);
            QVERIFY2(QString(e.what()).contains("pcm_u8"), e.what());
        }
        QCOMPARE(entriesIn(dir_), before);
    }

    void finishReplacesAnExistingFile() {
        const auto out = path(dir_, "replace.mp4");
        writeBytes(out, "old content");
        auto p = WriterParams::defaults();
        p.width = 32;
        p.height = 32;
        p.with_audio = false;
        VideoWriter writer(out, p);
        writer.writeFrame(cv::Mat(32, 32, CV_8UC3, cv::Scalar(1, 2, 3)));
        QCOMPARE(readBytes(out), std::string("old content"));  // untouched until finish()
        writer.finish();
        QCOMPARE(probe(out).video->frame_count, int64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestVideoWriter)
#include "test_video_writer.moc"
