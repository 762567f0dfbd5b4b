#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/job.hpp"
#include "redub/rational.hpp"
#include "redub/units.hpp"

#include <QtTest>

#include <filesystem>
#include <fstream>

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
    void partialFileKeepsTheOldFileUnlessCommitted() {
        namespace fs = std::filesystem;
        QTemporaryDir dir;
        const fs::path target = fs::path(dir.path().toStdString()) / "out.bin";
        std::ofstream(target) << "old";
        {
            PartialFile f(target);
            std::ofstream(f.partial()) << "half";
        }  // an error or a cancel: not committed
        QVERIFY(!fs::exists(fs::path(target).concat(".partial")));
        QCOMPARE(fs::file_size(target), uintmax_t(3));
        {
            PartialFile f(target);
            std::ofstream(f.partial()) << "new!!";
            f.commit();
        }
        QCOMPARE(fs::file_size(target), uintmax_t(5));
        // A write that throws leaves the old file too.
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 writeFileAtomically(target, [](std::ostream& o) { o << "x"; throw std::runtime_error("no"); }));
        QCOMPARE(fs::file_size(target), uintmax_t(5));
        QVERIFY(!fs::exists(fs::path(target).concat(".partial")));
    }
    void scratchPathsAreRemovedWhateverHappens() {
        namespace fs = std::filesystem;
        QTemporaryDir dir;
        const fs::path base(dir.path().toStdString());
        try {
            ScratchPaths scratch{base / "a.wav"};
            std::ofstream(scratch.add(base / "b.mp4")) << "b";
            std::ofstream(base / "a.wav") << "a";
            fs::create_directories(scratch.add(base / "measure") / "deep");
            throw std::runtime_error("the job failed");
        } catch (const std::runtime_error&) {
        }
        QVERIFY(!fs::exists(base / "a.wav") && !fs::exists(base / "b.mp4") && !fs::exists(base / "measure"));
    }
    void timeAndSampleConversionsAgree() {
        QCOMPARE(samplesFromMs(120.0, 16000), int64_t(1920));
        QCOMPARE(samplesFromMs(-0.03125, 16000), int64_t(-1));  // rounds to the nearest sample
        QCOMPARE(samplesFromSeconds(1.5, 48000), int64_t(72000));
        QCOMPARE(msFromSamples(1920, 16000), 120.0);
        QCOMPARE(rescaleSamples(-44101, 44100, 16000), int64_t(-16000));  // toward zero, as the project file
    }
};

QTEST_GUILESS_MAIN(TestBase)
#include "test_base.moc"
