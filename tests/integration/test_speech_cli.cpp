// Speech from text and photo to talking video through the CLI: `voices`, `say`,
// `dub --text`, `animate` (the bundled model, a real photo), and their bad inputs.
#include "core/audio/sync_meter.hpp"
#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "support/test_support.hpp"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgproc.hpp>

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
        // flite's four (linked in) and, from the installer's packages, Festival HTS and eSpeak NG.
        QCOMPARE(names, QStringList({"slt", "hts-slt", "rms", "awb", "kal16", "espeak-us", "espeak-us-f", "espeak-gb"}));
    }

    void festivalAndEspeakVoicesSpeakAtTheGivenRate() {
        for (const QString voice : {"hts-slt", "espeak-us", "espeak-gb"}) {
            const QString a = tmp(voice + "-a.wav"), b = tmp(voice + "-b.wav");
            QCOMPARE(test::runCli({"--quiet", "say", "--text", "Hello world, this is Redub speaking.", "--voice", voice,
                                   "-o", a}),
                     0);
            QCOMPARE(test::runCli({"--quiet", "say", "--text", "Hello world, this is Redub speaking.", "--voice", voice,
                                   "--rate", "1.6", "-o", b}),
                     0);
            const auto pa = media::readAudio(a.toStdString(), 16000, 1), pb = media::readAudio(b.toStdString(), 16000, 1);
            const double da = double(pa.samples.size()) / 16000, db = double(pb.samples.size()) / 16000;
            QVERIFY2(da > 1.2 && da < 6, qPrintable(voice + QString(": %1 s").arg(da)));
            QVERIFY2(db < 0.85 * da, qPrintable(voice + QString(": %1 s at 1.6x vs %2 s").arg(db).arg(da)));
            double e = 0;
            for (float s : pa.samples) e += double(s) * s;
            QVERIFY2(std::sqrt(e / double(pa.samples.size())) > 0.01, qPrintable(voice + " is silent"));
        }
        // Text outside ASCII is refused by every voice, before any program runs.
        expectBadInput({"say", "--text", QString::fromUtf8("gr\xC3\xBC\xC3\x9F"), "--voice", "espeak-us", "-o", tmp("x.wav")},
                       tmp("x.wav"), "character");
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
        {  // a missing output folder is named as such (I/O, exit 4), not the hidden speech file
            QString so, err;
            QCOMPARE(test::runCli({"dub", "--video", sample("sample/talking-face.mp4"), "--text", "Hi there", "-o",
                                   tmp("nowhere/out.mp4")},
                                  &so, &err),
                     4);
            QVERIFY2(err.contains("nowhere/out.mp4") && err.contains("folder"), qPrintable(err));
        }
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
        // A blink from the picture, not the landmarks (dlib's eye points barely follow a
        // rendered blink): how much the eye boxes change from one frame to the next, against
        // how much the rest of the face does (head motion). A blink is a burst of change in
        // the eyes alone; the renderer blinks every 1.8-5 s, the first within 2 s.
        std::vector<double> nose_x, burst;
        media::VideoReader reader(out.toStdString());
        media::VideoFrame f;
        cv::Mat prev;
        for (size_t i = 0; reader.next(f) && i < m.landmarks.size(); ++i) {
            const auto& lm = m.landmarks[i];
            cv::Mat grey;
            cv::cvtColor(f.rgb, grey, cv::COLOR_RGB2GRAY);
            if (lm) nose_x.push_back((*lm)[30].x);
            if (lm && !prev.empty()) {
                auto change = [&](int first, int count) {
                    std::vector<cv::Point> pts;
                    for (int k = first; k < first + count; ++k) pts.emplace_back(cv::Point((*lm)[size_t(k)]));
                    cv::Rect box = cv::boundingRect(pts);
                    box = cv::Rect(box.x - 2, box.y - 4, box.width + 4, box.height + 8) & cv::Rect(0, 0, grey.cols, grey.rows);
                    cv::Mat d;
                    cv::absdiff(grey(box), prev(box), d);
                    return cv::mean(d)[0];
                };
                const double eyes = change(36, 12), face = change(27, 9) + 1.0;  // the nose: head motion only
                burst.push_back(eyes / face);
            }
            prev = grey;
        }
        QVERIFY(nose_x.size() > 0.9 * m.opening.size());
        const auto [lo, hi] = std::minmax_element(nose_x.begin(), nose_x.end());
        QVERIFY2(*hi - *lo > 1.0, qPrintable(QString("nose moved %1 px").arg(*hi - *lo)));  // not frozen
        std::vector<double> sorted = burst;
        std::sort(sorted.begin(), sorted.end());
        // A blink (~0.25 s) spans several frame pairs: the mean of the three largest changes
        // (measured 2.6x the median on Grace Hopper; a stray frame is diluted).
        const double median = sorted[sorted.size() / 2];
        const double peak = (sorted.end()[-1] + sorted.end()[-2] + sorted.end()[-3]) / 3;
        qInfo("eye change: top-3 mean %.3f, median %.3f", peak, median);
        QVERIFY2(peak > 2 * median, qPrintable(QString("eye change top-3 %1, median %2").arg(peak).arg(median)));
        const auto r = core::syncScore(m, core::loadSpeech16k(out.toStdString()), 0, 120);
        QVERIFY2(r.r > 0.3, qPrintable(QString("r %1").arg(r.r)));
    }
};

QTEST_GUILESS_MAIN(TestSpeechCli)
#include "test_speech_cli.moc"
