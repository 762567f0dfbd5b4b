#include "redub/error.hpp"
#include "redub/job.hpp"
#include "redub/rational.hpp"

#include <QtTest>

using namespace redub;

class TestBase : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rationalNormalisesSignAndGcd() {
        Rational r(60000, -2002);
        QCOMPARE(r.num, -30000);
        QCOMPARE(r.den, 1001);
        QVERIFY(Rational(30000, 1001) == Rational(60000, 2002));
        QVERIFY(!Rational(1, 0).valid());
    }
    void mulDivFloorIsExactForLongClips() {
        // 10 hours of 29.97 fps frames mapped to 16 kHz samples: k * 16000 * 1001 / 30000.
        const int64_t k = 1078920;
        QCOMPARE(mulDivFloor(k, 16000LL * 1001, 30000), int64_t(575999424));  // 35999.964 s
        QCOMPARE(mulDivFloor(-1, 1, 2), int64_t(-1));  // floors toward -inf
        QCOMPARE(mulDivFloor(INT64_MAX / 2, 4, 4), INT64_MAX / 2);
    }
    void errorsCarryKindAndDistinctExitCodes() {
        try {
            fail(ErrorKind::BadInput, std::filesystem::path("/x/clip.mp4"), "no video stream");
            QFAIL("fail() returned");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QCOMPARE(QString(e.what()), QString("/x/clip.mp4: no video stream"));
        }
        QSet<int> codes;
        for (auto k : {ErrorKind::BadInput, ErrorKind::Unsupported, ErrorKind::Io, ErrorKind::Model,
                       ErrorKind::Cancelled, ErrorKind::Internal})
            codes.insert(exitCode(k));
        QCOMPARE(codes.size(), 6);
        QVERIFY(!codes.contains(0) && !codes.contains(1));
    }
    void cancelTokenThrowsCancelled() {
        std::stop_source src;
        throwIfCancelled(src.get_token());  // not requested: no throw
        src.request_stop();
        try {
            throwIfCancelled(src.get_token());
            QFAIL("no throw");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::Cancelled);
        }
    }
};

QTEST_GUILESS_MAIN(TestBase)
#include "test_base.moc"
