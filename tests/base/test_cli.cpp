#include "support/test_support.hpp"

#include <QtTest>

using redub::test::runCli;

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionPrintsProjectVersion() {
        QString out;
        QCOMPARE(runCli({"--version"}, &out), 0);
        QVERIFY2(out.startsWith("redub-cli 0."), qPrintable(out));
    }
    void helpListsCommands() {
        QString out;
        QCOMPARE(runCli({"--help"}, &out), 0);
        QVERIFY(out.contains("info"));
        QVERIFY(out.contains("bench"));
    }
    void unknownCommandIsUsageError() {
        QString err;
        QCOMPARE(runCli({"frobnicate"}, nullptr, &err), 1);
        QVERIFY(err.contains("unknown command 'frobnicate'"));
    }
    void infoFindsLandmarkModelAndLibraries() {
        QString out;
        QCOMPARE(runCli({"info"}, &out), 0);
        QVERIFY2(out.contains("libavcodec") && out.contains("LibTorch"), qPrintable(out));
        QVERIFY2(out.contains("shape_predictor_68_face_landmarks.dat"), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
