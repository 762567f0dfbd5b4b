// `redub-cli batch JOBS.json`: every job runs, a failure does not stop the others, finished
// outputs are skipped on a rerun, --only runs one job, a cancel leaves no output, and a bad
// jobs file is refused before any job runs (the bundled sample and model).
#include "media/probe.hpp"
#include "support/test_support.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace redub;

class TestBatchCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString tmp(const QString& name) const { return dir_.filePath(name); }
    static QString sample(const char* name) { return QString::fromStdString(test::resource(name).string()); }

    // A short job on the bundled sample: one second re-synced, two sampler steps.
    QJsonObject shortJob(const QString& output) const {
        return {{"video", sample("sample/talking-face.mp4")}, {"audio", sample("sample/new-speech.wav")},
                {"output", output}, {"steps", 2}, {"range", QJsonArray{"0-1"}}};
    }
    QString writeJobs(const QString& name, const QJsonValue& jobs) const {
        QFile f(tmp(name));
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(QJsonDocument(QJsonObject{{"jobs", jobs}}).toJson());
        return f.fileName();
    }
    // The JSON lines of a --json-progress run that are not progress: results and the summary.
    static QList<QJsonObject> results(const QString& out) {
        QList<QJsonObject> r;
        for (const auto& line : out.split('\n', Qt::SkipEmptyParts)) {
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
            if (!o.contains("stage")) r << o;
        }
        return r;
    }
    static int frames(const QString& path) {
        const auto info = media::probe(path.toStdString());
        return info.video ? int(info.video->frame_count) : 0;
    }
    QStringList leftovers(const QString& folder) const {
        QStringList names = QDir(folder).entryList(QDir::Files | QDir::Hidden);
        return names.filter(".partial") + names.filter(".speech.wav");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void runsEveryJobAndAFailureDoesNotStopTheOthers() {
        // Relative outputs land beside the jobs file; the folder out/ is made.
        const QString jobs = writeJobs("jobs.json", QJsonArray{shortJob("out/a.mp4"),
                                                               QJsonObject{{"video", tmp("missing.mp4")},
                                                                           {"audio", sample("sample/new-speech.wav")},
                                                                           {"output", "out/b.mp4"}},
                                                               shortJob("out/c.mp4")});
        QString out, err;
        QCOMPARE(test::runCli({"batch", jobs, "--json-progress"}, &out, &err), 1);  // one job failed
        const auto r = results(out);
        QCOMPARE(r.size(), 4);
        QCOMPARE(r[0]["status"].toString(), QString("done"));
        QCOMPARE(r[1]["status"].toString(), QString("failed"));
        QVERIFY2(r[1]["error"].toString().contains("missing.mp4"), qPrintable(r[1]["error"].toString()));
        QCOMPARE(r[2]["status"].toString(), QString("done"));
        QCOMPARE(r[3]["summary"].toObject()["failed"].toInt(), 1);
        QCOMPARE(frames(tmp("out/a.mp4")), 138);
        QCOMPARE(frames(tmp("out/c.mp4")), 138);
        QVERIFY(!QFileInfo::exists(tmp("out/b.mp4")));
        QVERIFY2(leftovers(tmp("out")).isEmpty(), qPrintable(leftovers(tmp("out")).join(", ")));

        // A rerun resumes: the finished outputs are skipped and left as they are.
        const QDateTime a_time = QFileInfo(tmp("out/a.mp4")).lastModified();
        QCOMPARE(test::runCli({"batch", jobs, "--json-progress"}, &out, &err), 1);
        const auto again = results(out);
        QCOMPARE(again[0]["status"].toString(), QString("skipped"));
        QCOMPARE(again[2]["status"].toString(), QString("skipped"));
        QCOMPARE(QFileInfo(tmp("out/a.mp4")).lastModified(), a_time);

        // --force dubs again; --count says how many jobs there are.
        QCOMPARE(test::runCli({"--quiet", "batch", jobs, "--only", "2", "--force"}, &out), 0);
        QVERIFY(out.contains("wrote"));
        QCOMPARE(test::runCli({"batch", jobs, "--count"}, &out), 0);
        QCOMPARE(out.trimmed(), QString("3"));
    }

    void onlyRunsTheOneJobItNames() {
        const QString jobs = writeJobs("only.json", QJsonArray{shortJob("only/a.mp4"), shortJob("only/b.mp4")});
        QString out, err;
        QCOMPARE(test::runCli({"--quiet", "batch", jobs, "--only", "1"}, &out, &err), 0);
        QVERIFY(!QFileInfo::exists(tmp("only/a.mp4")));
        QCOMPARE(frames(tmp("only/b.mp4")), 138);
        QCOMPARE(test::runCli({"batch", jobs, "--only", "2"}, &out, &err), 2);
        QVERIFY2(err.contains("--only") && err.contains("2 jobs"), qPrintable(err));
    }

    void aCancelledBatchLeavesNoOutputAndStartsNoFurtherJob() {
        // The first job is the whole sample at many steps; SIGTERM arrives while it generates.
        QJsonObject slow = shortJob("cancel/a.mp4");
        slow.remove("range");
        slow["steps"] = 50;
        const QString jobs = writeJobs("cancel.json", QJsonArray{slow, shortJob("cancel/b.mp4")});
        QProcess p;
        p.start(qEnvironmentVariable("REDUB_CLI"), {"batch", jobs, "--json-progress"});
        QVERIFY(p.waitForStarted());
        QByteArray seen;
        while (!seen.contains("\"generate\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            seen += p.readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"generate\""), seen.constData());
        p.terminate();  // SIGTERM, what scancel and kubectl delete send
        QVERIFY(p.waitForFinished(60000));
        seen += p.readAllStandardOutput();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(seen.contains("\"cancelled\""), seen.constData());
        QVERIFY(!QFileInfo::exists(tmp("cancel/a.mp4")));
        QVERIFY(!QFileInfo::exists(tmp("cancel/b.mp4")));
        QVERIFY2(leftovers(tmp("cancel")).isEmpty(), qPrintable(leftovers(tmp("cancel")).join(", ")));
    }

    void aBadJobsFileIsRefusedBeforeAnyJobRuns_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        const QByteArray good = QJsonDocument(shortJob(tmp("bad/never.mp4"))).toJson(QJsonDocument::Compact);
        QTest::newRow("not JSON") << QByteArray("{\"jobs\": [") << "not valid JSON";
        QTest::newRow("no jobs") << QByteArray("{\"jobs\": []}") << "holds no jobs";
        QTest::newRow("not a list") << QByteArray("{\"jobs\": 3}") << "list of jobs";
        QTest::newRow("unknown option") << "[" + good + ", {\"vidoe\": \"x.mp4\"}]" << "job 1: unknown option \"vidoe\"";
        QTest::newRow("flag not true") << "[" + good + ", {\"no-texture\": \"yes\"}]" << "is a flag";
        QTest::newRow("same output twice") << "[" + good + ", " + good + "]" << "jobs 0 and 1 both write";
        QTest::newRow("object value") << "[" + good + ", {\"steps\": {\"n\": 2}}]" << "must be a string, a number";
    }
    void aBadJobsFileIsRefusedBeforeAnyJobRuns() {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        QFile f(tmp("bad.json"));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        QString out, err;
        QCOMPARE(test::runCli({"batch", f.fileName()}, &out, &err), 2);
        QVERIFY2(err.contains("bad.json") && err.contains(message), qPrintable(err));
        QVERIFY(!QFileInfo::exists(tmp("bad/never.mp4")));
        QCOMPARE(test::runCli({"batch", tmp("nothing-here.json")}, &out, &err), 2);
        QVERIFY2(err.contains("nothing-here.json") && err.contains("does not exist"), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestBatchCli)
#include "test_batch_cli.moc"
