// Mel spectrogram vs an independent numpy/scipy reference (tests/fixtures/mel,
// made by make_mel_fixtures.py), plus edge cases.
#include "core/audio/mel.hpp"
#include "core_audio/npy_reader.hpp"
#include "redub/error.hpp"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace redub;
using namespace redub::core;

namespace {

std::filesystem::path melFixture(const std::string& name) { return std::filesystem::path(REDUB_MEL_FIXTURES) / name; }

std::vector<float> readPcm(const std::string& name) {
    const test::Npy npy = test::readNpy(melFixture(name + "_input.npy"));
    if (npy.descr != "<i2") throw std::runtime_error(name + ": expected int16 input");
    std::vector<float> pcm(npy.values.size());
    for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = float(npy.values[i] / 32768.0);
    return pcm;
}

std::vector<float> tone(double hz, double amplitude, int n, int sample_rate = 16000) {
    std::vector<float> x(n);
    for (int i = 0; i < n; ++i) x[i] = float(amplitude * std::sin(2 * std::numbers::pi * hz * i / sample_rate));
    return x;
}

int loudestBand(const Mel& mel, int64_t col) {
    int best = 0;
    for (int m = 1; m < mel.n_mels; ++m)
        if (mel.at(m, col) > mel.at(best, col)) best = m;
    return best;
}

}  // namespace

class TestMel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesNumpyReference_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("seed000");
        QTest::newRow("speech") << "speech" << false;
        QTest::newRow("speech, seed-000 constants") << "speech_seed000" << true;
        QTest::newRow("digital silence") << "silence" << false;
        QTest::newRow("1 kHz tone") << "tone" << false;
        QTest::newRow("clipped 220 Hz") << "clipped" << false;
        QTest::newRow("150 samples") << "short" << false;
    }
    void matchesNumpyReference() {
        QFETCH(QString, name);
        QFETCH(bool, seed000);
        const MelParams params = seed000 ? MelParams::seed000() : MelParams::defaults();
        const std::vector<float> pcm = readPcm(name.toStdString());
        const test::Npy ref = test::readNpy(melFixture(name.toStdString() + "_mel.npy"));
        const Mel mel = melSpectrogram(pcm, params);
        QCOMPARE(ref.shape.size(), size_t(2));
        QCOMPARE(int64_t(mel.n_mels), ref.shape[0]);
        QCOMPARE(mel.n_cols, ref.shape[1]);
        QCOMPARE(mel.data.size(), ref.values.size());
        double worst = 0;
        size_t worst_at = 0;
        for (size_t i = 0; i < ref.values.size(); ++i) {
            const double d = std::abs(double(mel.data[i]) - ref.values[i]);
            if (d > worst) worst = d, worst_at = i;
        }
        qInfo("%s: %d x %lld, max |diff| %.3g", qPrintable(name), mel.n_mels, (long long)mel.n_cols, worst);
        QVERIFY2(worst <= 1e-3, qPrintable(QString("band %1, column %2 differs by %3")
                                               .arg(worst_at / mel.n_cols)
                                               .arg(worst_at % mel.n_cols)
                                               .arg(worst)));
    }
    void speechIsNotSilence() {
        // Guards the fixture comparison against a degenerate reference.
        const Mel mel = melSpectrogram(readPcm("speech"), MelParams::defaults());
        int loud = 0;
        float hi = -4;
        for (float v : mel.data) loud += v > -1 ? 1 : 0, hi = std::max(hi, v);
        QVERIFY(loud > int(mel.data.size() / 5));
        QVERIFY(hi > 1);
    }
    void referenceComparisonNoticesAWrongConstant() {
        // The 1e-3 bound is meaningful: a 5 Hz change of fmin or a pre-emphasis of 0.96
        // moves the speech mel far more.
        const std::vector<float> pcm = readPcm("speech");
        const test::Npy ref = test::readNpy(melFixture("speech_mel.npy"));
        MelParams fmin = MelParams::defaults(), pre = MelParams::defaults();
        fmin.fmin = 50;
        pre.preemphasis = 0.96;
        for (const MelParams& p : {fmin, pre}) {
            const Mel mel = melSpectrogram(pcm, p);
            double worst = 0;
            for (size_t i = 0; i < ref.values.size(); ++i)
                worst = std::max(worst, std::abs(double(mel.data[i]) - ref.values[i]));
            QVERIFY2(worst > 1e-2, qPrintable(QString::number(worst)));
        }
    }
    void silenceValueIsTheFloorOfTheScale() {
        QCOMPARE(melSilenceValue(MelParams::defaults()), -4.0f);
        QCOMPARE(melSilenceValue(MelParams::seed000()), -4.0f);
        MelParams one_sided = MelParams::defaults();
        one_sided.symmetric = false;
        QCOMPARE(melSilenceValue(one_sided), 0.0f);
        const Mel mel = melSpectrogram(std::vector<float>(1600, 0.0f), one_sided);
        for (float v : mel.data) QCOMPARE(v, 0.0f);
    }
    void columnCountIsOnePlusSamplesOverHop() {
        const MelParams p = MelParams::defaults();
        for (int n : {1, 199, 200, 201, 799, 800, 16000, 16001}) {
            const Mel mel = melSpectrogram(std::vector<float>(n, 0.1f), p);
            QCOMPARE(mel.n_cols, int64_t(1 + n / 200));
            QCOMPARE(melColumnCount(n, p), mel.n_cols);
            QCOMPARE(mel.data.size(), size_t(80 * mel.n_cols));
        }
        MelParams uncentred = p;
        uncentred.centre = false;
        QCOMPARE(melColumnCount(799, uncentred), int64_t(0));
        QCOMPARE(melColumnCount(800, uncentred), int64_t(1));
        QCOMPARE(melColumnCount(1000, uncentred), int64_t(2));
        QCOMPARE(melSpectrogram(std::vector<float>(1000, 0.1f), uncentred).n_cols, int64_t(2));
    }
    void emptyAudioHasNoColumns() {
        const Mel mel = melSpectrogram({}, MelParams::defaults());
        QCOMPARE(mel.n_mels, 80);
        QCOMPARE(mel.n_cols, int64_t(0));
        QVERIFY(mel.data.empty());
    }
    void chunkBoundariesDoNotShow() {
        // 20 s (1601 columns) crosses the internal 1024-column chunk boundary. Column c of the
        // whole equals column c - 900 of the audio cut at sample 900 * hop (whose first frames,
        // near the cut, differ only through padding and pre-emphasis).
        const std::vector<float> speech = readPcm("speech");
        std::vector<float> pcm;
        while (pcm.size() < 20 * 16000) pcm.insert(pcm.end(), speech.begin(), speech.end());
        pcm.resize(20 * 16000);
        const Mel whole = melSpectrogram(pcm, MelParams::defaults());
        const Mel cut = melSpectrogram(std::span<const float>(pcm).subspan(900 * 200), MelParams::defaults());
        QCOMPARE(whole.n_cols, int64_t(1601));
        double worst = 0;
        for (int64_t c = 910; c < 1200; ++c)
            for (int m = 0; m < 80; ++m) worst = std::max(worst, double(std::abs(whole.at(m, c) - cut.at(m, c - 900))));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }
    void toneLandsInItsBand() {
        const MelParams p = MelParams::defaults();
        const std::vector<double> fb = melFilterbank(p);
        const int n_bins = 401;
        const int bin_1k = 1000 * 800 / 16000;  // 50
        int want = 0;
        for (int m = 1; m < 80; ++m)
            if (fb[m * n_bins + bin_1k] > fb[want * n_bins + bin_1k]) want = m;
        for (int n_fft : {800, 801}) {  // even and odd FFT sizes
            MelParams q = p;
            q.n_fft = n_fft;
            q.win_length = n_fft;
            const Mel mel = melSpectrogram(tone(1000, 0.5, 16000), q);
            QCOMPARE(loudestBand(mel, 40), want);
        }
    }
    void filterbankHasSlaneyAreaNormalisation() {
        // Each triangle has height 2 / (hi - lo) Hz and so unit area in Hz: the sum of its
        // weights times the bin spacing (20 Hz) is ~1 for bands spanning many bins.
        const std::vector<double> fb = melFilterbank(MelParams::defaults());
        for (int m : {40, 60, 79}) {
            double area = 0;
            for (int k = 0; k < 401; ++k) area += fb[m * 401 + k] * 20.0;
            QVERIFY2(std::abs(area - 1.0) < 0.02, qPrintable(QString("band %1 area %2").arg(m).arg(area)));
        }
    }
    void loudInputSaturatesAtMaxAbsValue() {
        std::vector<float> noise(8000);
        uint32_t state = 12345;
        for (float& v : noise) {
            state = state * 1664525u + 1013904223u;
            v = 200.0f * (float(state >> 8) / float(1 << 24) - 0.5f);
        }
        const Mel mel = melSpectrogram(noise, MelParams::defaults());
        float hi = -10;
        for (float v : mel.data) hi = std::max(hi, v);
        QCOMPARE(hi, 4.0f);
    }
    void rejectsNonFiniteSamples() {
        std::vector<float> pcm(1000, 0.0f);
        pcm[321] = std::nanf("");
        try {
            melSpectrogram(pcm, MelParams::defaults());
            QFAIL("NaN accepted");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(QString(e.what()).contains("321"));
        }
        pcm[321] = INFINITY;
        QVERIFY_THROWS_EXCEPTION(Error, melSpectrogram(pcm, MelParams::defaults()));
    }
    void rejectsInvalidParameters_data() {
        QTest::addColumn<QString>("field");
        QTest::newRow("hop") << "hop";
        QTest::newRow("win_length") << "win_length";
        QTest::newRow("fmax") << "fmax";
        QTest::newRow("n_mels") << "n_mels";
        QTest::newRow("sample_rate") << "sample_rate";
    }
    void rejectsInvalidParameters() {
        QFETCH(QString, field);
        MelParams p = MelParams::defaults();
        if (field == "hop") p.hop = 0;
        if (field == "win_length") p.win_length = 801;
        if (field == "fmax") p.fmax = 9000;
        if (field == "n_mels") p.n_mels = 0;
        if (field == "sample_rate") p.sample_rate = -1;
        try {
            melSpectrogram(std::vector<float>(100, 0.0f), p);
            QFAIL("invalid parameters accepted");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY2(QString(e.what()).contains(field), e.what());
        }
    }
    void stopsWhenCancelled() {
        std::stop_source stop;
        stop.request_stop();
        try {
            melSpectrogram(std::vector<float>(16000, 0.1f), MelParams::defaults(), stop.get_token());
            QFAIL("not cancelled");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::Cancelled);
        }
    }
};

QTEST_APPLESS_MAIN(TestMel)
#include "test_mel.moc"
