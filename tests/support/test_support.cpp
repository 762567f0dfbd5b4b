#include "support/test_support.hpp"

#include <QProcess>
#include <QtTest>

namespace redub::test {

bool ffmpeg(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral("ffmpeg"), QStringList{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"} + args);
    if (!p.waitForFinished(300000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("ffmpeg %s failed: %s", qPrintable(args.join(' ')), p.readAllStandardError().constData());
        return false;
    }
    return true;
}

int runCli(const QStringList& args, QString* out, QString* err, int timeout_ms) {
    QProcess p;
    p.start(qEnvironmentVariable("REDUB_CLI"), args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out) *out = QString::fromUtf8(p.readAllStandardOutput());
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

std::filesystem::path fixture(const QString& name) {
    return std::filesystem::path(qEnvironmentVariable("REDUB_TEST_FIXTURES").toStdString()) / name.toStdString();
}

std::filesystem::path resource(const QString& name) {
    return std::filesystem::path(qEnvironmentVariable("REDUB_DATA_DIR").toStdString()) / name.toStdString();
}

QString missingSystemFile(const SystemFile& f) {
    if (std::filesystem::exists(f.path)) return {};
    return QStringLiteral("%1 is missing: install the Debian package %2 (bash installer/install-deps.sh installs it)")
        .arg(QString::fromUtf8(f.path), QString::fromUtf8(f.package));
}

}  // namespace redub::test
