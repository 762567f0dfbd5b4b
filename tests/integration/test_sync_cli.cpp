// `redub-cli sync` and `dub --auto-offset` on a talking-face clip with its own speech
// (synthesized from a real photo), a copy of its speech shifted by a known offset, and the
// same face frozen.
#include "support/test_support.hpp"

#include <QDir>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace redub;

class TestSyncCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString clip_, frozen_;

    QString tmp(const QString& name) const { return dir_.filePath(name); }

    QJsonObject syncJson(const QStringList& args) {
        QString out, err;
        const int rc = test::runCli(QStringList{"--quiet", "sync"} + args + QStringList{"--json"}, &out, &err);
        if (rc != 0) qWarning("sync failed (%d): %s", rc, qPrintable(err));
        return QJsonDocument::fromJson(out.toUtf8()).object();
    }

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        clip_ = tmp("talk.mp4");
        QString err;
        QCOMPARE(test::runCli({"--quiet", "synth", "--face", test::kHopperPhoto.path, "--voice", "rms", "--text",
                               "Papa bought a big map, and we all sat down to look at the old harbour.", "--max-side",
                               "320", "-o", clip_},
                              nullptr, &err),
                 0);
        // The same face frozen on its first frame, with the same speech.
        frozen_ = tmp("frozen.mp4");
        QVERIFY(test::ffmpeg({"-i", clip_, "-filter_complex",
                              "[0:v]trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/25/TB[v]", "-map", "[v]", "-map",
                              "0:a", "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", frozen_}));
    }

    void aTalkingClipFollowsItsOwnSpeech() {
        const QJsonObject j = syncJson({"--video", clip_});
        QVERIFY2(j["r"].toDouble() > 0.5, qPrintable(QString::number(j["r"].toDouble())));
        QVERIFY2(std::abs(j["lag_ms"].toDouble()) <= 80, qPrintable(QString::number(j["lag_ms"].toDouble())));
        QVERIFY(j["seconds"].toArray().size() >= 3);
    }

    void aFrozenMouthScoresZero() {
        const QJsonObject j = syncJson({"--video", frozen_});
        QVERIFY2(std::abs(j["r"].toDouble()) < 0.2, qPrintable(QString::number(j["r"].toDouble())));  // codec noise only
    }

    void findsTheOffsetOfAShiftedTake() {
        for (int ms : {-240, 160}) {
            const QString take = tmp(QString("take%1.wav").arg(ms));
            // The clip's speech `ms` later (adelay) or earlier (cut), quieter.
            const QString filter = ms > 0 ? QString("adelay=%1,volume=0.5").arg(ms)
                                          : QString("atrim=start=%1,asetpts=N/SR/TB,volume=0.5").arg(-ms / 1000.0);
            QVERIFY(test::ffmpeg({"-i", clip_, "-vn", "-af", filter, "-ar", "16000", "-ac", "1", take}));
            const QJsonObject j = syncJson({"--video", clip_, "--audio", take});
            const QJsonObject a = j["alignment"].toObject();
            QCOMPARE(a["by"].toString(), QString("speech"));
            // Shifting the take by -ms lines it up again; within one frame (40 ms at 25 fps).
            QVERIFY2(std::abs(a["offset_ms"].toDouble() + ms) <= 40,
                     qPrintable(QString("%1 ms: %2").arg(ms).arg(a["offset_ms"].toDouble())));
            // Unaligned, the mouth follows the take at a lag near the shift.
            QVERIFY2(std::abs(j["lag_ms"].toDouble() + ms) <= 80 || std::abs(ms) > 400,
                     qPrintable(QString("lag %1 for a take %2 ms late").arg(j["lag_ms"].toDouble()).arg(ms)));
            // dub --auto-offset says and applies it (checked in its message).
            QString out, err;
            QCOMPARE(test::runCli({"dub", "--video", clip_, "--audio", take, "--auto-offset", "--model",
                                   QString::fromStdString(test::resource("models/default/model.safetensors").string()),
                                   "--preset", "ultrafast", "--range", "0-0.4", "-o", tmp("auto.mp4")},
                                  &out, &err),
                     0);
            QVERIFY2(err.contains("auto-offset"), qPrintable(err));
            QVERIFY(QFileInfo::exists(tmp("auto.mp4")));
            QFile::remove(tmp("auto.mp4"));
        }
    }

    void badInputIsAClearErrorNamingTheFile() {
        QString out, err;
        QCOMPARE(test::runCli({"sync", "--video", tmp("missing.mp4")}, &out, &err), 2);
        QVERIFY2(err.contains("missing.mp4"), qPrintable(err));
        // A video without speech and no --audio: nothing to measure against.
        const QString silent = tmp("silent.mp4");
        QVERIFY(test::ffmpeg({"-i", clip_, "-an", "-c:v", "copy", silent}));
        QCOMPARE(test::runCli({"sync", "--video", silent}, &out, &err), 2);
        QVERIFY2(err.contains("silent.mp4") && err.contains("--audio"), qPrintable(err));
        QCOMPARE(test::runCli({"dub", "--video", clip_, "--audio", clip_, "--auto-offset", "--offset-ms", "10", "-o",
                               tmp("x.mp4")},
                              &out, &err),
                 2);
        QVERIFY(!QFileInfo::exists(tmp("x.mp4")));
    }
};

QTEST_GUILESS_MAIN(TestSyncCli)
#include "test_sync_cli.moc"
