#include "ui/main_window.hpp"

#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

namespace redub::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Redub"));
    resize(1280, 800);
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    setCentralWidget(new QLabel(tr("Drop a video and a speech recording here"), this));
    statusBar()->showMessage(tr("Ready"));
}

}  // namespace redub::ui
