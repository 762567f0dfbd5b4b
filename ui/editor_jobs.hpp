// The jobs the window starts besides frame previews: the export, "Generate All", new
// speech from text, a moving still from a photo and learning the speaker. Decides
// where their files go and what their end shows: a status message, an error, or the
// export-finished and speaker-learned dialogs.
#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace redub::ui {

class Document;
class DubController;
class ModelList;

class EditorJobs : public QObject {
    Q_OBJECT
public:
    // Dialogs open over `window`.
    EditorJobs(Document* doc, DubController* dub, ModelList* models, QWidget* window);

    // See MainWindow's functions of the same names.
    void newSpeechFromText(const QString& text, const QString& voice, double rate);
    void newFromPhoto(const QString& photo);
    void learnSpeaker(int minutes);
    void exportTo(const QString& output);
    void generateAll();

Q_SIGNALS:
    void aboutToStart();  // a job that generates frames or trains starts: playback stops
    void message(const QString& text, int timeout_ms);
    void failed(const QString& title, const QString& text);

private:
    void onFinished(bool ok, bool cancelled, const QString& message, const QString& output);
    void onSpeakerLearned(const QString& model, const QString& summary, bool better);
    // Beside the project, else beside the video, else in the application's data folder.
    QString outputFolder() const;

    Document* doc_;
    DubController* dub_;
    ModelList* models_;
    QWidget* window_;
    bool media_job_ = false;  // the running job makes a file to load (speech from text, moving photo)
};

}  // namespace redub::ui
