// Waveform peak summaries (ui/peaks.hpp) and timecodes: pure functions.
#include "ui/peaks.hpp"
#include "ui/timeline.hpp"

#include <QtTest>

#include <cmath>

using namespace redub;
using namespace redub::ui;

class TestPeaks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void finestLevelHoldsTheMinAndMaxOfEachBin() {
        std::vector<float> s(100, 0.f);
        s[5] = 0.7f;
        s[40] = -0.9f;
        const Peaks p = computePeaks(s, 1000, 32);
        QCOMPARE(p.sample_count, int64_t(100));
        QCOMPARE(p.levels.front().min.size(), size_t(4));  // 32, 32, 32, 4 samples
        QCOMPARE(p.levels.front().max[0], 0.7f);
        QCOMPARE(p.levels.front().min[1], -0.9f);
        QCOMPARE(p.levels.front().max[3], 0.f);
    }

    void coarseLevelsAgreeWithTheSamples() {
        // A 440 Hz tone whose amplitude ramps up: every interval's range must match a brute-force scan.
        std::vector<float> s(48000 * 3);
        for (size_t i = 0; i < s.size(); ++i) s[i] = float(i) / s.size() * std::sin(2 * M_PI * 440 * double(i) / 48000);
        const Peaks p = computePeaks(s, 48000, 64);
        QVERIFY(p.levels.size() >= 3);
        for (size_t l = 1; l < p.levels.size(); ++l)
            QCOMPARE(p.levels[l].samples_per_bin, p.levels[l - 1].samples_per_bin * 4);
        auto brute = [&](int64_t a, int64_t b) {
            float lo = 1, hi = -1;
            for (int64_t i = a; i < b; ++i) lo = std::min(lo, s[i]), hi = std::max(hi, s[i]);
            return std::pair{lo, hi};
        };
        // Intervals on bin boundaries are summarised exactly...
        for (auto [a, b] : {std::pair<int64_t, int64_t>{0, 4096}, {4096 * 3, 4096 * 20}, {64 * 7, 64 * 9}})
            QCOMPARE(p.range(a, b), brute(a, b));
        // ...others may only come out wider (bins reach past the ends), never narrower.
        for (auto [a, b] : {std::pair<int64_t, int64_t>{10, 100}, {1000, 90000}, {50000, 50001}}) {
            const auto [lo, hi] = brute(a, b);
            const auto [plo, phi] = p.range(a, b);
            QVERIFY(plo <= lo && phi >= hi);
            QVERIFY(plo >= -1.f && phi <= 1.f);
        }
    }

    void rangeOutsideTheTrackIsSilent() {
        const Peaks p = computePeaks(std::vector<float>(1000, 0.5f), 1000);
        QCOMPARE(p.range(2000, 3000), (std::pair{0.f, 0.f}));
        QCOMPARE(p.range(-50, -1), (std::pair{0.f, 0.f}));
        QVERIFY(computePeaks({}, 1000).empty());
    }

    void timecodeCountsFramesWithinTheSecond() {
        QCOMPARE(timecode(0, Rational(25)), QString("00:00:00:00"));
        QCOMPARE(timecode(24, Rational(25)), QString("00:00:00:24"));
        QCOMPARE(timecode(25 * 3661 + 7, Rational(25)), QString("01:01:01:07"));
        QCOMPARE(timecode(30, Rational(30000, 1001)), QString("00:00:01:00"));
        QCOMPARE(timecode(-25, Rational(25)), QString("-00:00:01:00"));
    }
};

QTEST_GUILESS_MAIN(TestPeaks)
#include "test_peaks.moc"
