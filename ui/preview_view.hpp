// The face preview: the original frame and the generated frame side by side,
// or one picture with a draggable wipe between them (FaceFusion-style). Face
// boxes and the mask outline are drawn over the pictures; clicking a face box
// in the original chooses that face.
#pragma once

#include <QImage>
#include <QList>
#include <QPainterPath>
#include <QRectF>
#include <QWidget>

namespace redub::ui {

class PreviewView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { SideBySide, Wipe };
    explicit PreviewView(QWidget* parent = nullptr);

    void setOriginal(const QImage& frame);
    // The generated frame for the frame shown (null = not generated yet) and the
    // mask (frame-sized 8-bit weights; its outline is drawn).
    void setGenerated(const QImage& frame, const QImage& mask = {});
    void clearGenerated();
    // The mask outline (source pixels) computed from the tracked face before anything is
    // generated; a generated frame's own mask takes its place while it is shown.
    void setPlannedMask(const QPainterPath& outline);
    // The mask outline drawn now (source pixels; empty = none).
    QPainterPath maskOutline() const { return mask_outline_.isEmpty() ? planned_outline_ : mask_outline_; }
    const QList<QRectF>& faces() const { return faces_; }
    int chosenFace() const { return chosen_; }
    // Faces found in this frame (source pixels) and which one is chosen (-1 = none).
    void setFaces(const QList<QRectF>& faces, int chosen);
    void setMode(Mode m);
    Mode mode() const { return mode_; }
    void setWipe(double fraction);  // 0..1, the share of the original shown from the left
    double wipe() const { return wipe_; }
    void setShowOverlays(bool on);
    void setMessage(const QString& text);  // shown over the generated side (e.g. "Generating...")

    const QImage& original() const { return original_; }
    const QImage& generated() const { return generated_; }
    // Where the original frame is drawn (widget coords) - tests click faces through this.
    QRectF originalRect() const;
    QRectF generatedRect() const;

Q_SIGNALS:
    void faceClicked(QPointF source_point);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;

private:
    QRectF fitRect(const QRectF& area) const;
    void paintOverlays(QPainter& p, const QRectF& target);
    void paintPanelLabel(QPainter& p, const QRectF& area, const QString& text);

    QImage original_, generated_;
    QPainterPath mask_outline_;     // source pixels, from the generated frame's mask
    QPainterPath planned_outline_;  // source pixels, from the tracked landmarks
    QList<QRectF> faces_;
    int chosen_ = -1;
    Mode mode_ = Mode::SideBySide;
    double wipe_ = 0.5;
    bool overlays_ = true;
    bool dragging_wipe_ = false;
    QString message_;
};

}  // namespace redub::ui
