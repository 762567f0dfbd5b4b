// Phone timings from flite and the viseme/coarticulation model that turns them
// into per-frame mouth parameters.
#include "core/face/face_warp.hpp"
#include "core/synth/tts.hpp"
#include "core/synth/visemes.hpp"
#include "redub/error.hpp"

#include <QtTest>

using namespace redub;
using namespace redub::core::synth;

class TestVisemes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flitePhonesAreContiguousAndCoverTheAudio() {
        const Speech s = synthesize("Mama made a map.", "slt");
        QVERIFY(s.sample_rate > 0);
        QVERIFY(s.durationSeconds() > 0.5);
        QVERIFY(s.phones.size() >= 8);
        for (size_t i = 0; i < s.phones.size(); ++i) {
            QVERIFY(s.phones[i].end_s >= s.phones[i].start_s);
            if (i > 0) QCOMPARE(s.phones[i].start_s, s.phones[i - 1].end_s);
        }
        QCOMPARE(s.phones.front().name, std::string("pau"));
        QVERIFY(std::abs(s.phones.back().end_s - s.durationSeconds()) < 0.05);
        int m = 0;
        for (const auto& p : s.phones) m += p.name == "m";
        QCOMPARE(m, 4);  // ma-ma, ma(de), ma(p)
    }

    void everyVoiceSpeaks() {
        for (const auto& v : availableVoices()) QVERIFY2(synthesize("Hi.", v).samples.size() > 1000, v.c_str());
    }

    void rejectsUnknownVoiceAndEmptyText() {
        QVERIFY_THROWS_EXCEPTION(Error, synthesize("Hello", "nobody"));
        QVERIFY_THROWS_EXCEPTION(Error, synthesize("  ...  ", "slt"));
    }

    void bilabialsCloseTheLipsAndOpenVowelsOpenThem() {
        // pau | m 0.3-0.4 | aa 0.4-0.6 | p 0.6-0.7 | pau
        const std::vector<Phone> ph = {{"pau", 0, 0.3}, {"m", 0.3, 0.4}, {"aa", 0.4, 0.6}, {"p", 0.6, 0.7}, {"pau", 0.7, 1.0}};
        QVERIFY(mouthAt(ph, 0.35).opening < 0.1);
        QVERIFY(mouthAt(ph, 0.65).opening < 0.1);
        QVERIFY(mouthAt(ph, 0.5).opening > 0.7);
        QVERIFY(mouthAt(ph, 0.05).opening < 0.05);
    }

    void coarticulationRoundsBeforeARoundedVowel() {
        // "s" followed by "uw" is rounder than "s" followed by "iy" (anticipatory rounding).
        const std::vector<Phone> su = {{"s", 0.0, 0.1}, {"uw", 0.1, 0.3}};
        const std::vector<Phone> si = {{"s", 0.0, 0.1}, {"iy", 0.1, 0.3}};
        QVERIFY(mouthAt(su, 0.07).rounding > mouthAt(si, 0.07).rounding + 0.1);
        QVERIFY(mouthAt(si, 0.2).width > mouthAt(su, 0.2).width + 0.5);
    }

    void trackHasOneEntryPerFrameAndIsSmooth() {
        const Speech s = synthesize("Open wide, then close.", "rms");
        const auto track = mouthTrack(s.phones, 25.0);
        QCOMPARE(int(track.size()), int(std::ceil(s.phones.back().end_s * 25.0 - 1e-9)));
        float max_jump = 0, max_open = 0;
        for (size_t i = 1; i < track.size(); ++i) {
            max_jump = std::max(max_jump, std::abs(track[i].opening - track[i - 1].opening));
            max_open = std::max(max_open, track[i].opening);
        }
        QVERIFY(max_open > 0.4);
        QVERIFY2(max_jump < 0.45, "coarticulation must not jump from closed to wide open in one frame");
        QVERIFY_THROWS_EXCEPTION(Error, mouthTrack(s.phones, 0.0));
    }

    void targetLandmarksOpenTheLipsByTheRequestedGap() {
        // A schematic neutral face: eyes 60 px apart, closed mouth 50 px wide.
        Landmarks68 lm{};
        for (int i = 0; i < 17; ++i) lm[size_t(i)] = {100.0f + 10 * i, 150.0f + 40 * std::sin(float(i) / 16 * 3.14159f)};
        for (int i = 17; i < 27; ++i) lm[size_t(i)] = {110.0f + 12 * (i - 17), 80.0f};
        for (int i = 27; i < 36; ++i) lm[size_t(i)] = {180.0f, 90.0f + 6 * (i - 27)};
        for (int i = 36; i < 42; ++i) lm[size_t(i)] = {145.0f + 5 * (i - 36), 100.0f};
        for (int i = 42; i < 48; ++i) lm[size_t(i)] = {205.0f + 5 * (i - 42), 100.0f};
        for (int i = 48; i < 60; ++i) lm[size_t(i)] = {155.0f + 50.0f * float(i <= 54 ? i - 48 : 60 - i) / 6, 160.0f};
        for (int i = 60; i < 68; ++i) lm[size_t(i)] = {160.0f + 40.0f * float(i <= 64 ? i - 60 : 68 - i) / 4, 160.0f};
        lm[8] = {180.0f, 200.0f};
        QVERIFY(measuredOpening(lm) < 1e-3);
        FrameControls c;
        c.mouth.opening = 1.0f;
        const Landmarks68 t = targetLandmarks(lm, c);
        QVERIFY(measuredOpening(t) > 0.3);
        QVERIFY(t[8].y > lm[8].y + 5);  // the jaw drops
        c.mouth.opening = 0.5f;
        QVERIFY(std::abs(measuredOpening(targetLandmarks(lm, c)) - 0.5f * measuredOpening(t)) < 0.02);
    }
};

QTEST_APPLESS_MAIN(TestVisemes)
#include "test_visemes.moc"
