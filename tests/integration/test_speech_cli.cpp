// Speech from text and photo to talking video through the CLI: `voices`, `say`,
// `dub --text`, `animate` (the bundled model, a real photo), and their bad inputs.
#include "core/sync_meter.hpp"
#include "media/probe.hpp"
#include "support/test_support.hpp"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace redub;

class TestSpeechCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString tmp(const QString& name) const { return dir_.filePath(name); }
    static QString sample(const char* name) { return QString::fromStdString(test::resource(name).string()); }

    // Exit code 2, a message containing `what`, and no output file nor temporary left.
    void expectBadInput(const QStringList& args, const QString& out, const QString& what) {
        QString so, err;
        QCOMPARE(test::runCli(args, &so, &err), 2);
        QVERIFY2(err.contains(what), qPrintable(err));
        QVERIFY2(!QFileInfo::exists(out), qPrintable(out));
        QVERIFY2(QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).filter(".partial").isEmpty() &&
                     QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).filter(".speech.wav").isEmpty(),
                 qPrintable(QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).join(", ")));
    }

private Q_SLOTS:
    void listsTheOfflineVoices() {
        QString out;
        QCOMPARE(test::runCli({"voices", "--json"}, &out), 0);
        const QJsonArray voices = QJsonDocument::fromJson(out.toUtf8()).array();
        QStringList names;
        for (const auto& v : voices) names << v.toObject()["name"].toString();
        QCOMPARE(names, QStringList({"slt", "rms", "awb", "kal16"}));
    }

    void saysTextIntoAWavAtTheGivenRate() {
        QCOMPARE(test::runCli({"--quiet", "say", "--text", "Hello world, this is Redub.", "-o", tmp("a.wav")}), 0);
        QCOMPARE(test::runCli({"--quiet", "say", "--text", "Hello world, this is Redub.", "--rate", "1.6", "--voice",
                               "rms", "-o", tmp("b.wav")}),
                 0);
        const auto a = media::probe(tmp("a.wav").toStdString()), b = media::probe(tmp("b.wav").toStdString());
        QVERIFY(a.audio && b.audio);
        QVERIFY2(a.audio->duration_s > 1.0, qPrintable(QString::number(a.audio->duration_s)));
        QVERIFY2(b.audio->duration_s < 0.85 * a.audio->duration_s,
                 qPrintable(QString("%1 vs %2").arg(b.audio->duration_s).arg(a.audio->duration_s)));
    }

    void badTextAndVoicesAreClearErrorsAndWriteNothing() {
        const QString out = tmp("bad.wav");
        expectBadInput({"say", "--text", "   ", "-o", out}, out, "empty");
        expectBadInput({"say", "--text", QString::fromUtf8("Bonjour \xC3\xA0 tous"), "-o", out}, out, QString::fromUtf8("\xC3\xA0"));
        expectBadInput({"say", "--text", "Hello", "--voice", "nobody", "-o", out}, out, "nobody");
        expectBadInput({"say", "--text-file", tmp("missing.txt"), "-o", out}, out, "missing.txt");
        const QString mp4 = tmp("bad.mp4");
        expectBadInput({"dub", "--video", sample("sample/talking-face.mp4"), "--text", "", "-o", mp4}, mp4, "empty");
        expectBadInput({"dub", "--video", sample("sample/talking-face.mp4"), "--text", "Hi", "--voice", "zz", "-o", mp4},
                       mp4, "zz");
        expectBadInput({"dub", "--video", sample("sample/talking-face.mp4"), "-o", mp4}, mp4, "--audio");
        expectBadInput({"animate", "--photo", tmp("none.jpg"), "--text", "Hi", "-o", mp4}, mp4, "none.jpg");
        QVERIFY(test::ffmpeg({"-f", "lavfi", "-i", "color=c=gray:s=320x240", "-frames:v", "1", tmp("grey.png")}));
        expectBadInput({"animate", "--photo", tmp("grey.png"), "--text", "Hi there", "-o", mp4}, mp4, "no face");
        expectBadInput({"animate", "--photo", tmp("grey.png"), "--text", QString::fromUtf8("na\xC3\xAFve"), "-o", mp4},
                       mp4, "character");
    }

    void dubsTheSampleWithTypedText() {
        const QString out = tmp("hello.mp4");
        QString so, err;
        QCOMPARE(test::runCli({"dub", "--video", sample("sample/talking-face.mp4"), "--text", "Hello world", "--voice",
                               "slt", "--preset", "ultrafast", "-o", out},
                              &so, &err),
                 0);
        QVERIFY2(err.contains("spoken by slt"), qPrintable(err));
        const auto info = media::probe(out.toStdString());
        QVERIFY(info.video && info.audio);
        QVERIFY(info.video->frame_count > 20);
        QVERIFY(QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).filter(".speech.wav").isEmpty());
    }

    void animatesAPhotoWithHeadMotionBlinksAndAMouthThatFollowsTheSpeech() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        const QString out = tmp("talking.mp4");
        QString so, err;
        QCOMPARE(test::runCli({"--quiet", "animate", "--photo", test::kHopperPhoto.path, "--text",
                               "Papa bought a big map, and we all sat down to look at the old harbour by the sea.",
                               "--voice", "rms", "--max-side", "320", "--fps", "25", "-o", out},
                              &so, &err),
                 0);
        const auto info = media::probe(out.toStdString());
        QVERIFY(info.video && info.audio);
        QVERIFY(std::abs(info.video->duration_s - info.audio->duration_s) < 0.2);
        // The face as the meter sees it: head motion, blinks, mouth against the speech.
        const core::VideoMeasure m = core::measureVideo(out.toStdString());
        std::vector<double> nose_x, eye;
        for (const auto& lm : m.landmarks) {
            if (!lm) continue;
            nose_x.push_back((*lm)[30].x);
            const double io = std::hypot((*lm)[45].x - (*lm)[36].x, (*lm)[45].y - (*lm)[36].y);
            eye.push_back(((*lm)[41].y - (*lm)[37].y + (*lm)[40].y - (*lm)[38].y) / (2 * io));
        }
        QVERIFY(nose_x.size() > 0.9 * m.opening.size());
        const auto [lo, hi] = std::minmax_element(nose_x.begin(), nose_x.end());
        QVERIFY2(*hi - *lo > 1.0, qPrintable(QString("nose moved %1 px").arg(*hi - *lo)));  // not frozen
        // A blink: the eyes close markedly below their usual openness and open again (the clip
        // is ~5 s; the renderer blinks every 1.8-5 s, the first within 2 s).
        std::vector<double> sorted = eye;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        const size_t shut = size_t(std::min_element(eye.begin(), eye.end()) - eye.begin());
        const bool reopens = std::any_of(eye.begin() + long(shut), eye.end(), [&](double e) { return e > 0.9 * median; });
        QVERIFY2(eye[shut] < 0.75 * median && reopens,
                 qPrintable(QString("eye openness min %1 at frame %2, median %3").arg(eye[shut]).arg(shut).arg(median)));
        const auto r = core::syncScore(m, core::loadSpeech16k(out.toStdString()), 0, 120);
        QVERIFY2(r.r > 0.3, qPrintable(QString("r %1").arg(r.r)));
    }
};

QTEST_GUILESS_MAIN(TestSpeechCli)
#include "test_speech_cli.moc"
