#include "ui/recent_files.hpp"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace redub::ui {
namespace {
constexpr int kMaxRecent = 10;
}

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), menu_(menu) {
    connect(menu_, &QMenu::aboutToShow, this, &RecentFiles::rebuild);
}

void RecentFiles::add(const QString& path) {
    QSettings s;
    QStringList list = s.value("recentFiles").toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecent) list.removeLast();
    s.setValue("recentFiles", list);
    s.setValue("lastDir", QFileInfo(abs).absolutePath());
}

QString RecentFiles::lastFolder() { return QSettings().value("lastDir").toString(); }

void RecentFiles::rebuild() {
    menu_->clear();
    const QStringList list = QSettings().value("recentFiles").toStringList();
    for (const QString& f : list) {
        QAction* a = menu_->addAction(QFileInfo(f).fileName());
        a->setToolTip(f);
        a->setStatusTip(f);
        connect(a, &QAction::triggered, this, [this, f] { Q_EMIT chosen(f); });
    }
    if (list.isEmpty()) menu_->addAction(tr("(none)"))->setEnabled(false);
    menu_->addSeparator();
    menu_->addAction(tr("Clear the list"), this, [] { QSettings().remove("recentFiles"); });
}

}  // namespace redub::ui
