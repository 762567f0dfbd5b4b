#include "ui/main_window.hpp"

#include "core/dub/composite.hpp"
#include "core/dub/dub.hpp"
#include "core/dub/model_inputs.hpp"
#include "core/train/learn_speaker.hpp"
#include "media/audio_player.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"
#include "ui/dub_controller.hpp"
#include "ui/export_dialog.hpp"
#include "ui/frame_server.hpp"
#include "ui/learn_speaker_dialog.hpp"
#include "ui/log_panel.hpp"
#include "ui/preview_view.hpp"
#include "ui/speech_dialog.hpp"
#include "ui/theme.hpp"
#include "ui/timeline.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <utility>

namespace redub::ui {
namespace {

constexpr int kMaxRecent = 10;

QString mediaFilter() {
    return QObject::tr(
        "Media (*.mp4 *.mov *.mkv *.webm *.avi *.m4v *.wav *.mp3 *.m4a *.aac *.flac *.ogg *.opus);;"
        "All files (*)");
}

QString fileName(const std::filesystem::path& p) { return QFileInfo(QString::fromStdString(p.string())).fileName(); }

QLabel* sectionLabel(const QString& text, QWidget* parent) {
    auto* l = new QLabel(text.toUpper(), parent);
    l->setStyleSheet(theme::sectionLabelStyle());
    return l;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    resize(1440, 900);
    setDockNestingEnabled(true);

    dub_ = new DubController(&doc_, this);
    frames_ = std::make_unique<FrameServer>();
    player_ = std::make_unique<media::AudioPlayer>();

    buildActions();
    buildMenus();
    buildToolBar();
    buildCentral();
    buildDocks();
    buildStatusBar();
    connectDocument();
    restoreSettings();
    updateTitle();
    updateActions();
    updateSettingsPanel();

    qApp->installEventFilter(this);  // K held down (see eventFilter)
    play_timer_.setInterval(10);
    play_timer_.setTimerType(Qt::PreciseTimer);
    connect(&play_timer_, &QTimer::timeout, this, &MainWindow::onTick);

    if (player_->available())
        log::ui()->info("audio output: {}", player_->deviceName());
    else
        log::ui()->info("no audio output ({}); playback is silent", player_->unavailableReason());
    log::ui()->info("Redub {} ready: drop a video and the new speech on the window", log::version());
}

MainWindow::~MainWindow() {
    play_timer_.stop();
    if (player_) player_->stop();
}

// ---- construction -------------------------------------------------------------------

void MainWindow::buildActions() {
    auto make = [this](const QString& text, const QKeySequence& key,
                       QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        if (icon != QStyle::SP_CustomBase) a->setIcon(style()->standardIcon(icon));
        return a;
    };
    a_new_ = make(tr("&New Project"), QKeySequence::New, QStyle::SP_FileIcon);
    a_open_ = make(tr("&Open Video\u2026"), QKeySequence::Open, QStyle::SP_DialogOpenButton);
    a_add_speech_ =
        make(tr("&Add Speech\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), QStyle::SP_MediaVolume);
    a_open_project_ = make(tr("Open &Project\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    a_speech_text_ = make(tr("New Speech from &Text\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    a_from_photo_ = make(tr("New from P&hoto\u2026"), QKeySequence());
    a_save_ = make(tr("&Save Project"), QKeySequence::Save, QStyle::SP_DialogSaveButton);
    a_save_as_ = make(tr("Save Project &As\u2026"), QKeySequence::SaveAs);
    a_export_ = make(tr("&Export\u2026"), QKeySequence(Qt::CTRL | Qt::Key_E), QStyle::SP_DialogApplyButton);
    a_quit_ = make(tr("&Quit"), QKeySequence::Quit);
    a_undo_ = doc_.undoStack()->createUndoAction(this, tr("&Undo"));
    a_undo_->setShortcut(QKeySequence::Undo);
    a_undo_->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    a_redo_ = doc_.undoStack()->createRedoAction(this, tr("&Redo"));
    a_redo_->setShortcut(QKeySequence::Redo);
    a_redo_->setIcon(style()->standardIcon(QStyle::SP_ArrowForward));
    a_clear_ranges_ = make(tr("Re-sync the &Whole Video (clear ranges)"), {});
    a_auto_face_ = make(tr("&Automatic Face (largest)"), {});
    a_mark_in_ = make(tr("Mark Range &In"), QKeySequence(Qt::Key_I));
    a_mark_out_ = make(tr("Mark Range &Out"), QKeySequence(Qt::Key_O));
    a_play_ = make(tr("&Play / Pause"), QKeySequence(Qt::Key_Space));
    a_play_->setIcon(glyphIcon(Glyph::Play));
    a_prev_ = make(tr("Previous Frame"), QKeySequence(Qt::Key_Left));
    a_prev_->setIcon(glyphIcon(Glyph::StepBack));
    a_next_ = make(tr("Next Frame"), QKeySequence(Qt::Key_Right));
    a_next_->setIcon(glyphIcon(Glyph::StepForward));
    a_start_ = make(tr("Go to Start"), QKeySequence(Qt::Key_Home));
    a_start_->setIcon(glyphIcon(Glyph::ToStart));
    a_end_ = make(tr("Go to End"), QKeySequence(Qt::Key_End));
    a_end_->setIcon(glyphIcon(Glyph::ToEnd));
    a_audio_speech_ = make(tr("Hear the &New Speech"), {});
    a_audio_source_ = make(tr("Hear the &Original Audio"), {});
    for (QAction* a : {a_audio_speech_, a_audio_source_}) a->setCheckable(true);
    auto* audio_group = new QActionGroup(this);
    audio_group->addAction(a_audio_speech_);
    audio_group->addAction(a_audio_source_);
    a_audio_speech_->setChecked(true);
    a_preview_ = make(tr("&Preview Frame"), QKeySequence(Qt::Key_P), QStyle::SP_BrowserReload);
    a_preview_->setToolTip(tr("Generate the current frame now (P)"));
    a_generate_ = make(tr("&Generate All"), QKeySequence(Qt::CTRL | Qt::Key_G));
    a_generate_->setIcon(glyphIcon(Glyph::Generate));
    a_generate_->setToolTip(tr("Generate every frame (or the selected ranges) to watch them in the editor (Ctrl+G)"));
    a_cancel_ = make(tr("&Cancel Job"), QKeySequence(Qt::Key_Escape), QStyle::SP_BrowserStop);
    a_side_ = make(tr("&Side by Side"), QKeySequence(Qt::Key_1));
    a_wipe_ = make(tr("&Wipe"), QKeySequence(Qt::Key_2));
    for (QAction* a : {a_side_, a_wipe_}) a->setCheckable(true);
    auto* view_group = new QActionGroup(this);
    view_group->addAction(a_side_);
    view_group->addAction(a_wipe_);
    a_side_->setChecked(true);
    a_overlays_ = make(tr("Face and Mask &Overlays"), QKeySequence(Qt::Key_F));
    a_overlays_->setCheckable(true);
    a_overlays_->setChecked(true);
    a_model_default_ = make(tr("&Bundled Default Model"), {});
    a_model_default_->setCheckable(true);
    a_model_import_ = make(tr("&Import Diff2Lip Checkpoint\u2026"), {});
    a_learn_ = make(tr("&Learn This Speaker\u2026"), {});
    a_learn_->setToolTip(tr("Train the model on this clip's own speech so the mouth looks like this speaker's"));

    connect(a_new_, &QAction::triggered, this, [this] {
        if (maybeSave()) doc_.newProject();
    });
    connect(a_open_, &QAction::triggered, this, [this] {
        QSettings s;
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open a video (and the new speech)"),
                                                                s.value("lastDir").toString(), mediaFilter());
        if (!files.isEmpty()) openPaths(files);
    });
    connect(a_add_speech_, &QAction::triggered, this, [this] {
        QSettings s;
        const QString f = QFileDialog::getOpenFileName(this, tr("Add the new speech (audio, or a video's audio)"),
                                                       s.value("lastDir").toString(), mediaFilter());
        if (f.isEmpty()) return;
        try {
            doc_.setSpeech(f);
            addRecent(f);
        } catch (const std::exception& e) {
            showError(tr("Cannot use this speech file"), QString::fromUtf8(e.what()));
        }
    });
    connect(a_speech_text_, &QAction::triggered, this, [this] {
        SpeechFromTextDialog dlg(this);
        if (dlg.exec() == QDialog::Accepted) newSpeechFromText(dlg.text(), dlg.voice(), dlg.rate());
    });
    connect(a_from_photo_, &QAction::triggered, this, [this] {
        QSettings s;
        const QString f = QFileDialog::getOpenFileName(this, tr("A photo of the face to make talk"),
                                                       s.value("lastDir").toString(),
                                                       tr("Photos (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff)"));
        if (!f.isEmpty()) newFromPhoto(f);
    });
    connect(a_open_project_, &QAction::triggered, this, [this] {
        QSettings s;
        const QString f = QFileDialog::getOpenFileName(this, tr("Open project"), s.value("lastDir").toString(),
                                                       tr("Redub project (*.redub);;All files (*)"));
        if (!f.isEmpty() && maybeSave()) openProject(f);
    });
    connect(a_save_, &QAction::triggered, this, [this] {
        if (!doc_.projectFile().isEmpty())
            saveProjectAs(doc_.projectFile());
        else
            a_save_as_->trigger();
    });
    connect(a_save_as_, &QAction::triggered, this, [this] {
        QString proposal = doc_.projectFile();
        if (proposal.isEmpty() && !doc_.project().video_path.empty()) {
            const QFileInfo v(QString::fromStdString(doc_.project().video_path.string()));
            proposal = v.absoluteDir().filePath(v.completeBaseName() + QStringLiteral(".redub"));
        }
        QString f = QFileDialog::getSaveFileName(this, tr("Save project"), proposal, tr("Redub project (*.redub)"));
        if (f.isEmpty()) return;
        if (!f.endsWith(QStringLiteral(".redub"))) f += QStringLiteral(".redub");
        saveProjectAs(f);
    });
    connect(a_export_, &QAction::triggered, this, &MainWindow::openExportDialog);
    connect(a_quit_, &QAction::triggered, this, &QWidget::close);
    connect(a_clear_ranges_, &QAction::triggered, this, [this] { doc_.requestClearRanges(); });
    connect(a_auto_face_, &QAction::triggered, this, [this] { doc_.requestFace(std::nullopt); });
    connect(a_mark_in_, &QAction::triggered, this, &MainWindow::markIn);
    connect(a_mark_out_, &QAction::triggered, this, &MainWindow::markOut);
    connect(a_play_, &QAction::triggered, this, [this] { isPlaying() ? pause() : play(1); });
    connect(a_prev_, &QAction::triggered, this, [this] {
        pause();
        seek(frame_ - 1);
    });
    connect(a_next_, &QAction::triggered, this, [this] {
        pause();
        seek(frame_ + 1);
    });
    connect(a_start_, &QAction::triggered, this, [this] { seek(0); });
    connect(a_end_, &QAction::triggered, this, [this] { seek(doc_.frameCount() - 1); });
    connect(a_audio_speech_, &QAction::triggered, this, [this] {
        audio_lane_ = Lane::Speech;
        if (play_speed_ == 1) play(1);
    });
    connect(a_audio_source_, &QAction::triggered, this, [this] {
        audio_lane_ = Lane::Source;
        if (play_speed_ == 1) play(1);
    });
    connect(a_preview_, &QAction::triggered, this, &MainWindow::previewCurrentFrame);
    connect(a_generate_, &QAction::triggered, this, &MainWindow::generateAll);
    connect(a_cancel_, &QAction::triggered, dub_, &DubController::cancel);
    connect(a_side_, &QAction::triggered, this, [this] { preview_->setMode(PreviewView::Mode::SideBySide); });
    connect(a_wipe_, &QAction::triggered, this, [this] { preview_->setMode(PreviewView::Mode::Wipe); });
    connect(a_overlays_, &QAction::toggled, this, [this](bool on) { preview_->setShowOverlays(on); });
    connect(a_model_default_, &QAction::triggered, this, [this] {
        doc_.requestModel({});
    });
    connect(a_model_import_, &QAction::triggered, this, &MainWindow::importDiff2Lip);
    connect(a_learn_, &QAction::triggered, this, [this] { learnSpeaker(); });
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(a_new_);
    file->addAction(a_open_);
    file->addAction(a_add_speech_);
    file->addAction(a_speech_text_);
    file->addAction(a_from_photo_);
    file->addAction(a_open_project_);
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    file->addAction(a_save_);
    file->addAction(a_save_as_);
    file->addSeparator();
    file->addAction(a_export_);
    file->addSeparator();
    file->addAction(a_quit_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(a_undo_);
    edit->addAction(a_redo_);
    edit->addSeparator();
    edit->addAction(a_mark_in_);
    edit->addAction(a_mark_out_);
    edit->addAction(a_clear_ranges_);
    edit->addSeparator();
    edit->addAction(a_auto_face_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(a_side_);
    view->addAction(a_wipe_);
    view->addAction(a_overlays_);
    view->addSeparator();
    QAction* fit = view->addAction(tr("Zoom Timeline to &Fit"));
    connect(fit, &QAction::triggered, this, [this] { timeline_->view()->zoomToFit(); });
    view->setObjectName(QStringLiteral("viewMenu"));

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    playback->addAction(a_play_);
    QAction* j = playback->addAction(tr("Play Backwards / Faster (J)"));
    QAction* k = playback->addAction(tr("Pause (K)"));
    QAction* l = playback->addAction(tr("Play Forwards / Faster (L)"));
    j->setShortcut(Qt::Key_J);
    k->setShortcut(Qt::Key_K);
    l->setShortcut(Qt::Key_L);
    connect(j, &QAction::triggered, this, [this] { shuttle(-1); });
    connect(k, &QAction::triggered, this, &MainWindow::shuttleStop);
    connect(l, &QAction::triggered, this, [this] { shuttle(1); });
    playback->addSeparator();
    playback->addAction(a_prev_);
    playback->addAction(a_next_);
    playback->addAction(a_start_);
    playback->addAction(a_end_);
    playback->addSeparator();
    playback->addAction(a_audio_speech_);
    playback->addAction(a_audio_source_);

    QMenu* gen = menuBar()->addMenu(tr("&Generate"));
    gen->addAction(a_preview_);
    gen->addAction(a_generate_);
    gen->addAction(a_export_);
    gen->addAction(a_cancel_);

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(a_model_default_);
    model->addAction(a_model_import_);
    model->addAction(a_learn_);
    model->addSeparator();
    QMenu* device = model->addMenu(tr("&Device"));
    device_group_ = new QActionGroup(this);
    for (const auto& d : core::devices()) {
        QAction* a = device->addAction(d == "auto"  ? tr("Automatic (GPU when available)")
                                       : d == "cpu" ? tr("CPU")
                                                    : tr("CUDA GPU"));
        a->setData(QString::fromStdString(d));
        a->setCheckable(true);
        device_group_->addAction(a);
        connect(a, &QAction::triggered, this, [this, d] { doc_.requestDevice(d); });
    }
    connect(model, &QMenu::aboutToShow, this, [this] { updateSettingsPanel(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"),
                                 tr("<table cellpadding=3>"
                                    "<tr><td><b>Space</b></td><td>play / pause</td></tr>"
                                    "<tr><td><b>J K L</b></td><td>play backwards / pause / play; J or L again: "
                                    "2\u00d7, 4\u00d7, 8\u00d7; hold K and tap J or L: one frame</td></tr>"
                                    "<tr><td><b>\u2190 \u2192</b></td><td>previous / next frame</td></tr>"
                                    "<tr><td><b>Home End</b></td><td>start / end</td></tr>"
                                    "<tr><td><b>I O</b></td><td>mark the range to re-sync</td></tr>"
                                    "<tr><td><b>P</b></td><td>preview the current frame</td></tr>"
                                    "<tr><td><b>1 2</b></td><td>side by side / wipe</td></tr>"
                                    "<tr><td><b>Ctrl+wheel</b></td><td>zoom the timeline</td></tr>"
                                    "<tr><td><b>drag a range edge</b></td><td>resize the range (snaps to frames)</td></tr>"
                                    "<tr><td><b>Alt+drag</b></td><td>remove frames from the ranges</td></tr>"
                                    "<tr><td><b>Shift+drag</b></td><td>snap the speech offset to frames</td></tr>"
                                    "</table>"));
    });
    help->addAction(tr("&About Redub"), this, [this] {
        QMessageBox::about(this, tr("About Redub"),
                           tr("<b>Redub %1</b><br>Re-synchronises a speaker's lips to new speech with an "
                              "audio-conditioned diffusion model.")
                               .arg(QString::fromStdString(std::string(log::version()))));
    });
}

void MainWindow::buildToolBar() {
    QToolBar* tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setMovable(false);
    tb->setIconSize(QSize(18, 18));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addAction(a_open_);
    tb->addAction(a_add_speech_);
    tb->addAction(a_save_);
    tb->addSeparator();
    tb->addAction(a_undo_);
    tb->addAction(a_redo_);
    tb->addSeparator();
    tb->addAction(a_side_);
    tb->addAction(a_wipe_);
    auto* spacer = new QWidget(tb);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    tb->addWidget(spacer);
    tb->addAction(a_preview_);
    tb->addAction(a_generate_);
    tb->addAction(a_export_);
    // The primary action stands out.
    if (auto* b = qobject_cast<QToolButton*>(tb->widgetForAction(a_export_)))
        b->setStyleSheet(theme::primaryButtonStyle());
}

void MainWindow::buildCentral() {
    auto* central = new QWidget(this);
    auto* v = new QVBoxLayout(central);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    preview_ = new PreviewView(central);
    v->addWidget(preview_, 1);

    // Transport bar under the preview.
    auto* bar = new QWidget(central);
    bar->setObjectName(QStringLiteral("transportBar"));
    bar->setStyleSheet(theme::transportBarStyle());
    auto* h = new QHBoxLayout(bar);
    h->setContentsMargins(10, 4, 10, 4);
    h->setSpacing(2);
    timecode_ = new QLabel(QStringLiteral("00:00:00:00"), bar);
    timecode_->setStyleSheet(theme::timecodeStyle());
    duration_ = new QLabel(QStringLiteral("/ 00:00:00:00"), bar);
    duration_->setStyleSheet(theme::durationStyle());
    h->addWidget(timecode_);
    h->addWidget(duration_);
    h->addStretch(1);
    for (QAction* a : {a_start_, a_prev_, a_play_, a_next_, a_end_}) {
        auto* b = new QToolButton(bar);
        b->setDefaultAction(a);
        b->setAutoRaise(true);
        b->setIconSize(QSize(20, 20));
        h->addWidget(b);
    }
    speed_ = new QLabel(bar);
    speed_->setObjectName(QStringLiteral("speedLabel"));
    speed_->setToolTip(tr("Playback speed: J/L play and speed up (2\u00d7, 4\u00d7, 8\u00d7), K pauses"));
    speed_->setMinimumWidth(40);
    speed_->setAlignment(Qt::AlignCenter);
    speed_->setStyleSheet(theme::speedStyle());
    h->addWidget(speed_);
    sync_here_ = new QLabel(bar);
    sync_here_->setObjectName(QStringLiteral("syncHereLabel"));
    sync_here_->setToolTip(tr("Lip sync of the source's mouth with the new speech in the range at the playhead "
                              "(or the 2 s around it): r >= 0.5 follows, below 0.2 does not"));
    h->addSpacing(12);
    h->addWidget(sync_here_);
    h->addStretch(1);
    auto* frame_label = new QLabel(tr("Frame"), bar);
    frame_label->setStyleSheet(theme::fieldLabelStyle());
    frame_box_ = new QSpinBox(bar);
    frame_box_->setObjectName(QStringLiteral("frameBox"));
    frame_box_->setRange(0, 0);
    frame_box_->setKeyboardTracking(false);
    frame_box_->setMinimumWidth(80);
    connect(frame_box_, &QSpinBox::valueChanged, this, [this](int f) {
        if (f != frame_) seek(f);
    });
    h->addWidget(frame_label);
    h->addWidget(frame_box_);
    v->addWidget(bar);
    setCentralWidget(central);

    connect(preview_, &PreviewView::faceClicked, this, [this](QPointF pt) {
        const QList<QRectF> faces = doc_.media().facesNear(frame_);
        bool inside = false;
        for (const QRectF& f : faces) inside = inside || f.adjusted(-10, -10, 10, 10).contains(pt);
        if (!inside) {
            statusBar()->showMessage(faces.isEmpty() ? tr("No face was found in this frame")
                                                     : tr("Click inside a face box to choose that face"),
                                     4000);
            return;
        }
        doc_.requestFace(core::FacePoint{float(pt.x()), float(pt.y()), frame_});
        statusBar()->showMessage(tr("Face chosen at frame %1; the tracker follows it through the clip").arg(frame_),
                                 4000);
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
    auto* panel = new QWidget(this);
    panel->setObjectName(QStringLiteral("settingsPanel"));
    auto* v = new QVBoxLayout(panel);
    v->setContentsMargins(12, 4, 12, 12);
    v->setSpacing(4);
    v->addWidget(sectionLabel(tr("Media"), panel));
    files_label_ = new QLabel(panel);
    files_label_->setWordWrap(true);
    files_label_->setTextFormat(Qt::RichText);
    v->addWidget(files_label_);
    v->addWidget(sectionLabel(tr("Face"), panel));
    face_label_ = new QLabel(panel);
    face_label_->setWordWrap(true);
    v->addWidget(face_label_);
    auto* auto_face = new QPushButton(tr("Use the largest face"), panel);
    auto_face->setStyleSheet(theme::smallButtonStyle());
    connect(auto_face, &QPushButton::clicked, a_auto_face_, &QAction::trigger);
    v->addWidget(auto_face, 0, Qt::AlignLeft);

    v->addWidget(sectionLabel(tr("Generation"), panel));
    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(6);
    model_box_ = new QComboBox(panel);
    model_box_->setObjectName(QStringLiteral("modelBox"));
    steps_box_ = new QSpinBox(panel);
    steps_box_->setRange(0, core::kMaxSamplerSteps);
    steps_box_->setSpecialValueText(tr("default"));
    seed_box_ = new QSpinBox(panel);
    seed_box_->setRange(0, std::numeric_limits<int>::max());
    device_box_ = new QComboBox(panel);
    for (const auto& d : core::devices()) device_box_->addItem(QString::fromStdString(d));
    policy_box_ = new QComboBox(panel);
    policy_box_->setToolTip(tr("What to do when the speech and the video differ in length"));
    for (const auto& p : core::lengthPolicies()) policy_box_->addItem(QString::fromStdString(p));
    form->addRow(tr("Model"), model_box_);
    form->addRow(tr("Steps"), steps_box_);
    form->addRow(tr("Seed"), seed_box_);
    form->addRow(tr("Device"), device_box_);
    form->addRow(tr("Length"), policy_box_);
    v->addLayout(form);
    v->addStretch(1);
    connect(model_box_, &QComboBox::activated, this,
            [this] { doc_.requestModel(model_box_->currentData().toString().toStdString()); });
    connect(steps_box_, &QSpinBox::editingFinished, this, [this] { doc_.requestSteps(steps_box_->value()); });
    connect(seed_box_, &QSpinBox::editingFinished, this, [this] { doc_.requestSeed(uint64_t(seed_box_->value())); });
    connect(device_box_, &QComboBox::activated, this,
            [this] { doc_.requestDevice(device_box_->currentText().toStdString()); });
    connect(policy_box_, &QComboBox::activated, this,
            [this] { doc_.requestLengthPolicy(policy_box_->currentText().toStdString()); });

    auto* set_dock = new QDockWidget(tr("Dub Settings"), this);
    set_dock->setObjectName(QStringLiteral("settingsDock"));
    set_dock->setWidget(panel);
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

    if (auto* view = findChild<QMenu*>(QStringLiteral("viewMenu"))) {
        view->addSeparator();
        view->addAction(tl_dock->toggleViewAction());
        view->addAction(set_dock->toggleViewAction());
        view->addAction(log_dock->toggleViewAction());
    }
}

void MainWindow::buildStatusBar() {
    QStatusBar* sb = statusBar();
    status_analysis_ = new QLabel(sb);
    progress_ = new QProgressBar(sb);
    progress_->setObjectName(QStringLiteral("jobProgress"));
    progress_->setRange(0, 1000);
    progress_->setFixedWidth(220);
    progress_->setTextVisible(true);
    progress_->hide();
    eta_ = new QLabel(sb);
    eta_->hide();
    cancel_ = new QPushButton(tr("Cancel"), sb);
    cancel_->setObjectName(QStringLiteral("cancelButton"));
    cancel_->hide();
    connect(cancel_, &QPushButton::clicked, dub_, &DubController::cancel);
    audio_state_ = new QLabel(sb);
    audio_state_->setText(player_->available() ? tr("\u266a %1").arg(QString::fromStdString(player_->deviceName()))
                                               : tr("\u266a no audio device (silent playback)"));
    audio_state_->setToolTip(player_->available() ? QString() : QString::fromStdString(player_->unavailableReason()));
    sb->addPermanentWidget(status_analysis_);
    sb->addPermanentWidget(progress_);
    sb->addPermanentWidget(eta_);
    sb->addPermanentWidget(cancel_);
    sb->addPermanentWidget(audio_state_);

    connect(dub_, &DubController::busyChanged, this, [this](bool busy) {
        progress_->setVisible(busy);
        cancel_->setVisible(busy);
        eta_->setVisible(busy);
        progress_->setValue(0);
        eta_->clear();
        updateActions();
    });
    connect(dub_, &DubController::progress, this, [this](const QString& stage, double fraction, double eta) {
        progress_->setValue(int(std::lround(fraction * 1000)));
        progress_->setFormat(QStringLiteral("%1  %p%").arg(stage));
        eta_->setText(eta >= 0 ? tr("ETA %1:%2").arg(int(eta) / 60).arg(int(eta) % 60, 2, 10, QLatin1Char('0'))
                               : QString());
    });
    connect(dub_, &DubController::previewReady, this,
            [this](qint64 frame, const QImage&, const QImage& gen, const QImage& mask, const QRect&, bool has_face) {
                if (frame != frame_) return;
                if (!has_face) {
                    preview_->clearGenerated();
                    showError(tr("No face in this frame"),
                              tr("Frame %1: no face was found, so there is nothing to re-synchronise. The frame "
                                 "stays as it is in the export.")
                                  .arg(frame));
                    return;
                }
                preview_frame_ = frame;
                preview_mask_ = mask;
                preview_->setGenerated(gen, mask);
            });
    connect(dub_, &DubController::frameGenerated, this, [this](qint64 f) {
        if (!isPlaying()) seek(f);  // follow the job so results appear as they come
    });
    connect(dub_, &DubController::finished, this, &MainWindow::onJobFinished);
    // Speech from text and the moving still arrive like dropped files.
    connect(dub_, &DubController::speechReady, this, [this](const QString& path) {
        try {
            doc_.setSpeech(path);
        } catch (const std::exception& e) {
            showError(tr("Cannot use the spoken text"), QString::fromUtf8(e.what()));
        }
    });
    connect(dub_, &DubController::speakerLearned, this, &MainWindow::onSpeakerLearned);
    connect(dub_, &DubController::videoReady, this, [this](const QString& path) {
        try {
            doc_.setVideo(path);
        } catch (const std::exception& e) {
            showError(tr("Cannot use the moving photo"), QString::fromUtf8(e.what()));
        }
    });
}

void MainWindow::connectDocument() {
    connect(&doc_, &Document::videoChanged, this, [this] {
        pause();
        frames_->open(doc_.hasVideo() ? QString::fromStdString(doc_.project().video_path.string()) : QString());
        frame_box_->setRange(0, int(std::max<int64_t>(0, doc_.frameCount() - 1)));
        duration_->setText(QStringLiteral("/ ") + timecode(doc_.frameCount(), doc_.frameRate()));
        shown_frame_ = -1;
        preview_frame_ = -1;
        if (!doc_.hasVideo()) preview_->setOriginal({});
        preview_->clearGenerated();
        frame_ = -1;
        seek(0);
        updateTitle();
        updateActions();
        updateSettingsPanel();
    });
    connect(&doc_, &Document::speechChanged, this, [this] {
        updateSettingsPanel();
        updateActions();
    });
    connect(&doc_, &Document::syncMeterChanged, this, &MainWindow::updateSyncHere);
    connect(&doc_, &Document::rangesChanged, this, &MainWindow::updateSyncHere);
    connect(&doc_, &Document::faceScanReady, this, [this] {
        updateFaces();
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
        updateFaces();
        updateSettingsPanel();
    });
    connect(&doc_, &Document::settingsChanged, this, [this] {
        updateSettingsPanel();
        updateFaces();  // another model may crop and mask differently
    });
    connect(&doc_, &Document::modifiedChanged, this, &MainWindow::updateTitle);
    connect(&doc_, &Document::projectReset, this, [this] {
        updateTitle();
        updateSettingsPanel();
    });
    connect(&doc_.media(), &MediaAnalysis::analysisProgress, this, [this](const QString& what, double f) {
        status_analysis_->setText(QStringLiteral("%1 %2%").arg(what).arg(int(f * 100)));
    });
    connect(&doc_.media(), &MediaAnalysis::backgroundError, this,
            [this](const QString& m) { showError(tr("Cannot read the media"), m); });
    // A generated preview is stale once the offset, the face or the settings change.
    auto stale = [this] {
        if (dub_->busy()) return;  // the running job's frames stay (they use the settings it started with)
        dub_->clearGenerated();
        preview_frame_ = -1;
        showGeneratedFor(frame_);
    };
    connect(&doc_, &Document::offsetChanged, this, stale);
    connect(&doc_, &Document::faceChanged, this, stale);
    connect(&doc_, &Document::settingsChanged, this, stale);
}

// ---- settings ---------------------------------------------------------------------------

void MainWindow::restoreSettings() {
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    if (s.value("view/mode").toString() == "wipe") a_wipe_->trigger();
    a_overlays_->setChecked(s.value("view/overlays", true).toBool());
    if (s.value("playback/audio").toString() == "source") a_audio_source_->trigger();
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("view/mode", a_wipe_->isChecked() ? "wipe" : "side");
    s.setValue("view/overlays", a_overlays_->isChecked());
    s.setValue("playback/audio", audio_lane_ == Lane::Source ? "source" : "speech");
}

void MainWindow::addRecent(const QString& path) {
    QSettings s;
    QStringList list = s.value("recentFiles").toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecent) list.removeLast();
    s.setValue("recentFiles", list);
    s.setValue("lastDir", QFileInfo(abs).absolutePath());
}

void MainWindow::rebuildRecentMenu() {
    recent_menu_->clear();
    const QStringList list = QSettings().value("recentFiles").toStringList();
    for (const QString& f : list) {
        QAction* a = recent_menu_->addAction(QFileInfo(f).fileName());
        a->setToolTip(f);
        a->setStatusTip(f);
        connect(a, &QAction::triggered, this, [this, f] {
            if (f.endsWith(QStringLiteral(".redub")) ? (maybeSave() && openProject(f)) : openPaths({f})) return;
        });
    }
    if (list.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
    recent_menu_->addSeparator();
    recent_menu_->addAction(tr("Clear the list"), this, [] { QSettings().remove("recentFiles"); });
}

// ---- files -------------------------------------------------------------------------------

bool MainWindow::openPaths(const QStringList& paths) {
    try {
        doc_.openFiles(paths);
        for (const QString& p : paths) addRecent(p);
        return true;
    } catch (const std::exception& e) {  // redub::Error names the file; anything else is still a dialog
        showError(tr("Cannot open this file"), QString::fromUtf8(e.what()));
        return false;
    }
}

bool MainWindow::openProject(const QString& path) {
    try {
        doc_.loadProjectFile(path);
        addRecent(path);
        return true;
    } catch (const std::exception& e) {  // redub::Error names the file; anything else is still a dialog
        showError(tr("Cannot open the project"), QString::fromUtf8(e.what()));
        return false;
    }
}

bool MainWindow::saveProjectAs(const QString& path) {
    try {
        doc_.saveProjectFile(path);
        addRecent(path);
        statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
        return true;
    } catch (const std::exception& e) {  // redub::Error names the file; anything else is still a dialog
        showError(tr("Cannot save the project"), QString::fromUtf8(e.what()));
        return false;
    }
}

bool MainWindow::maybeSave() {
    if (!doc_.isModified() || !isVisible() || QApplication::platformName() == "offscreen") return true;
    const auto r = QMessageBox::question(this, tr("Unsaved changes"), tr("Save the changes to this project first?"),
                                         QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (r == QMessageBox::Cancel) return false;
    if (r == QMessageBox::Save) {
        a_save_->trigger();
        return !doc_.isModified();
    }
    return true;
}

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
    if (!maybeSave()) {
        e->ignore();
        return;
    }
    dub_->cancel();
    saveSettings();
    e->accept();
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

void MainWindow::updateTitle() {
    QString name = doc_.projectFile().isEmpty()
                       ? (doc_.hasVideo() ? fileName(doc_.project().video_path) : tr("Untitled"))
                       : QFileInfo(doc_.projectFile()).fileName();
    setWindowTitle(QStringLiteral("%1%2 \u2014 Redub").arg(name, doc_.isModified() ? QStringLiteral(" *") : QString()));
}

void MainWindow::updateActions() {
    const bool ready = doc_.hasVideo() && !doc_.project().speech_path.empty();
    const bool busy = dub_->busy();
    a_preview_->setEnabled(ready && !busy);
    a_generate_->setEnabled(ready && !busy);
    a_export_->setEnabled(ready && !busy);
    a_cancel_->setEnabled(busy);
    a_learn_->setEnabled(doc_.hasVideo() && !busy);
    for (QAction* a : {a_play_, a_prev_, a_next_, a_start_, a_end_, a_mark_in_, a_mark_out_})
        a->setEnabled(doc_.hasVideo());
}

void MainWindow::updateSettingsPanel() {
    const auto& p = doc_.project();
    // Media summary.
    auto line = [](const QString& colour, const QString& label, const QString& value) {
        return QStringLiteral(
                   "<div style='margin:2px 0'><span style='color:%1'>\u25a0</span> "
                   "<span style='color:#8d929a'>%2</span><br><span style='color:#dcdee2'>%3</span></div>")
            .arg(colour, label, value.toHtmlEscaped());
    };
    QString files;
    files += line(QStringLiteral("#8a9bb0"), tr("Video"),
                  doc_.hasVideo() ? QStringLiteral("%1  (%2\u00d7%3, %4 frames)")
                                        .arg(fileName(p.video_path))
                                        .arg(doc_.videoInfo()->video->width)
                                        .arg(doc_.videoInfo()->video->height)
                                        .arg(doc_.frameCount())
                                  : tr("none \u2014 drop a video"));
    files +=
        line(theme::kSpeech.name(), tr("New speech"),
             doc_.speechInfo() && doc_.speechInfo()->audio ? QStringLiteral("%1  (%2 s)")
                                                                 .arg(fileName(p.speech_path))
                                                                 .arg(doc_.speechInfo()->audio->duration_s, 0, 'f', 2)
                                                           : tr("none \u2014 drop an audio file"));
    files_label_->setText(files);
    face_label_->setText(p.face ? tr("Chosen by clicking at (%1, %2) in frame %3")
                                      .arg(double(p.face->x), 0, 'f', 0)
                                      .arg(double(p.face->y), 0, 'f', 0)
                                      .arg(p.face->frame)
                                : tr("Automatic: the largest face. Click a face in the original to choose it."));
    // Generation settings.
    const QSignalBlocker b1(model_box_), b2(steps_box_), b3(seed_box_), b4(device_box_), b5(policy_box_);
    model_box_->clear();
    model_box_->addItem(tr("Bundled default"), QString());
    for (const QString& m : QSettings().value("models/imported").toStringList())
        model_box_->addItem(QFileInfo(m).fileName(), m);
    const QString cur = QString::fromStdString(p.model_path.string());
    if (!cur.isEmpty() && model_box_->findData(cur) < 0) model_box_->addItem(QFileInfo(cur).fileName(), cur);
    model_box_->setCurrentIndex(std::max(0, model_box_->findData(cur)));
    steps_box_->setValue(p.steps);
    seed_box_->setValue(int(std::min<uint64_t>(p.seed, uint64_t(std::numeric_limits<int>::max()))));
    device_box_->setCurrentText(QString::fromStdString(p.device));
    policy_box_->setCurrentText(QString::fromStdString(p.length_policy));
    a_model_default_->setChecked(p.model_path.empty());
    if (device_group_)
        for (QAction* a : device_group_->actions()) a->setChecked(a->data().toString().toStdString() == p.device);
}

void MainWindow::importDiff2Lip() {
    if (!confirmDiff2LipLicence(this)) return;
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Import a Diff2Lip checkpoint"), QSettings().value("lastDir").toString(),
                                     tr("Checkpoints (*.pt *.pth *.safetensors);;All files (*)"));
    if (f.isEmpty()) return;
    if (!QFileInfo(f).isReadable() || QFileInfo(f).size() < 1024) {
        showError(tr("Cannot import the checkpoint"), tr("%1: not a readable model file").arg(f));
        return;
    }
    useModel(f);
    log::ui()->info("model: {} (Diff2Lip weights, CC-BY-NC-4.0: non-commercial use only)", f.toStdString());
}

void MainWindow::learnSpeaker(int minutes) {
    if (!doc_.hasVideo()) return;
    const auto& p = doc_.project();
    const QString video = QString::fromStdString(p.video_path.string());
    const QString out = LearnSpeakerDialog::speakerModelPath(doc_.projectFile(), video);
    if (minutes <= 0) {
        LearnSpeakerDialog dlg(video, out, this);
        if (dlg.exec() != QDialog::Accepted) return;
        minutes = dlg.minutes();
    }
    pause();
    auto lp = core::LearnSpeakerParams::defaults();
    lp.video = p.video_path;
    lp.out = out.toStdString();
    // Continue from this speaker's model when there is one, else from the model chosen now.
    lp.from = QFileInfo::exists(out) ? lp.out : p.model_path;
    lp.minutes = minutes;
    lp.device = p.device;
    log::ui()->info("learn this speaker: {} for {} min -> {}", p.video_path.string(), minutes, lp.out.string());
    dub_->learnSpeaker(lp);
}

void MainWindow::useModel(const QString& model) {
    QSettings s;
    QStringList models = s.value("models/imported").toStringList();
    models.removeAll(model);
    models.prepend(model);
    s.setValue("models/imported", models);
    doc_.requestModel(model.toStdString());
}

void MainWindow::onSpeakerLearned(const QString& model, const QString& summary) {
    useModel(model);
    log::ui()->info("learned the speaker: {} ({})", model.toStdString(), summary.toStdString());
    auto* box = new QMessageBox(QMessageBox::Information, tr("Learned this speaker"),
                                tr("The project now uses <b>%1</b>.").arg(QFileInfo(model).fileName().toHtmlEscaped()),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("speakerLearnedDialog"));
    box->setInformativeText(summary);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// ---- transport ---------------------------------------------------------------------------

void MainWindow::seek(int64_t frame) {
    if (!doc_.hasVideo()) return;
    frame = std::clamp<int64_t>(frame, 0, doc_.frameCount() - 1);
    if (frame == frame_) return;
    frame_ = frame;
    timecode_->setText(timecode(frame, doc_.frameRate()));
    {
        const QSignalBlocker block(frame_box_);
        frame_box_->setValue(int(frame));
    }
    timeline_->view()->setPlayhead(frame);
    frames_->request(frame);
    updateFaces();
    updateSyncHere();
}

void MainWindow::updateSyncHere() {
    const double r = doc_.syncAround(frame_);
    if (std::isnan(r)) {
        sync_here_->clear();
        return;
    }
    sync_here_->setText(tr("lip sync here: r %1").arg(r, 0, 'f', 2));
    sync_here_->setStyleSheet(theme::textColourStyle(theme::syncColour(r)));
}

void MainWindow::onFrameDecoded(qint64 frame, const QImage& img) {
    if (frame != frame_ && isPlaying()) {
        // Late frame while playing: still show it, the clock has moved on.
    }
    shown_frame_ = frame;
    preview_->setOriginal(img);
    showGeneratedFor(frame);
}

void MainWindow::showGeneratedFor(int64_t frame) {
    // The generated picture of this frame, when a preview or the export made one.
    if (dub_->hasGenerated(frame))
        preview_->setGenerated(dub_->generatedFrame(frame), frame == preview_frame_ ? preview_mask_ : QImage());
    else
        preview_->clearGenerated();
}

void MainWindow::updateFaces() {
    const QList<QRectF> faces = doc_.media().facesNear(frame_);
    int chosen = -1;
    const auto tracked = doc_.chosenFaceAt(frame_);
    if (doc_.media().faceScan().tracking) {
        // The face the dub will repaint here (followed from the choice), or none.
        double best = 0;
        for (int i = 0; tracked && i < faces.size(); ++i) {
            const QRectF b(tracked->box.x, tracked->box.y, tracked->box.width, tracked->box.height);
            const QRectF in = faces[i].intersected(b);
            const double iou = in.width() * in.height() /
                               (faces[i].width() * faces[i].height() + b.width() * b.height() - in.width() * in.height());
            if (iou > best) best = iou, chosen = i;
        }
    } else if (const auto& f = doc_.project().face) {
        double best = 1e18;
        for (int i = 0; i < faces.size(); ++i) {
            const QPointF c = faces[i].center();
            const double d = std::hypot(c.x() - f->x, c.y() - f->y);
            if (d < best) best = d, chosen = i;
        }
    } else {
        double area = -1;
        for (int i = 0; i < faces.size(); ++i)
            if (faces[i].width() * faces[i].height() > area) area = faces[i].width() * faces[i].height(), chosen = i;
    }
    preview_->setFaces(faces, chosen);

    // The mask outline from the tracked landmarks, with the dub's own crop and mask code,
    // so the region that will change is visible before anything is generated.
    QPainterPath outline;
    const auto& model = doc_.project().model_path;
    const std::string model_file = (model.empty() ? core::defaultModelPath() : model).string();
    if (model_file != mask_geometry_for_) {
        mask_geometry_for_ = model_file;
        mask_geometry_.reset();
        try {
            mask_geometry_ = std::make_shared<core::ModelGeometry>(core::modelGeometry(model_file));
        } catch (const std::exception& e) {
            log::ui()->debug("no mask outline: {}", e.what());
        }
    }
    if (tracked && mask_geometry_) {
        try {
            const core::Crop crop = core::computeCrop(*tracked, mask_geometry_->crop);
            const cv::Mat hard = core::pasteMask(*tracked, crop, mask_geometry_->mask);
            for (const auto& poly : core::maskOutline(hard, crop, core::CompositeParams::defaults().feather_px)) {
                // + 0.5: core puts pixel centres at integers, QPainter at half pixels.
                outline.moveTo(poly[0].x + 0.5, poly[0].y + 0.5);
                for (size_t i = 1; i < poly.size(); ++i) outline.lineTo(poly[i].x + 0.5, poly[i].y + 0.5);
                outline.closeSubpath();
            }
        } catch (const Error& e) {  // a degenerate face: no outline
            log::ui()->debug("no mask outline at frame {}: {}", frame_, e.what());
        }
    }
    preview_->setPlannedMask(outline);
}

void MainWindow::updateAudioBuffer() {
    // The player gets the chosen track already shifted by the offset, so its
    // position is video time directly.
    auto src = doc_.media().playbackAudio(audio_lane_);
    const int64_t offset = audio_lane_ == Lane::Speech ? doc_.project().offset_samples : 0;
    if (!src) {
        player_->setBuffer(nullptr);
        shifted_audio_.reset();
        shifted_from_ = nullptr;
        return;
    }
    if (src.get() == shifted_from_ && offset == shifted_for_offset_) return;
    auto out = std::make_shared<media::AudioBuffer>();
    out->sample_rate = src->sample_rate;
    out->channels = src->channels;
    const int64_t shift = offset * src->sample_rate / core::kOffsetSampleRate;  // frames
    const int64_t n = src->frames();
    const int ch = src->channels;
    if (shift >= 0) {
        out->samples.assign(size_t((n + shift) * ch), 0.f);
        std::copy(src->samples.begin(), src->samples.end(), out->samples.begin() + shift * ch);
    } else if (-shift < n) {
        out->samples.assign(src->samples.begin() + (-shift) * ch, src->samples.end());
    }
    shifted_audio_ = out;
    shifted_from_ = src.get();
    shifted_for_offset_ = offset;
    player_->setBuffer(shifted_audio_);
}

void MainWindow::play(int speed) {
    if (!doc_.hasVideo()) return;
    if (speed == 0) return pause();
    speed = std::clamp(speed, -8, 8);
    if (frame_ >= doc_.frameCount() - 1 && speed > 0) seek(0);
    play_speed_ = speed;
    play_start_frame_ = frame_;  // the clock restarts from here at the new speed
    play_clock_.start();
    if (speed == 1) {
        updateAudioBuffer();
        if (shifted_audio_) player_->play(doc_.frameToSeconds(frame_));
    } else {
        player_->pause();  // sound only at 1x forwards
    }
    a_play_->setIcon(glyphIcon(Glyph::Pause));
    speed_->setText(QStringLiteral("%1%2\u00d7").arg(speed < 0 ? QStringLiteral("\u2212") : QString()).arg(std::abs(speed)));
    play_timer_.start();
}

void MainWindow::pause() {
    if (!play_speed_) return;
    play_speed_ = 0;
    play_timer_.stop();
    player_->pause();
    a_play_->setIcon(glyphIcon(Glyph::Play));
    speed_->clear();
}

void MainWindow::shuttle(int direction) {
    if (!doc_.hasVideo()) return;
    direction = direction < 0 ? -1 : 1;
    if (k_held_) {
        pause();
        seek(frame_ + direction);
        return;
    }
    if (play_speed_ * direction > 0)
        play(std::min(std::abs(play_speed_) * 2, 8) * direction);
    else
        play(direction);
}

void MainWindow::shuttleStop() {
    k_held_ = true;
    pause();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    // K's release can reach any widget (or none of ours): watch the whole application.
    if (event->type() == QEvent::KeyRelease) {
        const auto* k = static_cast<QKeyEvent*>(event);
        if (k->key() == Qt::Key_K && !k->isAutoRepeat()) k_held_ = false;
    } else if (event->type() == QEvent::ApplicationDeactivate) {
        k_held_ = false;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onTick() {
    double t;
    if (play_speed_ == 1 && shifted_audio_ && player_->playing())
        t = player_->positionS();  // the audio clock drives the picture
    else
        t = doc_.frameToSeconds(play_start_frame_) + play_speed_ * play_clock_.elapsed() / 1000.0;
    const int64_t f = doc_.secondsToFrame(t + 1e-6);
    if ((play_speed_ > 0 && f >= doc_.frameCount()) || (play_speed_ < 0 && f < 0)) {
        seek(play_speed_ > 0 ? doc_.frameCount() - 1 : 0);
        pause();
        return;
    }
    seek(f);
}

void MainWindow::setWipeView(bool wipe) { (wipe ? a_wipe_ : a_side_)->trigger(); }

void MainWindow::markIn() {
    mark_in_ = frame_;
    statusBar()->showMessage(tr("Range starts at frame %1; move to its end and press O").arg(frame_), 5000);
}

void MainWindow::markOut() {
    if (mark_in_ < 0) {
        statusBar()->showMessage(tr("Press I at the start of the range first"), 4000);
        return;
    }
    doc_.requestAddRange({std::min(mark_in_, frame_), std::max(mark_in_, frame_) + 1});
    mark_in_ = -1;
}

void MainWindow::keyPressEvent(QKeyEvent* e) { QMainWindow::keyPressEvent(e); }

void MainWindow::settle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    doc_.media().waitForAnalysis();
    while (t.elapsed() < timeout_ms && doc_.hasVideo() && shown_frame_ != frame_) {
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
    preview_->clearGenerated();
    preview_->setMessage(tr("Generating frame %1\u2026").arg(frame_));
    dub_->previewFrame(frame_);
}

void MainWindow::openExportDialog() {
    QStringList models = QSettings().value("models/imported").toStringList();
    ExportDialog dlg(doc_.project(), models, this);
    if (dlg.exec() != QDialog::Accepted) return;
    doc_.requestExportSettings(dlg.exportSettings());
    doc_.requestModel(dlg.modelPath().toStdString());
    doc_.requestSteps(dlg.steps());
    doc_.requestSeed(dlg.seed());
    doc_.requestDevice(dlg.device().toStdString());
    exportTo(dlg.outputPath());
}

void MainWindow::newSpeechFromText(const QString& text, const QString& voice, double rate) {
    // Beside the project, else beside the video, else in the application's data folder.
    QString dir = !doc_.projectFile().isEmpty() ? QFileInfo(doc_.projectFile()).absolutePath()
                  : doc_.hasVideo() ? QFileInfo(QString::fromStdString(doc_.project().video_path.string())).absolutePath()
                                    : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    const QString out = QDir(dir).filePath(
        QStringLiteral("speech-%1.wav").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"))));
    media_job_ = true;
    dub_->speakText(text, voice, rate, out);
}

void MainWindow::newFromPhoto(const QString& photo) {
    const auto& speech = doc_.speechInfo();
    const double seconds = speech && speech->audio ? std::max(1.0, speech->audio->duration_s) : 10.0;
    const QFileInfo fi(photo);
    QString out = fi.absoluteDir().filePath(fi.completeBaseName() + QStringLiteral("-moving.mp4"));
    for (int k = 2; QFileInfo::exists(out); ++k)  // never over a file the user already has
        out = fi.absoluteDir().filePath(fi.completeBaseName() + QStringLiteral("-moving-%1.mp4").arg(k));
    media_job_ = true;
    dub_->renderPhoto(photo, seconds, out);
}

void MainWindow::exportTo(const QString& output) {
    pause();
    log::ui()->info("export to {}", output.toStdString());
    dub_->exportVideo(output);
}

void MainWindow::generateAll() {
    pause();
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    QDir().mkpath(dir);
    scratch_output_ = QDir(dir).filePath(QStringLiteral("generated-%1.mp4").arg(QCoreApplication::applicationPid()));
    dub_->exportVideo(scratch_output_);
}

void MainWindow::onJobFinished(bool ok, bool cancelled, const QString& message, const QString& output) {
    preview_->setMessage({});
    updateActions();
    if (!scratch_output_.isEmpty()) {
        // generateAll(): the frames are in the editor; the file is not wanted.
        QFile::remove(scratch_output_);
        scratch_output_.clear();
        if (ok) {
            statusBar()->showMessage(tr("Generated %1 frames; play or step through them").arg(dub_->generatedCount()),
                                     8000);
            return;
        }
    }
    if (std::exchange(media_job_, false) && ok) {  // loaded by speechReady / videoReady
        statusBar()->showMessage(message, 8000);
        log::ui()->info("{}", message.toStdString());
        return;
    }
    if (cancelled) {
        statusBar()->showMessage(tr("Cancelled; nothing was written"), 6000);
        log::ui()->info("cancelled");
        return;
    }
    if (!ok) {
        showError(tr("Generation failed"), message);
        return;
    }
    statusBar()->showMessage(message, 8000);
    if (output.isEmpty()) return;
    log::ui()->info("{}", message.toStdString());
    auto* box = new QMessageBox(QMessageBox::Information, tr("Export finished"),
                                tr("The dubbed video is ready:<br><b>%1</b>").arg(output.toHtmlEscaped()),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("exportDoneDialog"));
    box->setInformativeText(message);
    QPushButton* show = box->addButton(tr("Show in Folder"), QMessageBox::ActionRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [show, output](QAbstractButton* b) {
        if (b == show) QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(output).absolutePath()));
    });
    box->open();
}

}  // namespace redub::ui
