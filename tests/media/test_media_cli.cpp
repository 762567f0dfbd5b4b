// redub-cli probe: text and JSON output, exit codes for bad input.
#include "media_test_util.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace redub::test::media;
using redub::test::ffmpeg;
using redub::test::runCli;

class TestMediaCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void probeJsonDescribesTheStreams() {
        const auto file = path(dir_, "clip.mp4");
        QVERIFY(ffmpeg(numberedInput(64, 48, "30000/1001") + QStringList{"-f", "lavfi", "-i",
                                                                         "sine=sample_rate=44100:duration=1", "-t", "1",
                                                                         "-c:v", "libx264", "-c:a", "aac", q(file)}));
        QString out, err;
        QCOMPARE(runCli({"probe", q(file), "--json"}, &out, &err), 0);
        const QJsonObject j = QJsonDocument::fromJson(out.toUtf8()).object();
        QVERIFY2(!j.isEmpty(), qPrintable(out + err));
        const QJsonObject v = j["video"].toObject();
        QCOMPARE(v["width"].toInt(), 64);
        QCOMPARE(v["nominal_frame_rate"].toObject()["num"].toInt(), 30000);
        QCOMPARE(v["nominal_frame_rate"].toObject()["den"].toInt(), 1001);
        QCOMPARE(v["frame_count"].toInt(), 30);
        QCOMPARE(j["audio"].toObject()["sample_rate"].toInt(), 44100);
    }

    void probeTextNamesCodecAndRate() {
        const auto file = path(dir_, "clip.webm");
        QVERIFY(ffmpeg(numberedInput(64, 48, "25") + QStringList{"-frames:v", "10", "-c:v", "libvpx-vp9", q(file)}));
        QString out;
        QCOMPARE(runCli({"probe", q(file)}, &out), 0);
        QVERIFY2(out.contains("vp9") && out.contains("25/1 (25.000 fps)") && out.contains("10 frames (exact)"),
                 qPrintable(out));
        QVERIFY(out.contains("audio:      none"));
    }

    void probeOfMissingFileIsBadInputExitCode() {
        QString err;
        QCOMPARE(runCli({"probe", "/no/such/clip.mp4"}, nullptr, &err), 2);
        QVERIFY2(err.contains("/no/such/clip.mp4: file not found"), qPrintable(err));
    }

    void probeWithoutFileIsAnError() {
        QString err;
        QCOMPARE(runCli({"probe"}, nullptr, &err), 2);
        QVERIFY2(err.contains("exactly one FILE"), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestMediaCli)
#include "test_media_cli.moc"
