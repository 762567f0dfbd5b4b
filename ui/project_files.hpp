// The File menu's work: opening videos, speech and projects (dialogs, recent files),
// saving, and asking about unsaved changes. What cannot be opened or saved becomes
// failed(), with the file named.
#pragma once

#include <QObject>
#include <QStringList>

#include <functional>

class QWidget;

namespace redub::ui {

class Document;
class EditorActions;

class ProjectFiles : public QObject {
    Q_OBJECT
public:
    // Connects the File actions; dialogs open over `window`.
    ProjectFiles(Document* doc, EditorActions* actions, QWidget* window);

    // See MainWindow's functions of the same names. Return success.
    bool openPaths(const QStringList& paths);
    bool openProject(const QString& path);
    bool saveProjectAs(const QString& path);
    // Offers to save unsaved changes; false when the user cancels.
    bool maybeSave();

Q_SIGNALS:
    void failed(const QString& title, const QString& text);
    void message(const QString& text, int timeout_ms);

private:
    // Runs `action`; an exception becomes failed(`failure`, its text). Returns success.
    bool attempt(const QString& failure, const std::function<void()>& action);
    void saveAs();

    Document* doc_;
    EditorActions* actions_;
    QWidget* window_;
};

}  // namespace redub::ui
