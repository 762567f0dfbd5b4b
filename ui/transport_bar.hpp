// The bar under the preview: the timecode and the length, the transport buttons,
// the playback speed, the lip-sync meter at the playhead and a frame number box.
#pragma once

#include "redub/rational.hpp"

#include <QList>
#include <QWidget>

class QAction;
class QLabel;
class QSpinBox;

namespace redub::ui {

class TransportBar : public QWidget {
    Q_OBJECT
public:
    // `buttons`: the actions shown as buttons in the middle (start, previous, play...).
    TransportBar(const QList<QAction*>& buttons, QWidget* parent = nullptr);

    void setLength(int64_t frames, Rational fps);
    void setFrame(int64_t frame, Rational fps);
    void setSpeed(int speed);    // 0: paused (nothing shown)
    void setSyncHere(double r);  // NaN: nothing to show

Q_SIGNALS:
    void frameEntered(qint64 frame);  // typed into the frame box

private:
    QLabel* timecode_;
    QLabel* duration_;
    QLabel* speed_;
    QLabel* sync_here_;
    QSpinBox* frame_box_;
};

}  // namespace redub::ui
