// Face choice in the preview: shows the faces found in the current frame, marks
// the one the dub will repaint (the face Document::chosenFaceAt follows with
// core::selectTrack, so the editor and the job agree) with its mask outline, and
// turns a click on a face box into Document::requestFace.
#pragma once

#include "ui/mask_outline.hpp"

#include <QObject>
#include <QPointF>

#include <cstdint>

namespace redub::ui {

class Document;
class PreviewView;

class FacePicking : public QObject {
    Q_OBJECT
public:
    FacePicking(Document* doc, PreviewView* preview, QObject* parent = nullptr);

    // Shows the face boxes, the chosen one and its mask outline of `frame`.
    void showFrame(int64_t frame);

Q_SIGNALS:
    void message(const QString& text);  // for the status bar

private:
    void pick(QPointF point);

    Document* doc_;
    PreviewView* preview_;
    MaskOutline mask_;
    int64_t frame_ = 0;
};

}  // namespace redub::ui
