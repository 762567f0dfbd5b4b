#include "ui/project_files.hpp"

#include "ui/document.hpp"
#include "ui/editor_actions.hpp"
#include "ui/recent_files.hpp"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QWidget>

namespace redub::ui {
namespace {

QString mediaFilter() {
    return QObject::tr(
        "Media (*.mp4 *.mov *.mkv *.webm *.avi *.m4v *.wav *.mp3 *.m4a *.aac *.flac *.ogg *.opus);;"
        "All files (*)");
}

}  // namespace

ProjectFiles::ProjectFiles(Document* doc, EditorActions* actions, QWidget* window)
    : QObject(window), doc_(doc), actions_(actions), window_(window) {
    connect(actions->new_, &QAction::triggered, this, [this] {
        if (maybeSave()) doc_->newProject();
    });
    connect(actions->open_, &QAction::triggered, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(window_, tr("Open a video (and the new speech)"),
                                                                RecentFiles::lastFolder(), mediaFilter());
        if (!files.isEmpty()) openPaths(files);
    });
    connect(actions->add_speech_, &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getOpenFileName(window_, tr("Add the new speech (audio, or a video's audio)"),
                                                       RecentFiles::lastFolder(), mediaFilter());
        if (f.isEmpty()) return;
        attempt(tr("Cannot use this speech file"), [&] {
            doc_->setSpeech(f);
            RecentFiles::add(f);
        });
    });
    connect(actions->open_project_, &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getOpenFileName(window_, tr("Open project"), RecentFiles::lastFolder(),
                                                       tr("Redub project (*.redub);;All files (*)"));
        if (!f.isEmpty() && maybeSave()) openProject(f);
    });
    connect(actions->save_, &QAction::triggered, this, [this] {
        if (!doc_->projectFile().isEmpty())
            saveProjectAs(doc_->projectFile());
        else
            actions_->save_as_->trigger();
    });
    connect(actions->save_as_, &QAction::triggered, this, &ProjectFiles::saveAs);
    connect(new RecentFiles(actions->recent_menu_, this), &RecentFiles::chosen, this, [this](const QString& f) {
        if (f.endsWith(QStringLiteral(".redub")) ? maybeSave() && openProject(f) : openPaths({f})) return;
    });
}

bool ProjectFiles::attempt(const QString& failure, const std::function<void()>& action) {
    try {
        action();
        return true;
    } catch (const std::exception& e) {  // redub::Error names the file; anything else is still a dialog
        Q_EMIT failed(failure, QString::fromUtf8(e.what()));
        return false;
    }
}

bool ProjectFiles::openPaths(const QStringList& paths) {
    return attempt(tr("Cannot open this file"), [&] {
        doc_->openFiles(paths);
        for (const QString& p : paths) RecentFiles::add(p);
    });
}

bool ProjectFiles::openProject(const QString& path) {
    return attempt(tr("Cannot open the project"), [&] {
        doc_->loadProjectFile(path);
        RecentFiles::add(path);
    });
}

bool ProjectFiles::saveProjectAs(const QString& path) {
    return attempt(tr("Cannot save the project"), [&] {
        doc_->saveProjectFile(path);
        RecentFiles::add(path);
        Q_EMIT message(tr("Saved %1").arg(path), 4000);
    });
}

void ProjectFiles::saveAs() {
    QString proposal = doc_->projectFile();
    if (proposal.isEmpty() && !doc_->project().video_path.empty()) {
        const QFileInfo v(QString::fromStdString(doc_->project().video_path.string()));
        proposal = v.absoluteDir().filePath(v.completeBaseName() + QStringLiteral(".redub"));
    }
    QString f = QFileDialog::getSaveFileName(window_, tr("Save project"), proposal, tr("Redub project (*.redub)"));
    if (f.isEmpty()) return;
    if (!f.endsWith(QStringLiteral(".redub"))) f += QStringLiteral(".redub");
    saveProjectAs(f);
}

bool ProjectFiles::maybeSave() {
    if (!doc_->isModified() || !window_->isVisible() || QApplication::platformName() == "offscreen") return true;
    const auto r = QMessageBox::question(window_, tr("Unsaved changes"), tr("Save the changes to this project first?"),
                                         QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (r == QMessageBox::Cancel) return false;
    if (r == QMessageBox::Save) {
        actions_->save_->trigger();
        return !doc_->isModified();
    }
    return true;
}

}  // namespace redub::ui
