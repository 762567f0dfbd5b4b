#include "ui/editor_actions.hpp"

#include "core/project/project.hpp"
#include "redub/log.hpp"
#include "ui/theme.hpp"

#include <QAction>
#include <QActionGroup>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

namespace redub::ui {

EditorActions::EditorActions(QMainWindow* window, QUndoStack* undo) : QObject(window), window_(window) {
    createActions(undo);
    buildMenus();
    buildToolBar();
}

void EditorActions::createActions(QUndoStack* undo) {
    auto make = [this](const QString& text, const QKeySequence& key,
                       QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
        auto* a = new QAction(text, window_);
        if (!key.isEmpty()) a->setShortcut(key);
        if (icon != QStyle::SP_CustomBase) a->setIcon(window_->style()->standardIcon(icon));
        return a;
    };
    // One of `actions` is checked at a time.
    auto exclusive = [this](std::initializer_list<QAction*> actions) {
        auto* group = new QActionGroup(this);
        for (QAction* a : actions) {
            a->setCheckable(true);
            group->addAction(a);
        }
    };
    new_ = make(tr("&New Project"), QKeySequence::New, QStyle::SP_FileIcon);
    open_ = make(tr("&Open Video\u2026"), QKeySequence::Open, QStyle::SP_DialogOpenButton);
    add_speech_ =
        make(tr("&Add Speech\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), QStyle::SP_MediaVolume);
    open_project_ = make(tr("Open &Project\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    speech_text_ = make(tr("New Speech from &Text\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    from_photo_ = make(tr("New from P&hoto\u2026"), QKeySequence());
    save_ = make(tr("&Save Project"), QKeySequence::Save, QStyle::SP_DialogSaveButton);
    save_as_ = make(tr("Save Project &As\u2026"), QKeySequence::SaveAs);
    export_ = make(tr("&Export\u2026"), QKeySequence(Qt::CTRL | Qt::Key_E), QStyle::SP_DialogApplyButton);
    quit_ = make(tr("&Quit"), QKeySequence::Quit);
    undo_ = undo->createUndoAction(window_, tr("&Undo"));
    undo_->setShortcut(QKeySequence::Undo);
    undo_->setIcon(window_->style()->standardIcon(QStyle::SP_ArrowBack));
    redo_ = undo->createRedoAction(window_, tr("&Redo"));
    redo_->setShortcut(QKeySequence::Redo);
    redo_->setIcon(window_->style()->standardIcon(QStyle::SP_ArrowForward));
    clear_ranges_ = make(tr("Re-sync the &Whole Video (clear ranges)"), {});
    auto_face_ = make(tr("&Automatic Face (largest)"), {});
    mark_in_ = make(tr("Mark Range &In"), QKeySequence(Qt::Key_I));
    mark_out_ = make(tr("Mark Range &Out"), QKeySequence(Qt::Key_O));
    play_ = make(tr("&Play / Pause"), QKeySequence(Qt::Key_Space));
    play_->setIcon(glyphIcon(Glyph::Play));
    back_ = make(tr("Play Backwards / Faster (J)"), QKeySequence(Qt::Key_J));
    stop_ = make(tr("Pause (K)"), QKeySequence(Qt::Key_K));
    forward_ = make(tr("Play Forwards / Faster (L)"), QKeySequence(Qt::Key_L));
    prev_ = make(tr("Previous Frame"), QKeySequence(Qt::Key_Left));
    prev_->setIcon(glyphIcon(Glyph::StepBack));
    next_ = make(tr("Next Frame"), QKeySequence(Qt::Key_Right));
    next_->setIcon(glyphIcon(Glyph::StepForward));
    start_ = make(tr("Go to Start"), QKeySequence(Qt::Key_Home));
    start_->setIcon(glyphIcon(Glyph::ToStart));
    end_ = make(tr("Go to End"), QKeySequence(Qt::Key_End));
    end_->setIcon(glyphIcon(Glyph::ToEnd));
    audio_speech_ = make(tr("Hear the &New Speech"), {});
    audio_source_ = make(tr("Hear the &Original Audio"), {});
    exclusive({audio_speech_, audio_source_});
    audio_speech_->setChecked(true);
    preview_ = make(tr("&Preview Frame"), QKeySequence(Qt::Key_P), QStyle::SP_BrowserReload);
    preview_->setToolTip(tr("Generate the current frame now (P)"));
    generate_ = make(tr("&Generate All"), QKeySequence(Qt::CTRL | Qt::Key_G));
    generate_->setIcon(glyphIcon(Glyph::Generate));
    generate_->setToolTip(tr("Generate every frame (or the selected ranges) to watch them in the editor (Ctrl+G)"));
    draft_ = make(tr("&Draft Quality"), QKeySequence(Qt::CTRL | Qt::Key_D));
    draft_->setCheckable(true);
    draft_->setToolTip(tr("Fast previews while you work: fewer sampler steps and no detail stages; the frame at "
                          "the playhead is generated as you scrub. Export is always at full quality (Ctrl+D)"));
    cancel_ = make(tr("&Cancel Job"), QKeySequence(Qt::Key_Escape), QStyle::SP_BrowserStop);
    side_ = make(tr("&Side by Side"), QKeySequence(Qt::Key_1));
    wipe_ = make(tr("&Wipe"), QKeySequence(Qt::Key_2));
    exclusive({side_, wipe_});
    side_->setChecked(true);
    overlays_ = make(tr("Face and Mask &Overlays"), QKeySequence(Qt::Key_F));
    overlays_->setCheckable(true);
    overlays_->setChecked(true);
    fit_ = make(tr("Zoom Timeline to &Fit"), {});
    model_default_ = make(tr("&Bundled Default Model"), {});
    model_default_->setCheckable(true);
    model_import_ = make(tr("&Import Diff2Lip Checkpoint\u2026"), {});
    learn_ = make(tr("&Learn This Speaker\u2026"), {});
    learn_->setToolTip(tr("Train the model on this clip's own speech so the mouth looks like this speaker's"));
    devices_ = new QActionGroup(this);
    for (const auto& d : core::devices()) {
        QAction* a = make(d == "auto"  ? tr("Automatic (GPU when available)")
                          : d == "cpu" ? tr("CPU")
                                       : tr("CUDA GPU"),
                          {});
        a->setData(QString::fromStdString(d));
        a->setCheckable(true);
        devices_->addAction(a);
    }
}

void EditorActions::buildMenus() {
    QMenuBar* bar = window_->menuBar();
    QMenu* file = bar->addMenu(tr("&File"));
    file->addActions({new_, open_, add_speech_, speech_text_, from_photo_, open_project_});
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addActions({save_, save_as_});
    file->addSeparator();
    file->addAction(export_);
    file->addSeparator();
    file->addAction(quit_);

    QMenu* edit = bar->addMenu(tr("&Edit"));
    edit->addActions({undo_, redo_});
    edit->addSeparator();
    edit->addActions({mark_in_, mark_out_, clear_ranges_});
    edit->addSeparator();
    edit->addAction(auto_face_);

    view_menu_ = bar->addMenu(tr("&View"));
    view_menu_->addActions({side_, wipe_, overlays_});
    view_menu_->addSeparator();
    view_menu_->addAction(fit_);

    QMenu* playback = bar->addMenu(tr("&Playback"));
    playback->addActions({play_, back_, stop_, forward_});
    playback->addSeparator();
    playback->addActions({prev_, next_, start_, end_});
    playback->addSeparator();
    playback->addActions({audio_speech_, audio_source_});

    QMenu* gen = bar->addMenu(tr("&Generate"));
    gen->addActions({preview_, generate_, draft_});
    gen->addSeparator();
    gen->addActions({export_, cancel_});

    model_menu_ = bar->addMenu(tr("&Model"));
    model_menu_->addActions({model_default_, model_import_, learn_});
    model_menu_->addSeparator();
    model_menu_->addMenu(tr("&Device"))->addActions(devices_->actions());

    QMenu* help = bar->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, &EditorActions::showShortcuts);
    help->addAction(tr("&About Redub"), this, &EditorActions::showAbout);
}

void EditorActions::buildToolBar() {
    QToolBar* tb = window_->addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setMovable(false);
    tb->setIconSize(QSize(18, 18));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addActions({open_, add_speech_, save_});
    tb->addSeparator();
    tb->addActions({undo_, redo_});
    tb->addSeparator();
    tb->addActions({side_, wipe_});
    auto* spacer = new QWidget(tb);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    tb->addWidget(spacer);
    tb->addActions({preview_, draft_, generate_, export_});
    // The primary action stands out.
    if (auto* b = qobject_cast<QToolButton*>(tb->widgetForAction(export_))) b->setStyleSheet(theme::primaryButtonStyle());
}

void EditorActions::showShortcuts() {
    QMessageBox::information(window_, tr("Keyboard shortcuts"),
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
}

void EditorActions::showAbout() {
    QMessageBox::about(window_, tr("About Redub"),
                       tr("<b>Redub %1</b><br>Re-synchronises a speaker's lips to new speech with an "
                          "audio-conditioned diffusion model.")
                           .arg(QString::fromStdString(std::string(log::version()))));
}

}  // namespace redub::ui
