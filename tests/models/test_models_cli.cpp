// redub-cli model import / info / run-step / init, end to end through the real binary.
#include "models/safetensors.hpp"
#include "support/test_support.hpp"

#include <QtTest>

#include <cmath>

using redub::test::runCli;

namespace {
const QString kDir = QStringLiteral(REDUB_MODEL_FIXTURES);
QString tmp(const char* name) { return QDir::temp().filePath(name); }
}  // namespace

class TestModelsCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void importInfoAndRunStepReproduceTheReference() {
        const QString m = tmp("redub_cli_d2l.safetensors"), out = tmp("redub_cli_eps.safetensors");
        QString o, e;
        QCOMPARE(runCli({"model", "import", kDir + "/diff2lip_small.pt", "--config", kDir + "/diff2lip_small.json", "-o", m},
                        &o, &e),
                 0);
        QVERIFY2(o.contains("447846 parameters") && o.contains("CC-BY-NC-4.0"), qPrintable(o + e));
        QCOMPARE(runCli({"model", "info", m}, &o, &e), 0);
        QVERIFY2(o.contains("family:      diff2lip") && o.contains("GFLOP per frame per step"), qPrintable(o + e));
        QCOMPARE(runCli({"model", "run-step", m, "--inputs", kDir + "/forward.safetensors", "-o", out}, &o, &e), 0);
        const auto ref = redub::models::readSafetensors((kDir + "/forward.safetensors").toStdString()).tensors.at("eps");
        const auto got = redub::models::readSafetensors(out.toStdString()).tensors.at("eps");
        QVERIFY(got.shape == ref.shape);
        double num = 0, den = 0;
        for (size_t i = 0; i < ref.data.size(); ++i) {
            num += std::pow(got.data[i] - ref.data[i], 2);
            den += std::pow(ref.data[i], 2);
        }
        QVERIFY2(std::sqrt(num / den) < 1e-4, qPrintable(QString::number(std::sqrt(num / den))));
        QFile::remove(m);
        QFile::remove(out);
    }
    void initWritesALoadableModel() {
        const QString m = tmp("redub_cli_small.safetensors");
        QString o, e;
        QCOMPARE(runCli({"model", "init", "--preset", "redub-small", "-o", m}, &o, &e), 0);
        QCOMPARE(runCli({"model", "info", m, "--json"}, &o, &e), 0);
        const auto j = QJsonDocument::fromJson(o.toUtf8()).object();
        QCOMPARE(j["family"].toString(), QString("redub-a"));
        QVERIFY(j["parameters"].toDouble() > 5e5);
        QFile::remove(m);
    }
    void badModelFilesFailWithTheirName() {
        const QString bad = tmp("redub_cli_bad.pt");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a checkpoint at all, just text padding it out to some length");
        f.close();
        QString o, e;
        QVERIFY(runCli({"model", "import", bad, "-o", tmp("redub_cli_x.safetensors")}, &o, &e) != 0);
        QVERIFY2(e.contains(bad) && e.contains("not a readable PyTorch checkpoint"), qPrintable(e));
        QVERIFY(!QFile::exists(tmp("redub_cli_x.safetensors")));
        QVERIFY(runCli({"model", "info", bad + ".missing"}, &o, &e) != 0);
        QVERIFY2(e.contains("not found"), qPrintable(e));
        QFile::remove(bad);
    }
};

QTEST_GUILESS_MAIN(TestModelsCli)
#include "test_models_cli.moc"
