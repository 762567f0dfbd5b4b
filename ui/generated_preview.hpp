// The generated side of the preview: "Preview frame" (the frame at the playhead,
// shown with its mask when it arrives), the frames an export or "Generate All" made,
// and nothing once the offset, the face or the settings make them stale. At draft
// quality the frame at the playhead is generated whenever the playhead stops on a frame
// that has none (scrubbing): one request at a time, the latest frame wins.
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
    // Draft quality for previews and Generate All (DubController::setDraft), with previews
    // while scrubbing. Frames generated at the other quality are dropped.
    void setDraft(bool on);

Q_SIGNALS:
    void noFace(qint64 frame);  // the preview found no face to re-synchronise

private:
    void onPreviewReady(qint64 frame, const QImage& generated, const QImage& mask, bool has_face);
    void dropGenerated();
    // Scrubbing at draft quality: generate `frame` unless it has a picture or a job runs
    // (then the frame at the playhead is asked for when that job ends).
    void scrubTo(int64_t frame);

    Document* doc_;
    DubController* dub_;
    Transport* transport_;
    PreviewView* preview_;
    int64_t preview_frame_ = -1;  // the frame whose generated preview is shown
    QImage preview_mask_;         // its mask
    bool draft_ = false;
    int64_t scrub_frame_ = -1;    // the frame the last scrub preview asked for (no "no face" dialog for it)
    bool scrub_waiting_ = false;  // a frame was scrubbed to while a job ran
    bool scrub_failed_ = false;   // a scrub preview failed: no more until the settings change
};

}  // namespace redub::ui
