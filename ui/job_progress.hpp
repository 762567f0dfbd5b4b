// The status bar's job progress: the stage and a bar, the time left and a Cancel
// button, shown while the DubController is busy.
#pragma once

#include <QObject>

class QLabel;
class QProgressBar;
class QPushButton;
class QStatusBar;

namespace redub::ui {

class DubController;

class JobProgress : public QObject {
    Q_OBJECT
public:
    // Adds its widgets to `status_bar` as permanent widgets.
    JobProgress(DubController* dub, QStatusBar* status_bar);

private:
    void setBusy(bool busy);

    QProgressBar* bar_;
    QLabel* eta_;
    QPushButton* cancel_;
};

}  // namespace redub::ui
