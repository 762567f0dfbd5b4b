#include "ui/main_window.hpp"

#include "media/audio_player.hpp"
#include "redub/log.hpp"
#include "ui/dub_controller.hpp"
#include "ui/editor_actions.hpp"
#include "ui/editor_jobs.hpp"
#include "ui/export_dialog.hpp"
#include "ui/face_picking.hpp"
#include "ui/frame_server.hpp"
#include "ui/generated_preview.hpp"
#include "ui/job_progress.hpp"
#include "ui/log_panel.hpp"
#include "ui/preview_view.hpp"
#include "ui/project_files.hpp"
#include "ui/recent_files.hpp"
#include "ui/recovery.hpp"
#include "ui/settings_panel.hpp"
#include "ui/speech_dialog.hpp"
#include "ui/theme.hpp"
#include "ui/timeline.hpp"
#include "ui/transport.hpp"
#include "ui/transport_bar.hpp"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace redub::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    resize(1440, 900);
    setDockNestingEnabled(true);

    dub_ = new DubController(&doc_, this);
    jobs_ = new EditorJobs(&doc_, dub_, &models_, this);
    transport_ = new Transport(&doc_, this);
    frames_ = std::make_unique<FrameServer>();
    actions_ = new EditorActions(this, doc_.undoStack());
    files_ = new ProjectFiles(&doc_, actions_, this);
    connect(files_, &ProjectFiles::failed, this, &MainWindow::showError);
    connect(files_, &ProjectFiles::message, this, &MainWindow::showMessage);
    recovery_ = new Recovery(&doc_, this);
    connect(recovery_, &Recovery::openElsewhere, this, [this](const QString& file, qint64 pid) {
        showError(tr("This project is open in another Redub"),
                  tr("%1 is also open in another Redub window (process %2). Saving in both overwrites one "
                     "with the other.")
                      .arg(file)
                      .arg(pid));
    });

    connectActions();
    buildCentral();
    buildDocks();
    buildStatusBar();
    connectDocument();
    restoreSettings();
    updateTitle();
    updateActions();
    updateSettings();

    const media::AudioPlayer& player = transport_->player();
    if (player.available())
        log::ui()->info("audio output: {}", player.deviceName());
    else
        log::ui()->info("no audio output ({}); playback is silent", player.unavailableReason());
    log::ui()->info("Redub {} ready: drop a video and the new speech on the window", log::version());
}

MainWindow::~MainWindow() = default;

// ---- construction -------------------------------------------------------------------

void MainWindow::connectActions() {
    EditorActions& a = *actions_;
    connect(a.speech_text_, &QAction::triggered, this, [this] {
        SpeechFromTextDialog dlg(this);
        if (dlg.exec() == QDialog::Accepted) newSpeechFromText(dlg.text(), dlg.voice(), dlg.rate());
    });
    connect(a.from_photo_, &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("A photo of the face to make talk"),
                                                       RecentFiles::lastFolder(),
                                                       tr("Photos (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff)"));
        if (!f.isEmpty()) newFromPhoto(f);
    });
    connect(a.export_, &QAction::triggered, this, &MainWindow::openExportDialog);
    connect(a.quit_, &QAction::triggered, this, &QWidget::close);
    connect(a.clear_ranges_, &QAction::triggered, this, [this] { doc_.requestClearRanges(); });
    connect(a.auto_face_, &QAction::triggered, this, [this] { doc_.requestFace(std::nullopt); });
    connect(a.mark_in_, &QAction::triggered, this, &MainWindow::markIn);
    connect(a.mark_out_, &QAction::triggered, this, &MainWindow::markOut);
    connect(a.play_, &QAction::triggered, this, [this] { isPlaying() ? pause() : play(1); });
    connect(a.back_, &QAction::triggered, transport_, [this] { transport_->shuttle(-1); });
    connect(a.stop_, &QAction::triggered, transport_, &Transport::shuttleStop);
    connect(a.forward_, &QAction::triggered, transport_, [this] { transport_->shuttle(1); });
    connect(a.prev_, &QAction::triggered, this, [this] {
        pause();
        seek(currentFrame() - 1);
    });
    connect(a.next_, &QAction::triggered, this, [this] {
        pause();
        seek(currentFrame() + 1);
    });
    connect(a.start_, &QAction::triggered, this, [this] { seek(0); });
    connect(a.end_, &QAction::triggered, this, [this] { seek(doc_.frameCount() - 1); });
    connect(a.audio_speech_, &QAction::triggered, transport_, [this] { transport_->setAudioLane(Lane::Speech); });
    connect(a.audio_source_, &QAction::triggered, transport_, [this] { transport_->setAudioLane(Lane::Source); });
    connect(a.preview_, &QAction::triggered, this, &MainWindow::previewCurrentFrame);
    connect(a.generate_, &QAction::triggered, this, &MainWindow::generateAll);
    connect(a.draft_, &QAction::toggled, this, [this](bool on) { generated_->setDraft(on); });
    connect(a.cancel_, &QAction::triggered, dub_, &DubController::cancel);
    connect(a.side_, &QAction::triggered, this, [this] { preview_->setMode(PreviewView::Mode::SideBySide); });
    connect(a.wipe_, &QAction::triggered, this, [this] { preview_->setMode(PreviewView::Mode::Wipe); });
    connect(a.overlays_, &QAction::toggled, this, [this](bool on) { preview_->setShowOverlays(on); });
    connect(a.fit_, &QAction::triggered, this, [this] { timeline_->view()->zoomToFit(); });
    connect(a.model_default_, &QAction::triggered, this, [this] {
        doc_.requestModel({});
        updateSettings();  // the action unchecks itself when the default was already chosen
    });
    connect(a.model_import_, &QAction::triggered, this, [this] {
        const QString problem = models_.importDiff2Lip(this);
        if (!problem.isEmpty()) showError(tr("Cannot import the checkpoint"), problem);
    });
    connect(a.learn_, &QAction::triggered, this, [this] { learnSpeaker(); });
    connect(a.devices_, &QActionGroup::triggered, this,
            [this](QAction* d) { doc_.requestDevice(d->data().toString().toStdString()); });
    connect(a.model_menu_, &QMenu::aboutToShow, this, &MainWindow::updateSettings);
}

void MainWindow::buildCentral() {
    auto* central = new QWidget(this);
    auto* v = new QVBoxLayout(central);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    preview_ = new PreviewView(central);
    v->addWidget(preview_, 1);
    const EditorActions& a = *actions_;
    bar_ = new TransportBar({a.start_, a.prev_, a.play_, a.next_, a.end_}, central);
    v->addWidget(bar_);
    setCentralWidget(central);

    faces_ = new FacePicking(&doc_, preview_, this);
    generated_ = new GeneratedPreview(&doc_, dub_, transport_, preview_, this);
    connect(generated_, &GeneratedPreview::noFace, this, [this](qint64 frame) {
        showError(tr("No face in this frame"),
                  tr("Frame %1: no face was found, so there is nothing to re-synchronise. The frame stays as it is "
                     "in the export.")
                      .arg(frame));
    });
    connect(faces_, &FacePicking::message, this, [this](const QString& m) { showMessage(m, 4000); });
    connect(bar_, &TransportBar::frameEntered, this, [this](qint64 f) { seek(f); });
    connect(transport_, &Transport::frameChanged, this, &MainWindow::onFrameChanged);
    connect(transport_, &Transport::speedChanged, this, [this](int speed) {
        actions_->play_->setIcon(glyphIcon(speed ? Glyph::Pause : Glyph::Play));
        bar_->setSpeed(speed);
    });
    connect(frames_.get(), &FrameServer::frameReady, this, &MainWindow::onFrameDecoded);
    connect(frames_.get(), &FrameServer::failed, this,
            [this](const QString& m) { log::ui()->error("{}", m.toStdString()); });
}

void MainWindow::buildDocks() {
    // Timeline (bottom, full width).
    timeline_ = new TimelinePanel(&doc_, this);
    auto* tl_dock = new QDockWidget(tr("Timeline"), this);
    tl_dock->setObjectName(QStringLiteral("timelineDock"));
    tl_dock->setWidget(timeline_);
    tl_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, tl_dock);
    connect(timeline_->view(), &TimelineView::seekRequested, this, [this](qint64 f) {
        pause();
        seek(f);
    });

    // Dub settings (right).
    settings_ = new SettingsPanel(&doc_, this);
    auto* set_dock = new QDockWidget(tr("Dub Settings"), this);
    set_dock->setObjectName(QStringLiteral("settingsDock"));
    set_dock->setWidget(settings_);
    set_dock->setMinimumWidth(260);
    addDockWidget(Qt::RightDockWidgetArea, set_dock);

    // Log (right, under the settings).
    log_ = new LogPanel(this);
    log_->setMinimumHeight(120);
    auto* log_dock = new QDockWidget(tr("Log"), this);
    log_dock->setObjectName(QStringLiteral("logDock"));
    log_dock->setWidget(log_);
    addDockWidget(Qt::RightDockWidgetArea, log_dock);
    splitDockWidget(set_dock, log_dock, Qt::Vertical);
    // Default proportions; applied once the window has its size (restoreState overrides them).
    QTimer::singleShot(0, this, [this, tl_dock, set_dock, log_dock] {
        if (QSettings().contains("window/state")) return;
        resizeDocks({tl_dock}, {300}, Qt::Vertical);
        resizeDocks({set_dock}, {300}, Qt::Horizontal);
        resizeDocks({set_dock, log_dock}, {370, 200}, Qt::Vertical);
    });

    QMenu* view = actions_->view_menu_;
    view->addSeparator();
    view->addAction(tl_dock->toggleViewAction());
    view->addAction(set_dock->toggleViewAction());
    view->addAction(log_dock->toggleViewAction());
}

void MainWindow::buildStatusBar() {
    QStatusBar* sb = statusBar();
    status_analysis_ = new QLabel(sb);
    const media::AudioPlayer& player = transport_->player();
    auto* audio_state = new QLabel(sb);
    audio_state->setText(player.available() ? tr("\u266a %1").arg(QString::fromStdString(player.deviceName()))
                                            : tr("\u266a no audio device (silent playback)"));
    audio_state->setToolTip(player.available() ? QString() : QString::fromStdString(player.unavailableReason()));
    sb->addPermanentWidget(status_analysis_);
    new JobProgress(dub_, sb);
    sb->addPermanentWidget(audio_state);

    connect(dub_, &DubController::busyChanged, this, &MainWindow::updateActions);
    connect(dub_, &DubController::frameGenerated, this, [this](qint64 f) {
        if (!isPlaying()) seek(f);  // follow the job so results appear as they come
    });
    connect(dub_, &DubController::finished, this, &MainWindow::updateActions);
    connect(jobs_, &EditorJobs::aboutToStart, transport_, &Transport::pause);
    connect(jobs_, &EditorJobs::message, this, &MainWindow::showMessage);
    connect(jobs_, &EditorJobs::failed, this, &MainWindow::showError);
}

void MainWindow::connectDocument() {
    connect(&doc_, &Document::videoChanged, this, [this] {
        pause();
        frames_->open(doc_.hasVideo() ? QString::fromStdString(doc_.project().video_path.string()) : QString());
        bar_->setLength(doc_.frameCount(), doc_.frameRate());
        shown_frame_ = -1;
        if (!doc_.hasVideo()) preview_->setOriginal({});
        generated_->reset();
        transport_->restart();
        updateTitle();
        updateActions();
        updateSettings();
    });
    connect(&doc_, &Document::speechChanged, this, [this] {
        updateSettings();
        updateActions();
    });
    connect(&doc_, &Document::syncMeterChanged, this, &MainWindow::updateSyncHere);
    connect(&doc_, &Document::rangesChanged, this, &MainWindow::updateSyncHere);
    connect(&doc_, &Document::faceScanReady, this, [this] {
        faces_->showFrame(currentFrame());
        status_analysis_->clear();
        const FaceScan& scan = doc_.media().faceScan();
        if (scan.frames_scanned == 0) return;
        const auto none = scan.noFaceFrames().size();
        statusBar()->showMessage(none == 0 ? tr("Face found in all %1 frames").arg(scan.frames_scanned)
                                           : tr("%1 of %2 frames have no face (red marks on the timeline); they "
                                                "stay as they are")
                                                 .arg(none)
                                                 .arg(scan.frames_scanned));
    });
    connect(&doc_, &Document::faceChanged, this, [this] {
        faces_->showFrame(currentFrame());
        updateSettings();
    });
    connect(&doc_, &Document::settingsChanged, this, [this] {
        updateSettings();
        faces_->showFrame(currentFrame());  // another model may crop and mask differently
    });
    connect(&doc_, &Document::modifiedChanged, this, &MainWindow::updateTitle);
    connect(&doc_, &Document::projectReset, this, [this] {
        updateTitle();
        updateSettings();
    });
    connect(&doc_.media(), &MediaAnalysis::analysisProgress, this, [this](const QString& what, double f) {
        status_analysis_->setText(QStringLiteral("%1 %2%").arg(what).arg(int(f * 100)));
    });
    connect(&doc_.media(), &MediaAnalysis::backgroundError, this,
            [this](const QString& m) { showError(tr("Cannot read the media"), m); });
}

// ---- settings ---------------------------------------------------------------------------

void MainWindow::restoreSettings() {
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    if (s.value("view/mode").toString() == "wipe") actions_->wipe_->trigger();
    actions_->overlays_->setChecked(s.value("view/overlays", true).toBool());
    if (s.value("playback/audio").toString() == "source") actions_->audio_source_->trigger();
    actions_->draft_->setChecked(s.value("generate/draft", false).toBool());
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("view/mode", actions_->wipe_->isChecked() ? "wipe" : "side");
    s.setValue("view/overlays", actions_->overlays_->isChecked());
    s.setValue("playback/audio", transport_->audioLane() == Lane::Source ? "source" : "speech");
    s.setValue("generate/draft", actions_->draft_->isChecked());
}

// ---- files -------------------------------------------------------------------------------

bool MainWindow::openPaths(const QStringList& paths) { return files_->openPaths(paths); }
bool MainWindow::openProject(const QString& path) { return files_->openProject(path); }
bool MainWindow::saveProjectAs(const QString& path) { return files_->saveProjectAs(path); }

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (!e->mimeData()->hasUrls()) return;
    for (const QUrl& u : e->mimeData()->urls())
        if (!u.isLocalFile()) return;
    e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList paths;
    for (const QUrl& u : e->mimeData()->urls()) paths << u.toLocalFile();
    e->acceptProposedAction();
    // Opening probes files and may show a dialog: do it after the drop returns.
    QMetaObject::invokeMethod(
        this, [this, paths] { openPaths(paths); }, Qt::QueuedConnection);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (!files_->maybeSave()) {
        e->ignore();
        return;
    }
    dub_->cancel();
    saveSettings();
    e->accept();
}

void MainWindow::offerRecovery(bool without_asking) {
    const auto found = recovery_->orphaned();
    if (found.isEmpty()) return;
    const Recovery::Entry e = found.front();
    auto restore = [this, e] {
        try {
            recovery_->recover(e);
            showMessage(tr("Recovered the unsaved project from %1").arg(e.saved.toString(QStringLiteral("d MMM HH:mm"))),
                        8000);
        } catch (const std::exception& ex) {
            showError(tr("Cannot recover the project"), QString::fromUtf8(ex.what()));
        }
    };
    if (without_asking) return restore();
    const QString name = e.project_file.isEmpty() ? tr("an untitled project") : QFileInfo(e.project_file).fileName();
    auto* box = new QMessageBox(QMessageBox::Question, tr("Recover unsaved work?"),
                                tr("Redub did not close properly last time. Recover the unsaved changes to %1, "
                                   "autosaved %2?")
                                    .arg(name, e.saved.toString(QStringLiteral("d MMM HH:mm"))),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("recoveryDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    QPushButton* yes = box->addButton(tr("Recover"), QMessageBox::AcceptRole);
    box->addButton(tr("Discard"), QMessageBox::DestructiveRole);
    connect(box, &QMessageBox::buttonClicked, this, [yes, e, restore](QAbstractButton* b) {
        if (b == yes)
            restore();
        else
            Recovery::discard(e);
    });
    box->open();
}

void MainWindow::showError(const QString& title, const QString& text) {
    last_error_ = text;
    log::ui()->error("{}: {}", title.toStdString(), text.toStdString());
    // Window-modal and non-blocking: the event loop (and a running job) keeps going.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->open();
}

void MainWindow::showMessage(const QString& text, int timeout_ms) { statusBar()->showMessage(text, timeout_ms); }

void MainWindow::updateTitle() {
    QString name = doc_.projectFile().isEmpty()
                       ? (doc_.hasVideo() ? QFileInfo(QString::fromStdString(doc_.project().video_path.string())).fileName()
                                          : tr("Untitled"))
                       : QFileInfo(doc_.projectFile()).fileName();
    setWindowTitle(QStringLiteral("%1%2 \u2014 Redub").arg(name, doc_.isModified() ? QStringLiteral(" *") : QString()));
}

void MainWindow::updateActions() {
    const EditorActions& a = *actions_;
    const bool ready = doc_.hasVideo() && !doc_.project().speech_path.empty();
    const bool busy = dub_->busy();
    a.preview_->setEnabled(ready && !busy);
    a.generate_->setEnabled(ready && !busy);
    a.export_->setEnabled(ready && !busy);
    a.cancel_->setEnabled(busy);
    a.learn_->setEnabled(doc_.hasVideo() && !busy);
    for (QAction* x : {a.play_, a.prev_, a.next_, a.start_, a.end_, a.mark_in_, a.mark_out_})
        x->setEnabled(doc_.hasVideo());
}

void MainWindow::updateSettings() {
    settings_->refresh();
    const auto& p = doc_.project();
    actions_->model_default_->setChecked(p.model_path.empty());
    for (QAction* a : actions_->devices_->actions()) a->setChecked(a->data().toString().toStdString() == p.device);
}

// ---- transport ---------------------------------------------------------------------------

int64_t MainWindow::currentFrame() const { return transport_->frame(); }
void MainWindow::seek(int64_t frame) { transport_->seek(frame); }
bool MainWindow::isPlaying() const { return transport_->isPlaying(); }
int MainWindow::playSpeed() const { return transport_->speed(); }
void MainWindow::play(int speed) { transport_->play(speed); }
void MainWindow::pause() { transport_->pause(); }
void MainWindow::setWipeView(bool wipe) { (wipe ? actions_->wipe_ : actions_->side_)->trigger(); }
void MainWindow::setDraft(bool on) { actions_->draft_->setChecked(on); }

void MainWindow::onFrameChanged(int64_t frame) {
    bar_->setFrame(frame, doc_.frameRate());
    timeline_->view()->setPlayhead(frame);
    frames_->request(frame);
    faces_->showFrame(frame);
    updateSyncHere();
}

void MainWindow::updateSyncHere() { bar_->setSyncHere(doc_.syncAround(currentFrame())); }

void MainWindow::onFrameDecoded(qint64 frame, const QImage& img) {
    shown_frame_ = frame;  // a late frame while playing is shown too: the clock has moved on
    preview_->setOriginal(img);
    generated_->showFrame(frame);
}

void MainWindow::markIn() {
    mark_in_ = currentFrame();
    statusBar()->showMessage(tr("Range starts at frame %1; move to its end and press O").arg(mark_in_), 5000);
}

void MainWindow::markOut() {
    if (mark_in_ < 0) {
        statusBar()->showMessage(tr("Press I at the start of the range first"), 4000);
        return;
    }
    const int64_t here = currentFrame();
    doc_.requestAddRange({std::min(mark_in_, here), std::max(mark_in_, here) + 1});
    mark_in_ = -1;
}

void MainWindow::settle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    doc_.media().waitForAnalysis();
    while (t.elapsed() < timeout_ms && doc_.hasVideo() && shown_frame_ != currentFrame()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    QCoreApplication::processEvents();
}

// ---- jobs ---------------------------------------------------------------------------------

void MainWindow::previewCurrentFrame() {
    if (!doc_.hasVideo() || doc_.project().speech_path.empty()) {
        showError(tr("Nothing to preview"), tr("Drop a video and the new speech on the window first."));
        return;
    }
    pause();
    generated_->previewCurrentFrame();
}

void MainWindow::openExportDialog() {
    ExportDialog dlg(doc_.project(), ModelList::remembered(), this);
    if (dlg.exec() != QDialog::Accepted) return;
    doc_.requestExportSettings(dlg.exportSettings());
    doc_.requestModel(dlg.modelPath().toStdString());
    doc_.requestSteps(dlg.steps());
    doc_.requestSeed(dlg.seed());
    doc_.requestDevice(dlg.device().toStdString());
    exportTo(dlg.outputPath());
}

void MainWindow::newSpeechFromText(const QString& text, const QString& voice, double rate) {
    jobs_->newSpeechFromText(text, voice, rate);
}
void MainWindow::newFromPhoto(const QString& photo) { jobs_->newFromPhoto(photo); }
void MainWindow::learnSpeaker(int minutes) { jobs_->learnSpeaker(minutes); }
void MainWindow::exportTo(const QString& output) { jobs_->exportTo(output); }
void MainWindow::generateAll() { jobs_->generateAll(); }

}  // namespace redub::ui
