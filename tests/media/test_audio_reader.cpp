// Audio decoding + resampling: every format/rate/layout of the matrix, to any
// requested rate/layout, whole-file and streaming, and from a video's audio.
#include "media/audio_reader.hpp"
#include "media_test_util.hpp"

#include <QtTest>

#include <cmath>

using namespace redub::media;
using namespace redub::test::media;
using redub::test::ffmpeg;

namespace {
// Frequency of one channel from its zero crossings (pure tones only).
double toneHz(const AudioBuffer& b, int channel) {
    int64_t crossings = 0;
    const int64_t n = b.frames();
    // Skip codec fade-in/out at the ends.
    const int64_t from = n / 10, to = n - n / 10;
    for (int64_t i = from + 1; i < to; ++i) {
        const float a = b.samples[size_t((i - 1) * b.channels + channel)];
        const float c = b.samples[size_t(i * b.channels + channel)];
        if ((a < 0) != (c < 0)) ++crossings;
    }
    return crossings / 2.0 / (double(to - from) / b.sample_rate);
}
double rms(const AudioBuffer& b) {
    double s = 0;
    for (float x : b.samples) s += double(x) * x;
    return b.samples.empty() ? 0 : std::sqrt(s / b.samples.size());
}
}  // namespace

class TestAudioReader : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    // 1 s: 440 Hz on the left (or mono), 660 Hz on the right.
    std::filesystem::path makeTone(const QString& ext, int rate, int channels) {
        const auto file = path(dir_, QString("tone_%1_%2.%3").arg(rate).arg(channels).arg(ext));
        if (std::filesystem::exists(file)) return file;
        const QString expr = channels == 1 ? "0.5*sin(2*PI*440*t)" : "0.5*sin(2*PI*440*t)|0.5*sin(2*PI*660*t)";
        QStringList args = {"-f", "lavfi", "-i", QString("aevalsrc='%1':s=%2:d=1").arg(expr).arg(rate)};
        if (ext == "m4a")
            args << "-c:a"
                 << "aac"
                 << "-b:a"
                 << "96k";
        if (!ffmpeg(args + QStringList{q(file)})) return {};
        return file;
    }

private Q_SLOTS:
    void decodesEveryFormatRateAndLayout_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        for (const char* ext : {"wav", "mp3", "m4a", "flac", "opus"})
            for (int rate : {8000, 16000, 44100, 48000})
                for (int ch : {1, 2})
                    QTest::newRow(qPrintable(QString("%1 %2 Hz %3 ch").arg(ext).arg(rate).arg(ch)))
                        << ext << rate << ch;
    }
    void decodesEveryFormatRateAndLayout() {
        QFETCH(QString, ext);
        QFETCH(int, rate);
        QFETCH(int, channels);
        const auto file = makeTone(ext, rate, channels);
        QVERIFY(!file.empty());
        // Stereo output at 48 kHz: the channels keep their own tone.
        const AudioBuffer b = readAudio(file, 48000, 2);
        QCOMPARE(b.sample_rate, 48000);
        QCOMPARE(b.channels, 2);
        // Codec delay is removed by FFmpeg; lossy codecs may pad to a frame.
        QVERIFY2(std::abs(b.duration_s() - 1.0) < 0.03, qPrintable(QString::number(b.duration_s())));
        QVERIFY2(std::abs(toneHz(b, 0) - 440) < 5, qPrintable(QString::number(toneHz(b, 0))));
        const double right = channels == 1 ? 440 : 660;
        QVERIFY2(std::abs(toneHz(b, 1) - right) < 5, qPrintable(QString::number(toneHz(b, 1))));
        QVERIFY2(rms(b) > 0.25 && rms(b) < 0.45, qPrintable(QString::number(rms(b))));
    }

    void resamplesToModelRateMono_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("rate");
        QTest::newRow("wav 44100") << "wav" << 44100;
        QTest::newRow("mp3 48000") << "mp3" << 48000;
        QTest::newRow("flac 8000") << "flac" << 8000;
    }
    void resamplesToModelRateMono() {
        QFETCH(QString, ext);
        QFETCH(int, rate);
        const auto file = makeTone(ext, rate, 2);
        QVERIFY(!file.empty());
        const AudioBuffer b = readAudio(file, 16000, 1);
        QCOMPARE(b.channels, 1);
        QCOMPARE(b.sample_rate, 16000);
        QVERIFY2(std::abs(b.frames() - 16000) < 480, qPrintable(QString::number(b.frames())));
        QVERIFY(rms(b) > 0.1);
    }

    void pcmWavIsBitExact() {
        const auto file = path(dir_, "exact.wav");
        QVERIFY(ffmpeg(
            {"-f", "lavfi", "-i", "aevalsrc='0.25*sin(2*PI*1000*t)':s=16000:d=0.5", "-c:a", "pcm_f32le", q(file)}));
        const AudioBuffer b = readAudio(file, 16000, 1);
        QCOMPARE(b.frames(), int64_t(8000));
        for (int i : {0, 1, 7, 333, 7999})
            QVERIFY(std::abs(b.samples[size_t(i)] - float(0.25 * std::sin(2 * M_PI * 1000 * i / 16000.0))) < 1e-6f);
    }

    void streamingChunksEqualWholeFile() {
        const auto file = makeTone("flac", 44100, 2);
        const AudioBuffer whole = readAudio(file, 22050, 2);
        AudioReader r(file, 22050, 2);
        std::vector<float> chunks;
        int64_t n = 0;
        int calls = 0;
        while ((n = r.read(chunks, 1000)) > 0) {
            QVERIFY(n <= 1000);
            ++calls;
        }
        QVERIFY(calls > 10);
        QCOMPARE(chunks.size(), whole.samples.size());
        QVERIFY(chunks == whole.samples);
    }

    void seekStartsAtTheRequestedSample_data() {
        QTest::addColumn<QString>("ext");
        QTest::newRow("wav") << "wav";
        QTest::newRow("flac") << "flac";
    }
    void seekStartsAtTheRequestedSample() {
        QFETCH(QString, ext);
        const auto file = path(dir_, "seek." + ext);
        QVERIFY(
            ffmpeg({"-f", "lavfi", "-i", "aevalsrc='0.25*sin(2*PI*50*t)+0.1*sin(2*PI*1234*t)':s=8000:d=2", q(file)}));
        const AudioBuffer whole = readAudio(file, 8000, 1);
        AudioReader r(file, 8000, 1);
        for (double t : {1.25, 0.5, 1.9, 0.0}) {
            r.seek(t);
            std::vector<float> part;
            QCOMPARE(r.read(part, 100), int64_t(100));
            const size_t at = size_t(std::llround(t * 8000));
            for (size_t i = 0; i < 100; ++i) QCOMPARE(part[i], whole.samples[at + i]);
        }
    }

    void readsTheAudioOfAVideo() {
        const auto file = path(dir_, "movie.mkv");
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") +
                       QStringList{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1", "-c:v",
                                   "libx264", "-c:a", "libopus", "-t", "1", q(file)}));
        const AudioBuffer b = readAudio(file, 16000, 1);
        QVERIFY2(std::abs(b.duration_s() - 1.0) < 0.05, qPrintable(QString::number(b.duration_s())));
        QVERIFY2(std::abs(toneHz(b, 0) - 440) < 5, qPrintable(QString::number(toneHz(b, 0))));
    }

    void rejectsAbsurdRequests() {
        const auto file = makeTone("wav", 16000, 1);
        QVERIFY_THROWS_EXCEPTION(redub::Error, readAudio(file, 0, 1));
        QVERIFY_THROWS_EXCEPTION(redub::Error, readAudio(file, 16000, 0));
    }
};

QTEST_GUILESS_MAIN(TestAudioReader)
#include "test_audio_reader.moc"
