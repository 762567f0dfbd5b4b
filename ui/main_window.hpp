// The editor's main window: a shell that puts the parts together. The face
// preview (original | generated, or a wipe) over the transport bar, the timeline
// dock, the dub settings dock, the log dock, the menus and toolbar
// (EditorActions) and a status bar with job progress. Playback is Transport's,
// face choice FacePicking's, jobs EditorJobs'. Files are dropped on the window or
// opened from the File menu; every error is a dialog naming the problem, and the
// window keeps running.
#pragma once

#include "ui/document.hpp"
#include "ui/model_list.hpp"

#include <QMainWindow>

#include <memory>

class QImage;
class QLabel;

namespace redub::ui {

class DubController;
class EditorActions;
class EditorJobs;
class FacePicking;
class FrameServer;
class GeneratedPreview;
class LogPanel;
class PreviewView;
class ProjectFiles;
class Recovery;
class SettingsPanel;
class TimelinePanel;
class Transport;
class TransportBar;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Document* document() { return &doc_; }
    DubController* dub() { return dub_; }
    PreviewView* preview() { return preview_; }
    TimelinePanel* timeline() { return timeline_; }
    LogPanel* logPanel() { return log_; }
    Recovery* recovery() { return recovery_; }

    // Offers the unsaved project an editor left behind when it did not close (a crash): a
    // non-blocking question, or, `without_asking`, the newest one is restored at once.
    void offerRecovery(bool without_asking = false);

    // Opens files as if they were dropped; errors become dialogs. Returns success.
    bool openPaths(const QStringList& paths);
    bool openProject(const QString& path);
    bool saveProjectAs(const QString& path);

    // Playback (see Transport).
    int64_t currentFrame() const;
    void seek(int64_t frame);
    bool isPlaying() const;
    int playSpeed() const;
    void play(int speed = 1);
    void pause();
    void setWipeView(bool wipe);  // wipe or side by side
    void setDraft(bool on);       // Generate > Draft Quality

    // Waits for background analysis and for the current frame to be displayed (screenshots, tests).
    void settle(int timeout_ms = 20000);

    // The last error shown (tests); dialogs are window-modal and non-blocking.
    QString lastError() const { return last_error_; }

    // "New Speech from Text": speaks `text` into a WAV beside the project (or the video) and
    // loads it as the new speech, like a dropped file (through the job machinery).
    void newSpeechFromText(const QString& text, const QString& voice, double rate);
    // "New from Photo": renders the photo as a moving still (head motion, blinks) as long as
    // the new speech (10 s without one) beside the photo and loads it as the video; exporting
    // then paints the mouth from the speech.
    void newFromPhoto(const QString& photo);
    // "Learn This Speaker": fine-tunes on the video's own speech into the speaker model beside
    // the project (or the video) in the background; the project then uses it. minutes <= 0:
    // asks in a dialog first.
    void learnSpeaker(int minutes = 0);

    // Starts "Preview frame" on the current frame.
    void previewCurrentFrame();
    // Starts the export to `output` with the project's settings (no dialog).
    void exportTo(const QString& output);
    // Generates the whole video (or the selected ranges) for viewing in the editor, without
    // keeping a file: frames appear in the preview as they come.
    void generateAll();

protected:
    void dragEnterEvent(QDragEnterEvent*) override;
    void dropEvent(QDropEvent*) override;
    void closeEvent(QCloseEvent*) override;

private:
    void connectActions();
    void buildCentral();
    void buildDocks();
    void buildStatusBar();
    void connectDocument();
    void restoreSettings();
    void saveSettings();

    void showError(const QString& title, const QString& text);
    void showMessage(const QString& text, int timeout_ms);
    void updateTitle();
    void updateActions();
    void updateSettings();  // the settings panel and the Model menu
    void onFrameChanged(int64_t frame);
    void onFrameDecoded(qint64 frame, const QImage& img);
    void openExportDialog();
    void updateSyncHere();
    void markIn();
    void markOut();

    Document doc_;
    ModelList models_{&doc_};
    DubController* dub_ = nullptr;
    EditorJobs* jobs_ = nullptr;
    Transport* transport_ = nullptr;
    std::unique_ptr<FrameServer> frames_;
    EditorActions* actions_ = nullptr;
    Recovery* recovery_ = nullptr;
    ProjectFiles* files_ = nullptr;

    PreviewView* preview_ = nullptr;
    FacePicking* faces_ = nullptr;
    GeneratedPreview* generated_ = nullptr;
    TransportBar* bar_ = nullptr;
    TimelinePanel* timeline_ = nullptr;
    SettingsPanel* settings_ = nullptr;
    LogPanel* log_ = nullptr;
    QLabel* status_analysis_ = nullptr;

    int64_t shown_frame_ = -1;
    int64_t mark_in_ = -1;
    QString last_error_;
};

}  // namespace redub::ui
