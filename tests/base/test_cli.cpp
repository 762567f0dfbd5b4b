#include "support/test_support.hpp"

#include <QDir>
#include <QFileInfo>
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
    void trainRefusesOutOfRangeAugmentationBeforeWritingAnything() {
        const QString out = QDir::temp().filePath("redub-test-cli-train.safetensors");
        QString err;
        QCOMPARE(runCli({"train", "--data", QDir::tempPath(), "--out", out, "--steps", "1", "--colour-jitter", "5"}, nullptr, &err), 2);
        QVERIFY2(err.contains("--colour-jitter"), qPrintable(err));
        QCOMPARE(runCli({"train", "--data", QDir::tempPath(), "--out", out, "--steps", "1", "--motion-dropout", "1.5"}, nullptr, &err), 2);
        QVERIFY2(err.contains("--motion-dropout"), qPrintable(err));
        QCOMPARE(runCli({"train", "--data", QDir::tempPath(), "--out", out, "--steps", "1", "--warp", "-1"}, nullptr, &err), 2);
        QVERIFY2(err.contains("--warp"), qPrintable(err));
        QCOMPARE(runCli({"train", "--data", QDir::tempPath(), "--out", out, "--steps", "1", "--context-swap", "2"}, nullptr, &err), 2);
        QVERIFY2(err.contains("--context-swap"), qPrintable(err));
        QCOMPARE(runCli({"train", "--data", QDir::tempPath(), "--out", out, "--steps", "1", "--context-swap", "0.8", "--context-shift", "0.3"}, nullptr, &err), 2);
        QVERIFY2(err.contains("--context-shift"), qPrintable(err));
        QVERIFY(!QFileInfo::exists(out));
    }

    void quietPrintsNoProgressButTheResult() {
        const QString out = QDir::temp().filePath("redub-test-cli-quiet.mp4");
        QString so, err;
        REDUB_REQUIRE_SYSTEM_FILE(redub::test::kHopperPhoto);
        const QStringList synth{"synth", "--face", redub::test::kHopperPhoto.path, "--text", "Hello there.", "-o", out};
        QCOMPARE(runCli(synth, &so, &err), 0);
        QVERIFY2(err.contains("frames"), qPrintable(err));  // progress without --quiet
        QCOMPARE(runCli(QStringList{"--quiet"} + synth, &so, &err), 0);
        QVERIFY2(err.trimmed().isEmpty(), qPrintable(err));
        QVERIFY2(so.contains("ground truth in"), qPrintable(so));
        QFile::remove(out);
        QFile::remove(QDir::temp().filePath("redub-test-cli-quiet.json"));
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
