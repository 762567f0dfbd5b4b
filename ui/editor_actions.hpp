// The editor's actions (with their shortcuts and icons) and where they appear: the
// menu bar and the toolbar. The main window connects what they do.
#pragma once

#include <QObject>

class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;
class QUndoStack;

namespace redub::ui {

class EditorActions : public QObject {
    Q_OBJECT
public:
    // Creates the actions, the menus and the toolbar of `window`.
    EditorActions(QMainWindow* window, QUndoStack* undo);

    QAction *new_, *open_, *add_speech_, *speech_text_, *from_photo_, *open_project_, *save_, *save_as_, *export_,
        *quit_;
    QAction *undo_, *redo_, *clear_ranges_, *auto_face_, *mark_in_, *mark_out_;
    QAction *play_, *back_, *stop_, *forward_, *prev_, *next_, *start_, *end_, *audio_speech_, *audio_source_;
    QAction *preview_, *generate_, *draft_, *cancel_, *side_, *wipe_, *overlays_, *fit_;
    QAction *model_default_, *model_import_, *learn_;
    QActionGroup* devices_;  // one checkable action a core::devices() entry, the name as data
    QMenu* recent_menu_;     // File > Open Recent (filled when it opens)
    QMenu* view_menu_;
    QMenu* model_menu_;

private:
    void createActions(QUndoStack* undo);
    void buildMenus();
    void buildToolBar();
    void showShortcuts();
    void showAbout();

    QMainWindow* window_;
};

}  // namespace redub::ui
