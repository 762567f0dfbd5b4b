// redub-cli track on the bundled real clip: summary, JSON and overlay MP4, and
// the errors a user sees for bad input.
#include "support/test_support.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestTrackCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesJsonAndOverlayForTheSampleClip() {
        QTemporaryDir dir;
        const QString json = dir.filePath("track.json"), overlay = dir.filePath("overlay.mp4");
        const QString clip = QString::fromStdString(redub::test::resource("sample/talking-face.mp4").string());
        QString out, err;
        const int rc = redub::test::runCli({"track", clip, "--json", json, "--overlay", overlay}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        QVERIFY(out.contains("coverage 100.0%") || out.contains("coverage 99."));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(j["coverage"].toDouble() >= 0.98);
        QVERIFY(j["jitter_smoothed_px"].toDouble() < j["jitter_raw_px"].toDouble());
        const QJsonArray frames = j["frames"].toArray();
        QCOMPARE(frames.size(), 138);
        const QJsonObject chosen = frames[70].toObject()["chosen"].toObject();
        QCOMPARE(chosen["landmarks"].toArray().size(), 68);
        QCOMPARE(frames[70].toObject()["faces"].toArray().size(), 1);
        QVERIFY(!QFile::exists(json + ".partial"));
        // The overlay is a real MP4 with every frame.
        QVERIFY(redub::test::ffmpeg({"-v", "error", "-i", overlay, "-f", "null", "-"}));
        QVERIFY(QFileInfo(overlay).size() > 10000);
    }

    void reportsBadInputByName() {
        QTemporaryDir dir;
        QString out, err;
        QVERIFY(redub::test::runCli({"track", dir.filePath("missing.mp4")}, &out, &err) > 1);
        QVERIFY2(err.contains("missing.mp4"), qPrintable(err));
        const QString clip = QString::fromStdString(redub::test::resource("sample/talking-face.mp4").string());
        QVERIFY(redub::test::runCli({"track", clip, "--choose", "left"}, &out, &err) > 0);
        QVERIFY2(err.contains("--choose"), qPrintable(err));
        QVERIFY(redub::test::runCli({"track", clip, "--json", dir.filePath("no/such/dir/t.json")}, &out, &err) > 1);
        QVERIFY2(err.contains("t.json"), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestTrackCli)
#include "test_track_cli.moc"
