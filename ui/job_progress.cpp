#include "ui/job_progress.hpp"

#include "ui/dub_controller.hpp"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include <cmath>

namespace redub::ui {

JobProgress::JobProgress(DubController* dub, QStatusBar* status_bar) : QObject(status_bar) {
    bar_ = new QProgressBar(status_bar);
    bar_->setObjectName(QStringLiteral("jobProgress"));
    bar_->setRange(0, 1000);
    bar_->setFixedWidth(220);
    bar_->setTextVisible(true);
    eta_ = new QLabel(status_bar);
    cancel_ = new QPushButton(tr("Cancel"), status_bar);
    cancel_->setObjectName(QStringLiteral("cancelButton"));
    for (QWidget* w : {static_cast<QWidget*>(bar_), static_cast<QWidget*>(eta_), static_cast<QWidget*>(cancel_)}) {
        w->hide();
        status_bar->addPermanentWidget(w);
    }
    connect(cancel_, &QPushButton::clicked, dub, &DubController::cancel);
    connect(dub, &DubController::busyChanged, this, &JobProgress::setBusy);
    connect(dub, &DubController::progress, this, [this](const QString& stage, double fraction, double eta) {
        bar_->setValue(int(std::lround(fraction * 1000)));
        bar_->setFormat(QStringLiteral("%1  %p%").arg(stage));
        eta_->setText(eta >= 0 ? tr("ETA %1:%2").arg(int(eta) / 60).arg(int(eta) % 60, 2, 10, QLatin1Char('0'))
                               : QString());
    });
}

void JobProgress::setBusy(bool busy) {
    bar_->setVisible(busy);
    cancel_->setVisible(busy);
    eta_->setVisible(busy);
    bar_->setValue(0);
    eta_->clear();
}

}  // namespace redub::ui
