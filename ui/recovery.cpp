#include "ui/recovery.hpp"

#include "core/project/project.hpp"
#include "redub/log.hpp"
#include "ui/document.hpp"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <csignal>
#include <cerrno>

namespace redub::ui {
namespace {

QString appData() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation); }

bool running(qint64 pid) { return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM); }

QString metaFor(const QString& recovery_file) {
    return recovery_file.left(recovery_file.size() - int(qstrlen(".redub"))) + QStringLiteral(".json");
}

}  // namespace

Recovery::Recovery(Document* doc, QObject* parent) : QObject(parent), doc_(doc) {
    bool ok = false;
    const int ms = qEnvironmentVariableIntValue("REDUB_AUTOSAVE_MS", &ok);
    timer_.setInterval(ok && ms > 0 ? ms : 30000);
    connect(&timer_, &QTimer::timeout, this, &Recovery::autosaveNow);
    timer_.start();
    // Saved (clean) or a fresh project: nothing to recover; a project file: lock it.
    connect(doc_, &Document::modifiedChanged, this, [this](bool modified) {
        if (!modified) removeSessionFiles();
        lockProject();
    });
    connect(doc_, &Document::projectReset, this, &Recovery::lockProject);
}

Recovery::~Recovery() { removeSessionFiles(); }

QString Recovery::folder() { return appData() + QStringLiteral("/recovery"); }

QString Recovery::sessionFile() const {
    return folder() + QStringLiteral("/session-%1.redub").arg(QCoreApplication::applicationPid());
}

void Recovery::autosaveNow() {
    if (!doc_->isModified() || (doc_->project().video_path.empty() && doc_->project().speech_path.empty())) {
        removeSessionFiles();
        return;
    }
    try {
        QDir().mkpath(folder());
        core::saveProject(doc_->project(), sessionFile().toStdString());  // atomic: whole or not at all
        QFile meta(metaFor(sessionFile()));
        if (meta.open(QIODevice::WriteOnly | QIODevice::Truncate))
            meta.write(QJsonDocument(QJsonObject{{"project_file", doc_->projectFile()},
                                                 {"pid", QCoreApplication::applicationPid()},
                                                 {"saved", QDateTime::currentDateTime().toString(Qt::ISODate)}})
                           .toJson());
    } catch (const std::exception& e) {  // autosave must never disturb the editing
        log::ui()->warn("autosave to {} failed: {}", sessionFile().toStdString(), e.what());
    }
}

void Recovery::removeSessionFiles() const {
    QFile::remove(sessionFile());
    QFile::remove(metaFor(sessionFile()));
}

QList<Recovery::Entry> Recovery::orphaned() const {
    QList<Entry> out;
    const QDir dir(folder());
    for (const QString& name : dir.entryList({QStringLiteral("session-*.redub")}, QDir::Files)) {
        Entry e;
        e.recovery_file = dir.filePath(name);
        QFile meta(metaFor(e.recovery_file));
        if (meta.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
            e.project_file = o.value("project_file").toString();
            e.pid = qint64(o.value("pid").toDouble());
            e.saved = QDateTime::fromString(o.value("saved").toString(), Qt::ISODate);
        }
        if (!e.saved.isValid()) e.saved = QFileInfo(e.recovery_file).lastModified();
        if (e.pid == QCoreApplication::applicationPid() || running(e.pid)) continue;
        out << e;
    }
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.saved > b.saved; });
    return out;
}

void Recovery::recover(const Entry& entry) {
    doc_->recoverProject(entry.recovery_file, entry.project_file);
    discard(entry);
    autosaveNow();  // this editor now holds the unsaved work
}

void Recovery::discard(const Entry& entry) {
    QFile::remove(entry.recovery_file);
    QFile::remove(metaFor(entry.recovery_file));
}

void Recovery::lockProject() {
    const QString path = doc_->projectFile().isEmpty() ? QString() : QFileInfo(doc_->projectFile()).absoluteFilePath();
    if (path == locked_path_) return;
    lock_.reset();
    locked_path_ = path;
    if (path.isEmpty()) return;
    const QString locks = appData() + QStringLiteral("/locks");
    QDir().mkpath(locks);
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha1).toHex());
    lock_ = std::make_unique<QLockFile>(locks + QLatin1Char('/') + hash + QStringLiteral(".lock"));
    lock_->setStaleLockTime(0);  // only a dead owner makes it stale
    if (lock_->tryLock(0)) return;
    qint64 pid = 0;
    QString host, app;
    lock_->getLockInfo(&pid, &host, &app);
    lock_.reset();
    log::ui()->warn("{} is open in another Redub (pid {})", path.toStdString(), pid);
    Q_EMIT openElsewhere(path, pid);
}

}  // namespace redub::ui
