// The editor's main window: menu bar, toolbar, the face preview (original |
// generated, or a wipe) with a transport bar, the timeline dock, the dub
// settings dock, the log dock and a status bar with job progress.
// Files are dropped on the window or opened from the File menu; every error is
// a dialog naming the problem, and the window keeps running.
#pragma once

#include "ui/document.hpp"

#include <QElapsedTimer>
#include <QImage>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace redub::core {
struct ModelGeometry;
}  // namespace redub::core

namespace redub::media {
class AudioPlayer;
struct AudioBuffer;
}  // namespace redub::media

namespace redub::ui {

class DubController;
class FrameServer;
class LogPanel;
class PreviewView;
class TimelinePanel;

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

    // Opens files as if they were dropped; errors become dialogs. Returns success.
    bool openPaths(const QStringList& paths);
    bool openProject(const QString& path);
    bool saveProjectAs(const QString& path);

    int64_t currentFrame() const { return frame_; }
    void seek(int64_t frame);
    bool isPlaying() const { return play_speed_ != 0; }
    // Signed playback speed: 1 forward with sound; 2, 4, 8 faster and -1..-8 backwards
    // (picture only); 0 paused.
    int playSpeed() const { return play_speed_; }
    void play(int speed = 1);
    void pause();
    // J (-1) and L (+1) like an NLE: play that way at 1x, or twice as fast (up to 8x)
    // when already playing that way; with K held down, step one frame instead.
    void shuttle(int direction);
    // K: pause; while it is held, J and L step single frames.
    void shuttleStop();
    void setWipeView(bool wipe);  // wipe or side by side

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
    void keyPressEvent(QKeyEvent*) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildToolBar();
    void buildCentral();
    void buildDocks();
    void buildStatusBar();
    void connectDocument();
    void restoreSettings();
    void saveSettings();

    void showError(const QString& title, const QString& text);
    void updateTitle();
    void updateActions();
    void updateFaces();
    void updateSettingsPanel();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    bool maybeSave();
    void onTick();
    void onFrameDecoded(qint64 frame, const QImage& img);
    void showGeneratedFor(int64_t frame);
    void onJobFinished(bool ok, bool cancelled, const QString& message, const QString& output);
    void openExportDialog();
    void importDiff2Lip();
    void onSpeakerLearned(const QString& model, const QString& summary);
    // Makes `model` the project's model and puts it first in the remembered model list.
    void useModel(const QString& model);
    void updateAudioBuffer();
    void markIn();
    void markOut();

    Document doc_;
    DubController* dub_ = nullptr;
    std::unique_ptr<FrameServer> frames_;
    std::unique_ptr<media::AudioPlayer> player_;
    std::shared_ptr<const media::AudioBuffer> shifted_audio_;
    int64_t shifted_for_offset_ = INT64_MIN;
    const void* shifted_from_ = nullptr;

    PreviewView* preview_ = nullptr;
    TimelinePanel* timeline_ = nullptr;
    LogPanel* log_ = nullptr;

    // transport
    int64_t frame_ = 0;
    int64_t shown_frame_ = -1;
    int play_speed_ = 0;
    bool k_held_ = false;  // K is down (J/L step frames); cleared by its key release
    int64_t play_start_frame_ = 0;
    QElapsedTimer play_clock_;
    QTimer play_timer_;
    Lane audio_lane_ = Lane::Speech;
    int64_t mark_in_ = -1;
    int64_t preview_frame_ = -1;  // the frame whose generated preview is shown
    QImage preview_mask_;         // its mask
    // Crop and mask geometry of the chosen model (for the mask outline drawn before a
    // preview); null when the model file cannot be read.
    std::shared_ptr<const core::ModelGeometry> mask_geometry_;
    std::string mask_geometry_for_;  // the model file it was read from

    // widgets
    QLabel* timecode_ = nullptr;
    QLabel* duration_ = nullptr;
    QLabel* speed_ = nullptr;
    QLabel* sync_here_ = nullptr;  // the lip-sync meter around the playhead
    void updateSyncHere();
    QSpinBox* frame_box_ = nullptr;
    QLabel* status_analysis_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* eta_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* audio_state_ = nullptr;
    QComboBox* model_box_ = nullptr;
    QSpinBox* steps_box_ = nullptr;
    QSpinBox* seed_box_ = nullptr;
    QComboBox* device_box_ = nullptr;
    QComboBox* policy_box_ = nullptr;
    QLabel* face_label_ = nullptr;
    QLabel* files_label_ = nullptr;
    QMenu* recent_menu_ = nullptr;

    // actions
    QAction *a_speech_text_ = nullptr, *a_from_photo_ = nullptr;
    bool media_job_ = false;  // the running job makes a file to load (speech from text, moving photo)
    QAction *a_new_, *a_open_, *a_add_speech_, *a_open_project_, *a_save_, *a_save_as_, *a_export_, *a_quit_;
    QAction *a_undo_, *a_redo_, *a_clear_ranges_, *a_auto_face_, *a_mark_in_, *a_mark_out_;
    QAction *a_play_, *a_prev_, *a_next_, *a_start_, *a_end_, *a_audio_speech_, *a_audio_source_;
    QAction *a_preview_, *a_generate_, *a_cancel_, *a_side_, *a_wipe_, *a_overlays_;
    QAction *a_model_default_, *a_model_import_, *a_learn_ = nullptr;
    QActionGroup* device_group_ = nullptr;
    QString last_error_;
    QString scratch_output_;  // the throw-away MP4 of generateAll()
};

}  // namespace redub::ui
