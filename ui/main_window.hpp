#pragma once

#include <QMainWindow>

namespace redub::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace redub::ui
