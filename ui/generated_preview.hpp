// The generated side of the preview: "Preview frame" (the frame at the playhead,
// shown with its mask when it arrives), the frames an export or "Generate All" made,
// and nothing once the offset, the face or the settings make them stale.
#pragma once

#include <QImage>
#include <QObject>

#include <cstdint>

namespace redub::ui {

class Document;
class DubController;
class PreviewView;
class Transport;

class GeneratedPreview : public QObject {
    Q_OBJECT
public:
    GeneratedPreview(Document* doc, DubController* dub, Transport* transport, PreviewView* preview,
                     QObject* parent = nullptr);

    // Starts "Preview frame" on the frame at the playhead.
    void previewCurrentFrame();
    // Shows the generated picture of `frame`, or none when nothing was generated for it.
    void showFrame(int64_t frame);
    // A new video: the last preview is gone.
    void reset();

Q_SIGNALS:
    void noFace(qint64 frame);  // the preview found no face to re-synchronise

private:
    void onPreviewReady(qint64 frame, const QImage& generated, const QImage& mask, bool has_face);

    Document* doc_;
    DubController* dub_;
    Transport* transport_;
    PreviewView* preview_;
    int64_t preview_frame_ = -1;  // the frame whose generated preview is shown
    QImage preview_mask_;         // its mask
};

}  // namespace redub::ui
