#include "ui/face_picking.hpp"

#include "core/face/face_tracker.hpp"
#include "ui/document.hpp"
#include "ui/preview_view.hpp"

namespace redub::ui {

FacePicking::FacePicking(Document* doc, PreviewView* preview, QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview) {
    connect(preview_, &PreviewView::faceClicked, this, &FacePicking::pick);
}

void FacePicking::showFrame(int64_t frame) {
    frame_ = frame;
    const QList<QRectF> faces = doc_->media().facesNear(frame);
    const auto tracked = doc_->chosenFaceAt(frame);
    // The box of the face the dub repaints here: the one overlapping the followed face most.
    int chosen = -1;
    float best = 0;
    for (int i = 0; tracked && i < faces.size(); ++i) {
        const QRectF& f = faces[i];
        const float overlap = core::iou(cv::Rect2f(f.x(), f.y(), f.width(), f.height()), tracked->box);
        if (overlap > best) best = overlap, chosen = i;
    }
    preview_->setFaces(faces, chosen);
    preview_->setPlannedMask(tracked ? mask_.on(*tracked, doc_->project().model_path) : QPainterPath());
}

void FacePicking::pick(QPointF point) {
    const QList<QRectF> faces = doc_->media().facesNear(frame_);
    bool inside = false;
    for (const QRectF& f : faces) inside = inside || f.adjusted(-10, -10, 10, 10).contains(point);
    if (!inside) {
        Q_EMIT message(faces.isEmpty() ? tr("No face was found in this frame")
                                       : tr("Click inside a face box to choose that face"));
        return;
    }
    doc_->requestFace(core::FacePoint{float(point.x()), float(point.y()), frame_});
    Q_EMIT message(tr("Face chosen at frame %1; the tracker follows it through the clip").arg(frame_));
}

}  // namespace redub::ui
