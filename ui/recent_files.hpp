// The files opened lately (QSettings "recentFiles", the latest first) in the
// File > Open Recent menu, and the folder the file dialogs start in ("lastDir").
#pragma once

#include <QObject>

class QMenu;

namespace redub::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    // Fills `menu` each time it opens.
    RecentFiles(QMenu* menu, QObject* parent);

    // Puts `path` first in the list; its folder becomes the last folder.
    static void add(const QString& path);
    static QString lastFolder();

Q_SIGNALS:
    void chosen(const QString& path);

private:
    void rebuild();
    QMenu* menu_;
};

}  // namespace redub::ui
