// Frame -> mel-window alignment: exact over an hour at every common rate,
// offsets of both signs, silence padding at both ends, short and empty audio.
#include "core/audio/align.hpp"
#include "core/audio/mel.hpp"
#include "redub/error.hpp"

#include <QtTest>

#include <cmath>

using namespace redub;
using namespace redub::core;
using Anchor = WindowParams::Anchor;

Q_DECLARE_METATYPE(redub::Rational)

namespace {

// A mel whose value encodes its position: band m, column c -> 1000 m + c (exact in float
// for the sizes used here), so any misplaced column is visible.
Mel positionalMel(int n_mels, int64_t n_cols) {
    Mel mel;
    mel.n_mels = n_mels;
    mel.n_cols = n_cols;
    mel.data.resize(size_t(n_mels) * size_t(n_cols));
    for (int m = 0; m < n_mels; ++m)
        for (int64_t c = 0; c < n_cols; ++c) mel.data[size_t(m) * n_cols + c] = float(1000 * m + c);
    return mel;
}

MelParams twoBands() {
    MelParams p = MelParams::defaults();
    p.n_mels = 2;
    return p;
}

// Checks one window against the positional mel: column j of window w holds column
// start + j when it exists, otherwise silence. Returns the number of padded columns.
int checkWindow(const std::vector<float>& out, size_t offset, const Mel& mel, int cols, int64_t start, float silence,
                bool* ok) {
    int padded = 0;
    for (int j = 0; j < cols; ++j) {
        const int64_t c = start + j;
        const bool inside = c >= 0 && c < mel.n_cols;
        padded += inside ? 0 : 1;
        for (int m = 0; m < mel.n_mels; ++m) {
            const float want = inside ? float(1000 * m + c) : silence;
            if (out[offset + size_t(m) * cols + j] != want) *ok = false;
        }
    }
    return padded;
}

}  // namespace

class TestAlign : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowStartHasNoDriftOverOneHour_data() {
        QTest::addColumn<Rational>("fps");
        QTest::newRow("23.976") << Rational(24000, 1001);
        QTest::newRow("24") << Rational(24);
        QTest::newRow("25") << Rational(25);
        QTest::newRow("29.97") << Rational(30000, 1001);
        QTest::newRow("30") << Rational(30);
        QTest::newRow("50") << Rational(50);
        QTest::newRow("59.94") << Rational(60000, 1001);
        QTest::newRow("60") << Rational(60);
    }
    void windowStartHasNoDriftOverOneHour() {
        QFETCH(Rational, fps);
        const MelParams wav2lip = MelParams::defaults();  // 80 columns/s
        const MelParams seed = MelParams::seed000();      // 50 columns/s
        const WindowParams start = WindowParams::defaults();
        WindowParams diff2lip = start;
        diff2lip.anchor = Anchor::Diff2Lip;
        const WindowParams centre = WindowParams::seed000();

        const int64_t frames = (3600 * fps.num + fps.den - 1) / fps.den;  // frames in one hour
        // Independent reference for the Start anchor: a Bresenham walk that adds one frame
        // (80 * den / num columns) at a time with an exact remainder, no multiplication of i.
        int64_t col = 0, rem = 0;  // column and remainder in units of 1/num columns
        int64_t prev_diff2lip = 0;
        for (int64_t i = 0; i < frames; ++i) {
            const int64_t got = windowStartColumn(i, fps, wav2lip, start, 0);
            if (got != col) QFAIL(qPrintable(QString("frame %1: start %2, exact %3").arg(i).arg(got).arg(col)));
            // Diff2Lip: frame i uses frame max(i-1, 0)'s start.
            const int64_t d = windowStartColumn(i, fps, wav2lip, diff2lip, 0);
            if (d != (i == 0 ? 0 : prev_diff2lip)) QFAIL(qPrintable(QString("diff2lip frame %1: %2").arg(i).arg(d)));
            prev_diff2lip = col;
            // Centre anchor (seed 000: 5 columns, 50/s): centre column (s + 2) is the one nearest
            // to t * 50, ties up:  t*50 - 1/2 < s + 2 <= t*50 + 1/2, checked by cross-multiplying
            // t * 50 = i * den * 16000 / (320 * num).
            const int64_t s = windowStartColumn(i, fps, seed, centre, 0);
            const __int128 lhs = __int128(2) * (s + 2) * 320 * fps.num, x2 = __int128(2) * i * fps.den * 16000;
            if (!(x2 - 320 * fps.num < lhs && lhs <= x2 + 320 * fps.num))
                QFAIL(qPrintable(QString("centre frame %1: start %2").arg(i).arg(s)));
            rem += 80 * fps.den;
            while (rem >= fps.num) {
                rem -= fps.num;
                ++col;
            }
        }
        // The hour ends where exact arithmetic says, and not where 80.0 * i / fps.toDouble()
        // accumulated in float would.
        QCOMPARE(windowStartColumn(frames - 1, fps, wav2lip, start, 0),
                 mulDivFloor(80 * (frames - 1), fps.den, fps.num));
    }
    void firstAndLastFramesOfAnHourArePadded_data() { windowStartHasNoDriftOverOneHour_data(); }
    void firstAndLastFramesOfAnHourArePadded() {
        QFETCH(Rational, fps);
        const MelParams mp = twoBands();
        const Mel mel = positionalMel(2, melColumnCount(int64_t(3600) * 16000, mp));
        QCOMPARE(mel.n_cols, int64_t(288001));
        const float silence = melSilenceValue(mp);
        const int64_t frames = (3600 * fps.num + fps.den - 1) / fps.den;
        WindowParams wp = WindowParams::seed000();
        wp.cols = 16;  // centred 16-column windows need 7 columns before frame 0
        wp.neighbours = 2;
        for (int64_t frame : {int64_t(0), int64_t(1), frames - 2, frames - 1}) {
            const std::vector<float> out = frameAudioWindows(mel, frame, fps, mp, wp, 0);
            QCOMPARE(out.size(), size_t(5 * 2 * 16));
            bool ok = true;
            int padded = 0;
            for (int w = 0; w < 5; ++w)
                padded += checkWindow(out, size_t(w) * 2 * 16, mel, 16,
                                      windowStartColumn(frame - 2 + w, fps, mp, wp, 0), silence, &ok);
            QVERIFY2(ok, qPrintable(QString("frame %1 has a misplaced column").arg(frame)));
            QVERIFY2(padded > 0, qPrintable(QString("frame %1 should reach outside the audio").arg(frame)));
        }
        // A frame in the middle needs no padding at all.
        const std::vector<float> mid = frameAudioWindows(mel, frames / 2, fps, mp, wp, 0);
        bool ok = true;
        int padded = 0;
        for (int w = 0; w < 5; ++w)
            padded += checkWindow(mid, size_t(w) * 2 * 16, mel, 16,
                                  windowStartColumn(frames / 2 - 2 + w, fps, mp, wp, 0), silence, &ok);
        QVERIFY(ok);
        QCOMPARE(padded, 0);
    }
    void wav2lipStartMatchesPublishedFormula() {
        // floor(80 * i / 25) with 16 kHz / hop 200.
        const MelParams mp = MelParams::defaults();
        for (int64_t i = 0; i < 1000; ++i)
            QCOMPARE(windowStartColumn(i, Rational(25), mp, WindowParams::defaults(), 0), (80 * i) / 25);
        QCOMPARE(mp.columnsPerSecond(), 80.0);
    }
    void positiveOffsetMeansSpeechStartsLater() {
        const MelParams mp = MelParams::defaults();
        const WindowParams wp = WindowParams::defaults();
        const Rational fps(25);  // one frame = 640 samples = 3.2 columns
        // One hop of delay moves every window one column earlier, one hop of lead one later.
        for (int64_t i : {0, 1, 7, 1000}) {
            const int64_t s = windowStartColumn(i, fps, mp, wp, 0);
            QCOMPARE(windowStartColumn(i, fps, mp, wp, 200), s - 1);
            QCOMPARE(windowStartColumn(i, fps, mp, wp, -200), s + 1);
            // A delay of exactly one frame: frame i+1 now sees what frame i saw.
            QCOMPARE(windowStartColumn(i + 1, fps, mp, wp, 640), s);
        }
        // Any delay at frame 0 points before the audio (floor, not truncation towards zero).
        QCOMPARE(windowStartColumn(0, fps, mp, wp, 1), int64_t(-1));
        QCOMPARE(windowStartColumn(0, fps, mp, wp, 200), int64_t(-1));
        QCOMPARE(windowStartColumn(0, fps, mp, wp, 201), int64_t(-2));
        QCOMPARE(windowStartColumn(0, fps, mp, wp, -199), int64_t(0));
        QCOMPARE(windowStartColumn(0, fps, mp, wp, -200), int64_t(1));
    }
    void delayedSpeechIsPrecededBySilence() {
        const MelParams mp = twoBands();
        const Mel mel = positionalMel(2, 400);
        const float silence = melSilenceValue(mp);
        // 0.5 s delay = 8000 samples = 40 columns: frame 0 sees only silence, frame 12
        // (0.48 s -> column -2) sees two silent columns then columns 0..13.
        const std::vector<float> f0 = frameAudioWindows(mel, 0, Rational(25), mp, WindowParams::defaults(), 8000);
        for (float v : f0) QCOMPARE(v, silence);
        const std::vector<float> f12 = frameAudioWindows(mel, 12, Rational(25), mp, WindowParams::defaults(), 8000);
        bool ok = true;
        QCOMPARE(checkWindow(f12, 0, mel, 16, -2, silence, &ok), 2);
        QVERIFY(ok);
        QCOMPARE(f12[2], 0.0f);
        QCOMPARE(f12[16 + 15], 1013.0f);
        // Speech that starts 0.5 s early: frame 0 starts at column 40.
        const std::vector<float> early = frameAudioWindows(mel, 0, Rational(25), mp, WindowParams::defaults(), -8000);
        QCOMPARE(early[0], 40.0f);
    }
    void emptyAudioGivesSilentWindows() {
        const MelParams mp = twoBands();
        const Mel empty = positionalMel(2, 0);
        WindowParams wp = WindowParams::defaults();
        wp.neighbours = 1;
        for (int64_t frame : {0, 5, 100000}) {
            const std::vector<float> out = frameAudioWindows(empty, frame, Rational(30000, 1001), mp, wp, 0);
            QCOMPARE(out.size(), size_t(3 * 2 * 16));
            for (float v : out) QCOMPARE(v, melSilenceValue(mp));
        }
    }
    void audioShorterThanOneWindowIsPaddedNotStretched() {
        const MelParams mp = twoBands();
        const Mel mel = positionalMel(2, 5);  // 800 samples of audio: 5 columns
        QCOMPARE(melColumnCount(800, mp), int64_t(5));
        const std::vector<float> out = frameAudioWindows(mel, 0, Rational(25), mp, WindowParams::defaults(), 0);
        bool ok = true;
        QCOMPARE(checkWindow(out, 0, mel, 16, 0, melSilenceValue(mp), &ok), 11);
        QVERIFY(ok);
        // Frame 1 (column 3) still sees the last two columns; frame 2 (column 6) none.
        QCOMPARE(frameAudioWindows(mel, 1, Rational(25), mp, WindowParams::defaults(), 0)[1], 4.0f);
        for (float v : frameAudioWindows(mel, 2, Rational(25), mp, WindowParams::defaults(), 0))
            QCOMPARE(v, melSilenceValue(mp));
    }
    void realMelsOfEmptyAndShortAudioArePadded() {
        // End to end through melSpectrogram: no audio -> silence; 150 samples -> one real
        // column (the audio's) followed by 15 silent ones, in every band.
        const MelParams mp = MelParams::defaults();
        const float silence = melSilenceValue(mp);
        const Mel empty = melSpectrogram({}, mp);
        for (float v : frameAudioWindows(empty, 0, Rational(25), mp, WindowParams::defaults(), 0))
            QCOMPARE(v, silence);
        std::vector<float> pcm(150);
        for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = 0.3f * std::sin(0.2f * float(i));
        const Mel mel = melSpectrogram(pcm, mp);
        QCOMPARE(mel.n_cols, int64_t(1));
        const std::vector<float> w = frameAudioWindows(mel, 0, Rational(25), mp, WindowParams::defaults(), 0);
        for (int m = 0; m < 80; ++m) {
            QCOMPARE(w[size_t(m) * 16], mel.at(m, 0));
            for (int j = 1; j < 16; ++j) QCOMPARE(w[size_t(m) * 16 + j], silence);
        }
        QVERIFY(mel.at(10, 0) > silence);  // the sine is audible in the real column
    }
    void neighbourWindowsAreTheNeighboursOwnWindows() {
        const MelParams mp = twoBands();
        const Mel mel = positionalMel(2, 300);
        WindowParams one = WindowParams::defaults();
        WindowParams five = one;
        five.neighbours = 2;
        const std::vector<float> all = frameAudioWindows(mel, 1, Rational(24000, 1001), mp, five, 0);
        QCOMPARE(all.size(), size_t(5 * 2 * 16));
        for (int w = 0; w < 5; ++w) {
            const std::vector<float> single = frameAudioWindows(mel, 1 - 2 + w, Rational(24000, 1001), mp, one, 0);
            QVERIFY(std::equal(single.begin(), single.end(), all.begin() + w * 32));
        }
        // Frame -1 (before the video) starts at floor(-80 * 1001 / 24000) = -4: four silent
        // columns, then the audio's first columns; it is not frame 0's window repeated.
        QCOMPARE(windowStartColumn(-1, Rational(24000, 1001), mp, one, 0), int64_t(-4));
        bool ok = true;
        QCOMPARE(checkWindow(all, 0, mel, 16, -4, melSilenceValue(mp), &ok), 4);
        QVERIFY(ok);
    }
    void centreAnchorCentresOddAndEvenWindows() {
        const MelParams seed = MelParams::seed000();  // 50 columns/s
        WindowParams wp = WindowParams::seed000();    // 5 columns
        // 25 fps: frame i is at column 2i exactly; a 5-column window is [2i-2, 2i+2].
        for (int64_t i = 0; i < 50; ++i) QCOMPARE(windowStartColumn(i, Rational(25), seed, wp, 0), 2 * i - 2);
        // 16 columns at 80/s and 25 fps: frame 5 is column 16; centre 16 = s + 7.5 -> s = 8.5 -> 9.
        wp.cols = 16;
        QCOMPARE(windowStartColumn(5, Rational(25), MelParams::defaults(), wp, 0), int64_t(9));
        // Without centre padding, column c is centred on sample c*hop + n_fft/2.
        MelParams uncentred = seed;
        uncentred.centre = false;
        wp.cols = 5;
        QCOMPARE(windowStartColumn(10, Rational(25), uncentred, wp, 0),
                 windowStartColumn(10, Rational(25), seed, wp, 1024));
    }
    void rejectsInvalidArguments() {
        const MelParams mp = twoBands();
        const Mel mel = positionalMel(2, 10);
        QVERIFY_THROWS_EXCEPTION(Error, windowStartColumn(0, Rational(0, 1), mp, WindowParams::defaults(), 0));
        QVERIFY_THROWS_EXCEPTION(Error, windowStartColumn(0, Rational(-25, 1), mp, WindowParams::defaults(), 0));
        WindowParams bad = WindowParams::defaults();
        bad.cols = 0;
        QVERIFY_THROWS_EXCEPTION(Error, windowStartColumn(0, Rational(25), mp, bad, 0));
        bad = WindowParams::defaults();
        bad.neighbours = -1;
        QVERIFY_THROWS_EXCEPTION(Error, frameAudioWindows(mel, 0, Rational(25), mp, bad, 0));
        try {
            frameAudioWindows(mel, 0, Rational(25), MelParams::defaults(), WindowParams::defaults(), 0);
            QFAIL("band mismatch accepted");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(QString(e.what()).contains("80"));
        }
    }
};

QTEST_APPLESS_MAIN(TestAlign)
#include "test_align.moc"
