#include "ui/preview_view.hpp"

#include "ui/theme.hpp"

#include <QMouseEvent>
#include <QPainter>

#include <opencv2/imgproc.hpp>

namespace redub::ui {
namespace {

constexpr int kMargin = 14;
constexpr int kLabelHeight = 22;

// The outline of the mask's non-zero region, as a path in mask pixels.
QPainterPath outlineOf(const QImage& mask) {
    QPainterPath path;
    if (mask.isNull()) return path;
    const QImage m = mask.convertToFormat(QImage::Format_Grayscale8);
    cv::Mat mat(m.height(), m.width(), CV_8U, const_cast<uchar*>(m.constBits()), size_t(m.bytesPerLine()));
    cv::Mat bin;
    cv::threshold(mat, bin, 127, 255, cv::THRESH_BINARY);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(bin, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    for (const auto& c : contours) {
        if (c.size() < 3) continue;
        path.moveTo(c[0].x + 0.5, c[0].y + 0.5);
        for (size_t i = 1; i < c.size(); ++i) path.lineTo(c[i].x + 0.5, c[i].y + 0.5);
        path.closeSubpath();
    }
    return path;
}

}  // namespace

PreviewView::PreviewView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("previewView"));
    setMinimumSize(360, 220);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void PreviewView::setOriginal(const QImage& frame) {
    original_ = frame;
    update();
}

void PreviewView::setGenerated(const QImage& frame, const QImage& mask) {
    generated_ = frame;
    mask_outline_ = outlineOf(mask);
    message_.clear();
    update();
}

void PreviewView::clearGenerated() {
    generated_ = {};
    mask_outline_ = {};
    update();
}

void PreviewView::setPlannedMask(const QPainterPath& outline) {
    planned_outline_ = outline;
    update();
}

void PreviewView::setFaces(const QList<QRectF>& faces, int chosen) {
    faces_ = faces;
    chosen_ = chosen;
    update();
}

void PreviewView::setMode(Mode m) {
    mode_ = m;
    update();
}

void PreviewView::setWipe(double fraction) {
    wipe_ = std::clamp(fraction, 0.0, 1.0);
    update();
}

void PreviewView::setShowOverlays(bool on) {
    overlays_ = on;
    update();
}

void PreviewView::setMessage(const QString& text) {
    message_ = text;
    update();
}

QRectF PreviewView::fitRect(const QRectF& area) const {
    QSizeF s = original_.isNull() ? QSizeF(4, 3) : QSizeF(original_.size());
    s.scale(area.size(), Qt::KeepAspectRatio);
    return QRectF(area.center().x() - s.width() / 2, area.center().y() - s.height() / 2, s.width(), s.height());
}

QRectF PreviewView::originalRect() const {
    const QRectF all = QRectF(rect()).adjusted(kMargin, kMargin + kLabelHeight, -kMargin, -kMargin);
    if (mode_ == Mode::Wipe) return fitRect(all);
    return fitRect(QRectF(all.left(), all.top(), all.width() / 2 - kMargin / 2, all.height()));
}

QRectF PreviewView::generatedRect() const {
    const QRectF all = QRectF(rect()).adjusted(kMargin, kMargin + kLabelHeight, -kMargin, -kMargin);
    if (mode_ == Mode::Wipe) return fitRect(all);
    return fitRect(QRectF(all.center().x() + kMargin / 2, all.top(), all.width() / 2 - kMargin / 2, all.height()));
}

void PreviewView::paintPanelLabel(QPainter& p, const QRectF& area, const QString& text) {
    p.setPen(theme::kDimText);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    f.setCapitalization(QFont::AllUppercase);
    f.setLetterSpacing(QFont::PercentageSpacing, 108);
    p.setFont(f);
    p.drawText(QRectF(area.left(), area.top() - kLabelHeight, area.width(), kLabelHeight - 4),
               Qt::AlignLeft | Qt::AlignBottom, text);
    p.setFont(font());
}

void PreviewView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(0x17, 0x18, 0x1b));
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.setRenderHint(QPainter::Antialiasing, true);

    if (original_.isNull()) {
        p.setPen(theme::kDimText);
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.3);
        p.setFont(f);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("Drop a video and the new speech here\n(or a video whose audio is the new speech)"));
        return;
    }

    const QRectF orig = originalRect(), gen = generatedRect();
    auto frameBorder = [&](const QRectF& r) {
        p.setPen(QPen(QColor(0x3a, 0x3d, 0x43), 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5));
    };
    if (mode_ == Mode::SideBySide) {
        paintPanelLabel(p, orig, tr("Original"));
        paintPanelLabel(p, gen, generated_.isNull() ? tr("Generated  \u2014  not generated yet") : tr("Generated"));
        p.drawImage(orig, original_);
        if (!generated_.isNull()) {
            p.drawImage(gen, generated_);
        } else {
            // The original, dimmed, so the layout does not jump when a preview arrives.
            p.drawImage(gen, original_);
            p.fillRect(gen, QColor(0x17, 0x18, 0x1b, 190));
            p.setPen(theme::kDimText);
            p.drawText(gen, Qt::AlignCenter,
                       message_.isEmpty() ? tr("Press  Preview frame  (P)\nto generate this frame") : message_);
        }
        frameBorder(orig);
        frameBorder(gen);
        if (overlays_) {
            paintOverlays(p, orig);
            if (!generated_.isNull()) paintOverlays(p, gen);
        }
        if (!message_.isEmpty() && !generated_.isNull()) {
            p.setPen(theme::kText);
            p.drawText(gen.adjusted(8, 8, -8, -8), Qt::AlignLeft | Qt::AlignTop, message_);
        }
    } else {
        paintPanelLabel(p, orig, tr("Original  \u25c2 wipe \u25b8  Generated"));
        const QImage& right = generated_.isNull() ? original_ : generated_;
        p.drawImage(orig, right);
        const double split = orig.left() + wipe_ * orig.width();
        p.save();
        p.setClipRect(QRectF(orig.left(), orig.top(), split - orig.left(), orig.height()));
        p.drawImage(orig, original_);
        p.restore();
        frameBorder(orig);
        if (overlays_) paintOverlays(p, orig);
        p.setPen(QPen(Qt::white, 2));
        p.drawLine(QPointF(split, orig.top()), QPointF(split, orig.bottom()));
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(split, orig.center().y()), 7, 7);
        if (generated_.isNull()) {
            p.setPen(theme::kDimText);
            p.drawText(orig.adjusted(8, 8, -8, -8), Qt::AlignRight | Qt::AlignTop,
                       message_.isEmpty() ? tr("not generated yet") : message_);
        }
    }
}

void PreviewView::paintOverlays(QPainter& p, const QRectF& target) {
    const double sx = target.width() / original_.width(), sy = target.height() / original_.height();
    p.save();
    p.setClipRect(target);
    for (int i = 0; i < faces_.size(); ++i) {
        const QRectF& f = faces_[i];
        const QRectF r(target.left() + f.left() * sx, target.top() + f.top() * sy, f.width() * sx, f.height() * sy);
        const bool chosen = i == chosen_ || (chosen_ < 0 && faces_.size() == 1);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(chosen ? theme::kAccent : QColor(0xdc, 0xde, 0xe2, 150), chosen ? 2 : 1,
                      chosen ? Qt::SolidLine : Qt::DashLine));
        p.drawRoundedRect(r, 3, 3);
    }
    if (const QPainterPath outline = maskOutline(); !outline.isEmpty()) {
        QTransform t;
        t.translate(target.left(), target.top());
        t.scale(sx, sy);
        p.setPen(QPen(theme::kSpeech, 1.5, Qt::DashLine));
        p.setBrush(QColor(0xe8, 0x9b, 0x3c, 28));
        p.drawPath(t.map(outline));
    }
    p.restore();
}

void PreviewView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || original_.isNull()) return;
    const QRectF orig = originalRect();
    if (mode_ == Mode::Wipe) {
        const double split = orig.left() + wipe_ * orig.width();
        if (std::abs(e->position().x() - split) < 10) {
            dragging_wipe_ = true;
            return;
        }
    }
    QRectF target = orig;
    if (mode_ == Mode::SideBySide && generatedRect().contains(e->position())) target = generatedRect();
    if (!target.contains(e->position())) return;
    const QPointF src((e->position().x() - target.left()) * original_.width() / target.width(),
                      (e->position().y() - target.top()) * original_.height() / target.height());
    Q_EMIT faceClicked(src);
}

void PreviewView::mouseMoveEvent(QMouseEvent* e) {
    if (dragging_wipe_) {
        const QRectF orig = originalRect();
        setWipe((e->position().x() - orig.left()) / orig.width());
        return;
    }
    bool over_face = false;
    if (!original_.isNull()) {
        const QRectF orig = originalRect();
        const double sx = orig.width() / original_.width(), sy = orig.height() / original_.height();
        for (const QRectF& f : faces_)
            if (QRectF(orig.left() + f.left() * sx, orig.top() + f.top() * sy, f.width() * sx, f.height() * sy)
                    .contains(e->position()))
                over_face = true;
        if (mode_ == Mode::Wipe && std::abs(e->position().x() - (orig.left() + wipe_ * orig.width())) < 10) {
            setCursor(Qt::SplitHCursor);
            return;
        }
    }
    setCursor(over_face ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void PreviewView::mouseReleaseEvent(QMouseEvent*) { dragging_wipe_ = false; }

}  // namespace redub::ui
