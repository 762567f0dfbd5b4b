#include "ui/transport_bar.hpp"

#include "ui/theme.hpp"
#include "ui/timeline.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QToolButton>

#include <cmath>

namespace redub::ui {

TransportBar::TransportBar(const QList<QAction*>& buttons, QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("transportBar"));
    setAttribute(Qt::WA_StyledBackground);  // else a QWidget subclass ignores its style sheet background
    setStyleSheet(theme::transportBarStyle());
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(10, 4, 10, 4);
    h->setSpacing(2);
    timecode_ = new QLabel(QStringLiteral("00:00:00:00"), this);
    timecode_->setStyleSheet(theme::timecodeStyle());
    duration_ = new QLabel(QStringLiteral("/ 00:00:00:00"), this);
    duration_->setStyleSheet(theme::durationStyle());
    h->addWidget(timecode_);
    h->addWidget(duration_);
    h->addStretch(1);
    for (QAction* a : buttons) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setAutoRaise(true);
        b->setIconSize(QSize(20, 20));
        h->addWidget(b);
    }
    speed_ = new QLabel(this);
    speed_->setObjectName(QStringLiteral("speedLabel"));
    speed_->setToolTip(tr("Playback speed: J/L play and speed up (2\u00d7, 4\u00d7, 8\u00d7), K pauses"));
    speed_->setMinimumWidth(40);
    speed_->setAlignment(Qt::AlignCenter);
    speed_->setStyleSheet(theme::speedStyle());
    h->addWidget(speed_);
    sync_here_ = new QLabel(this);
    sync_here_->setObjectName(QStringLiteral("syncHereLabel"));
    sync_here_->setToolTip(tr("Lip sync of the source's mouth with the new speech in the range at the playhead "
                              "(or the 2 s around it): r >= 0.5 follows, below 0.2 does not"));
    h->addSpacing(12);
    h->addWidget(sync_here_);
    h->addStretch(1);
    auto* frame_label = new QLabel(tr("Frame"), this);
    frame_label->setStyleSheet(theme::fieldLabelStyle());
    frame_box_ = new QSpinBox(this);
    frame_box_->setObjectName(QStringLiteral("frameBox"));
    frame_box_->setRange(0, 0);
    frame_box_->setKeyboardTracking(false);
    frame_box_->setMinimumWidth(80);
    connect(frame_box_, &QSpinBox::valueChanged, this, [this](int f) { Q_EMIT frameEntered(f); });
    h->addWidget(frame_label);
    h->addWidget(frame_box_);
}

void TransportBar::setLength(int64_t frames, Rational fps) {
    frame_box_->setRange(0, int(std::max<int64_t>(0, frames - 1)));
    duration_->setText(QStringLiteral("/ ") + timecode(frames, fps));
}

void TransportBar::setFrame(int64_t frame, Rational fps) {
    timecode_->setText(timecode(frame, fps));
    const QSignalBlocker block(frame_box_);
    frame_box_->setValue(int(frame));
}

void TransportBar::setSpeed(int speed) {
    if (speed == 0) {
        speed_->clear();
        return;
    }
    speed_->setText(
        QStringLiteral("%1%2\u00d7").arg(speed < 0 ? QStringLiteral("\u2212") : QString()).arg(std::abs(speed)));
}

void TransportBar::setSyncHere(double r) {
    if (std::isnan(r)) {
        sync_here_->clear();
        return;
    }
    sync_here_->setText(tr("lip sync here: r %1").arg(r, 0, 'f', 2));
    sync_here_->setStyleSheet(theme::textColourStyle(theme::syncColour(r)));
}

}  // namespace redub::ui
