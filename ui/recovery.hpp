// Never lose work: the open project is autosaved to a recovery file while it has unsaved
// changes; the file goes when the project is saved, closed or emptied, so one that outlives
// its editor (a crash, kill -9, power loss) is offered on the next start. A project file
// open in two editors is warned about (a lock file per project, QLockFile).
//   <app data>/recovery/session-<pid>.redub   the project (paths stored absolute-resolvable)
//   <app data>/recovery/session-<pid>.json    {"project_file": ..., "pid": ..., "saved": ...}
//   <app data>/locks/<hash of the project path>.lock
// The autosave interval is 30 s ($REDUB_AUTOSAVE_MS overrides it).
#pragma once

#include <QDateTime>
#include <QList>
#include <QLockFile>
#include <QObject>
#include <QTimer>

#include <memory>

namespace redub::ui {

class Document;

class Recovery : public QObject {
    Q_OBJECT
public:
    struct Entry {
        QString recovery_file;  // the autosaved project
        QString project_file;   // where it was saved by the user; empty = untitled
        QDateTime saved;
        qint64 pid = 0;         // the editor that wrote it (no longer running)
    };

    explicit Recovery(Document* doc, QObject* parent = nullptr);
    ~Recovery() override;  // a clean end: this editor's recovery file goes

    static QString folder();
    // Recovery files left by editors that are no longer running, newest first.
    QList<Entry> orphaned() const;
    // Loads the entry into the document (named as its project file, marked modified) and
    // removes its files; throws redub::Error naming the file when it cannot be read.
    void recover(const Entry& entry);
    static void discard(const Entry& entry);

    // Writes the recovery file now when the project has unsaved changes (else removes it).
    void autosaveNow();
    QString sessionFile() const;

Q_SIGNALS:
    // The project just opened or saved is open in another running editor.
    void openElsewhere(const QString& project_file, qint64 pid);

private:
    void removeSessionFiles() const;
    void lockProject();

    Document* doc_;
    QTimer timer_;
    std::unique_ptr<QLockFile> lock_;
    QString locked_path_;
};

}  // namespace redub::ui
