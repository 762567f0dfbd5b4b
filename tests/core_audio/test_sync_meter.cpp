// The lip-sync meter and speech alignment (core/audio/sync_meter.hpp).
#include "core/audio/sync_meter.hpp"
#include "core/synth/tts.hpp"
#include "media/audio_reader.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <QtTest>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <random>

using namespace redub;
using namespace redub::core;

namespace {

// LibriVox (public domain) read speech from Debian's pocketsphinx-testdata. deb:pocketsphinx-testdata
constexpr test::SystemFile kLibriVox{
    "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav",
    "pocketsphinx-testdata"};

std::vector<float> resample16k(const synth::Speech& s) {
    if (s.sample_rate == kSyncRate) return s.samples;
    std::vector<float> out;
    const double step = double(s.sample_rate) / kSyncRate;
    for (double t = 0; t + 1 < double(s.samples.size()); t += step) {
        const size_t i = size_t(t);
        const double f = t - double(i);
        out.push_back(float(s.samples[i] * (1 - f) + s.samples[i + 1] * f));
    }
    return out;
}

// The same speech as another recording of it would give: `delay_ms` later (negative:
// earlier, the start cut), quieter, low-passed and with a noise floor.
std::vector<float> reRecorded(const std::vector<float>& s, double delay_ms, unsigned seed) {
    const int64_t d = std::llround(delay_ms * kSyncRate / 1000.0);
    std::vector<float> out;
    if (d >= 0) {
        out.assign(size_t(d), 0.f);
        out.insert(out.end(), s.begin(), s.end());
    } else {
        out.assign(s.begin() + std::min<int64_t>(-d, int64_t(s.size())), s.end());
    }
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 0.01f);
    float lp = 0;
    for (float& x : out) {
        lp += 0.35f * (x - lp);  // a one-pole low-pass (~1.1 kHz)
        x = 0.6f * lp + noise(rng);
    }
    return out;
}

// Tone bursts ("syllables") of random length and loudness with random pauses (seeded): a
// loudness pattern with sharp onsets and no period, like speech.
std::vector<float> bursts(double seconds, unsigned seed) {
    std::vector<float> s(size_t(seconds * kSyncRate), 0.f);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> on(0.08, 0.3), off(0.05, 0.35), level(0.1, 0.6);
    for (double t = 0.2; t < seconds;) {
        const double a = t, b = std::min(seconds, t + on(rng)), g = level(rng);
        for (size_t i = size_t(a * kSyncRate); i < size_t(b * kSyncRate); ++i)
            s[i] = float(g * std::sin(2 * M_PI * 220 * double(i) / kSyncRate));
        t = b + off(rng);
    }
    return s;
}

}  // namespace

class TestSyncMeter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void envelopeIsLoudWhereTheSpeechIs() {
        // 1 s of silence, then 1 s of a -6 dBFS tone; 25 fps.
        std::vector<float> s(2 * kSyncRate, 0.f);
        for (int i = kSyncRate; i < 2 * kSyncRate; ++i) s[size_t(i)] = float(0.707 * std::sin(i * 0.1));
        const auto env = speechEnvelope(s, Rational(25), 50);
        QCOMPARE(env.size(), size_t(50));
        for (int i = 0; i < 24; ++i) QCOMPARE(env[size_t(i)], 0.0);
        for (int i = 26; i < 50; ++i) QVERIFY2(std::abs(env[size_t(i)] - (60.0 - 6.0) / 60.0) < 0.02, qPrintable(QString::number(env[size_t(i)])));
        // An offset of 0.5 s moves the onset by 12.5 frames.
        const auto later = speechEnvelope(s, Rational(25), 50, kSyncRate / 2);
        QCOMPARE(later[36], 0.0);
        QVERIFY(later[39] > 0.8);
    }

    void bestLagFindsTheDelayOfTheMouth() {
        const auto s = bursts(8, 1);
        const auto env = speechEnvelope(s, Rational(25), 200);
        for (int delay : {-6, -2, 0, 3, 7}) {
            std::vector<double> opening(env.size(), -1.0);
            std::mt19937 rng(unsigned(delay + 10));
            std::normal_distribution<double> noise(0, 0.05);
            for (int i = 0; i < int(env.size()); ++i)
                if (i - delay >= 0 && i - delay < int(env.size()) && i % 17 != 0)  // some frames without a face
                    opening[size_t(i)] = 0.3 * env[size_t(i - delay)] + noise(rng);
            const LagCorrelation lc = bestLagCorrelation(opening, env, Rational(25), 400);
            QCOMPARE(lc.lag_frames, delay);
            QCOMPARE(lc.lag_ms, delay * 40.0);
            QVERIFY2(lc.r > 0.8, qPrintable(QString::number(lc.r)));
            QVERIFY2(lc.confidence > 0.3, qPrintable(QString::number(lc.confidence)));
        }
    }

    void aFrozenMouthScoresZero() {
        const auto env = speechEnvelope(bursts(4, 2), Rational(25), 100);
        const LagCorrelation lc = bestLagCorrelation(std::vector<double>(100, 0.12), env, Rational(25));
        QCOMPARE(lc.r, 0.0);
        QCOMPARE(lc.confidence, 0.0);
        // ... and so does a mouth that moves with something else (another rhythm).
        const auto other = speechEnvelope(bursts(4, 3), Rational(25), 100);
        QVERIFY(std::abs(bestLagCorrelation(other, env, Rational(25), 0).r) < 0.35);
    }

    void speechOffsetWithinOneFrameOnRealAndSynthesizedVoices() {
        REDUB_REQUIRE_SYSTEM_FILE(kLibriVox);
        struct Clip {
            QString name;
            std::vector<float> speech;
        };
        std::vector<Clip> clips;
        clips.push_back({"LibriVox recording", media::readAudio(kLibriVox.path, kSyncRate, 1).samples});
        clips.push_back({"flite slt", resample16k(synth::synthesize("Open the window and let the cold air in.", "slt"))});
        clips.push_back({"flite rms", resample16k(synth::synthesize("Papa parked the big blue boat by the pier.", "rms"))});
        clips.push_back({"flite awb", resample16k(synth::synthesize("She sells sea shells on the sea shore.", "awb"))});
        int checked = 0;
        for (const auto& c : clips) {
            for (double truth : {-400.0, -200.0, -120.0, -80.0, 80.0, 120.0, 200.0, 400.0}) {
                const auto take = reRecorded(c.speech, truth, unsigned(checked));
                const OffsetEstimate e = estimateSpeechOffset(c.speech, take);
                // The take is `truth` ms later than the reference: shifting it by -truth lines it up.
                QVERIFY2(std::abs(e.offset_ms + truth) <= 40.0,
                         qPrintable(QString("%1, %2 ms: estimated %3 ms").arg(c.name).arg(truth).arg(e.offset_ms)));
                QVERIFY2(e.confidence > 0.5, qPrintable(QString("%1: confidence %2").arg(c.name).arg(e.confidence)));
                ++checked;
            }
        }
        QCOMPARE(checked, 32);
        QVERIFY_THROWS_EXCEPTION(Error, estimateSpeechOffset(std::vector<float>(100), clips[0].speech));
        QVERIFY_THROWS_EXCEPTION(Error, estimateSpeechOffset(std::vector<float>(kSyncRate, 0.f), clips[0].speech));
    }

    void mouthAloneGivesTheOffsetToAFrame() {
        const auto take = bursts(8, 4);
        const Rational fps(25);
        const auto env = speechEnvelope(take, fps, 200);
        // A mouth that moves with the take played 5 frames (200 ms) later.
        std::vector<double> opening(200);
        for (int i = 0; i < 200; ++i) opening[size_t(i)] = i >= 5 ? 0.3 * env[size_t(i - 5)] : 0.0;
        const OffsetEstimate e = estimateOffsetFromMouth(opening, fps, take);
        QCOMPARE(e.offset_ms, 200.0);
        QVERIFY(e.confidence > 0.3);
    }

    void lipSharpnessDropsWhenTheLipsBlur() {
        cv::Mat img(200, 200, CV_8UC3);
        cv::randu(img, 0, 256);
        std::array<cv::Point2f, 68> lm{};
        for (int i = 0; i < 68; ++i) lm[size_t(i)] = cv::Point2f(100, 100);
        lm[48] = {70, 120};
        lm[54] = {130, 120};
        lm[51] = {100, 110};
        lm[57] = {100, 135};
        cv::Mat soft;
        cv::GaussianBlur(img, soft, cv::Size(0, 0), 2.0);
        const double sharp = lipSharpness(img, lm), blurred = lipSharpness(soft, lm);
        QVERIFY(sharp > 0);
        QVERIFY2(blurred < 0.1 * sharp, qPrintable(QString("%1 vs %2").arg(blurred).arg(sharp)));
        // A box at the frame's edge is clipped, never out of bounds.
        for (auto& p : lm) p += cv::Point2f(80, 70);
        QVERIFY(lipSharpness(img, lm) >= 0);
    }
};

QTEST_GUILESS_MAIN(TestSyncMeter)
#include "test_sync_meter.moc"
