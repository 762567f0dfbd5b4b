// Length policy: how many frames the dub has and which source frame feeds each.
#include "core/audio/length_policy.hpp"
#include "redub/error.hpp"

#include <QtTest>

using namespace redub;
using namespace redub::core;

class TestLengthPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTripAndAcceptVariants() {
        for (auto p : {LengthPolicy::Trim, LengthPolicy::PadSilence, LengthPolicy::HoldLast, LengthPolicy::Loop,
                       LengthPolicy::PingPong})
            QCOMPARE(int(parseLengthPolicy(toString(p))), int(p));
        QCOMPARE(int(parseLengthPolicy("Ping_Pong")), int(LengthPolicy::PingPong));
        QCOMPARE(int(parseLengthPolicy("PAD-SILENCE")), int(LengthPolicy::PadSilence));
    }
    void unknownNameIsBadInputListingTheChoices() {
        try {
            parseLengthPolicy("stretch");
            QFAIL("no exception");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(QString(e.what()).contains("stretch"));
            QVERIFY(QString(e.what()).contains("ping-pong"));
        }
    }
    void speechFramesRoundUpExactly() {
        // 1 s at 30000/1001 fps = 29.97 frames -> 30; exactly 1001 frames' worth -> 1001.
        QCOMPARE(speechFrameCount(16000, 16000, Rational(30000, 1001)), int64_t(30));
        QCOMPARE(speechFrameCount(int64_t(1001) * 16000 * 1001 / 30000, 16000, Rational(30000, 1001)), int64_t(1001));
        QCOMPARE(speechFrameCount(int64_t(1001) * 16000 * 1001 / 30000 + 1, 16000, Rational(30000, 1001)),
                 int64_t(1002));
        QCOMPARE(speechFrameCount(0, 16000, Rational(25)), int64_t(0));
        QCOMPARE(speechFrameCount(1, 16000, Rational(25)), int64_t(1));
        QCOMPARE(speechFrameCount(640, 16000, Rational(25)), int64_t(1));
        QCOMPARE(speechFrameCount(641, 16000, Rational(25)), int64_t(2));
    }
    void outputCount_data() {
        QTest::addColumn<int>("policy");
        QTest::addColumn<qint64>("video");
        QTest::addColumn<qint64>("speechSamples");
        QTest::addColumn<qint64>("expected");
        // 25 fps, 16 kHz: one frame = 640 samples. Speech of 100 frames vs videos of 50/100/150.
        const qint64 s100 = 100 * 640;
        for (auto [p, shorter, longer] :
             {std::tuple{LengthPolicy::Trim, 50, 100}, std::tuple{LengthPolicy::PadSilence, 50, 150},
              std::tuple{LengthPolicy::HoldLast, 100, 150}, std::tuple{LengthPolicy::Loop, 100, 150},
              std::tuple{LengthPolicy::PingPong, 100, 150}}) {
            const QByteArray n(toString(p).data(), int(toString(p).size()));
            QTest::newRow(n + " video shorter") << int(p) << qint64(50) << s100 << qint64(shorter);
            QTest::newRow(n + " video longer") << int(p) << qint64(150) << s100 << qint64(longer);
            QTest::newRow(n + " equal") << int(p) << qint64(100) << s100 << qint64(100);
            QTest::newRow(n + " no video") << int(p) << qint64(0) << s100 << qint64(0);
        }
        QTest::newRow("trim, no speech") << int(LengthPolicy::Trim) << qint64(100) << qint64(0) << qint64(0);
        QTest::newRow("pad, no speech") << int(LengthPolicy::PadSilence) << qint64(100) << qint64(0) << qint64(100);
        QTest::newRow("ping-pong, no speech") << int(LengthPolicy::PingPong) << qint64(100) << qint64(0) << qint64(100);
    }
    void outputCount() {
        QFETCH(int, policy);
        QFETCH(qint64, video);
        QFETCH(qint64, speechSamples);
        QFETCH(qint64, expected);
        QCOMPARE(outputFrameCount(video, Rational(25), speechSamples, 16000, LengthPolicy(policy)), int64_t(expected));
    }
    void sourceFramesFollowThePolicy() {
        const int n = 4;
        const std::vector<int64_t> hold = {0, 1, 2, 3, 3, 3, 3, 3, 3, 3};
        const std::vector<int64_t> loop = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1};
        const std::vector<int64_t> pingpong = {0, 1, 2, 3, 2, 1, 0, 1, 2, 3};
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(sourceFrameFor(i, n, LengthPolicy::HoldLast), hold[i]);
            QCOMPARE(sourceFrameFor(i, n, LengthPolicy::Loop), loop[i]);
            QCOMPARE(sourceFrameFor(i, n, LengthPolicy::PingPong), pingpong[i]);
        }
        for (int i = 0; i < n; ++i) {
            QCOMPARE(sourceFrameFor(i, n, LengthPolicy::Trim), int64_t(i));
            QCOMPARE(sourceFrameFor(i, n, LengthPolicy::PadSilence), int64_t(i));
        }
    }
    void pingPongOfOneFrameHoldsIt() {
        for (int i = 0; i < 5; ++i) QCOMPARE(sourceFrameFor(i, 1, LengthPolicy::PingPong), int64_t(0));
    }
    void pingPongNeverJumps() {
        // Consecutive output frames differ by exactly one source frame: no jump cut.
        for (int64_t i = 1; i < 1000; ++i)
            QCOMPARE(std::abs(sourceFrameFor(i, 7, LengthPolicy::PingPong) -
                              sourceFrameFor(i - 1, 7, LengthPolicy::PingPong)),
                     int64_t(1));
    }
    void invalidRequestsThrowBadInput() {
        QVERIFY_THROWS_EXCEPTION(Error, sourceFrameFor(0, 0, LengthPolicy::Loop));
        QVERIFY_THROWS_EXCEPTION(Error, sourceFrameFor(-1, 5, LengthPolicy::Loop));
        QVERIFY_THROWS_EXCEPTION(Error, sourceFrameFor(5, 5, LengthPolicy::Trim));
        QVERIFY_THROWS_EXCEPTION(Error, outputFrameCount(-1, Rational(25), 0, 16000, LengthPolicy::Trim));
        QVERIFY_THROWS_EXCEPTION(Error, outputFrameCount(10, Rational(0), 0, 16000, LengthPolicy::Trim));
        QVERIFY_THROWS_EXCEPTION(Error, outputFrameCount(10, Rational(25), -5, 16000, LengthPolicy::Trim));
        QVERIFY_THROWS_EXCEPTION(Error, outputFrameCount(10, Rational(25), 5, 0, LengthPolicy::Trim));
    }
    void defaultKeepsAllSpeechAndAllVideo() {
        QVERIFY(kDefaultLengthPolicy == LengthPolicy::PingPong);
        QCOMPARE(outputFrameCount(50, Rational(25), 100 * 640, 16000, kDefaultLengthPolicy), int64_t(100));
        QCOMPARE(outputFrameCount(150, Rational(25), 100 * 640, 16000, kDefaultLengthPolicy), int64_t(150));
    }
};

QTEST_APPLESS_MAIN(TestLengthPolicy)
#include "test_length_policy.moc"
