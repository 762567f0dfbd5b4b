#include "ui/generated_preview.hpp"

#include "ui/document.hpp"
#include "ui/dub_controller.hpp"
#include "ui/preview_view.hpp"
#include "ui/transport.hpp"

#include <utility>

namespace redub::ui {

GeneratedPreview::GeneratedPreview(Document* doc, DubController* dub, Transport* transport, PreviewView* preview,
                                   QObject* parent)
    : QObject(parent), doc_(doc), dub_(dub), transport_(transport), preview_(preview) {
    connect(dub_, &DubController::previewReady, this,
            [this](qint64 frame, const QImage&, const QImage& gen, const QImage& mask, const QRect&, bool has_face) {
                onPreviewReady(frame, gen, mask, has_face);
            });
    connect(dub_, &DubController::finished, this, [this](bool ok, bool cancelled) {
        preview_->setMessage({});
        if (!ok && !cancelled) scrub_failed_ = true;
        if (std::exchange(scrub_waiting_, false)) scrubTo(transport_->frame());
    });
    connect(transport_, &Transport::frameChanged, this, [this](qint64 frame) {
        if (draft_ && !transport_->isPlaying()) scrubTo(frame);
    });
    // A generated preview is stale once the offset, the face or the settings change.
    auto stale = [this] {
        scrub_failed_ = false;
        if (dub_->busy()) return;  // the running job's frames stay (they use the settings it started with)
        dropGenerated();
    };
    connect(doc_, &Document::offsetChanged, this, stale);
    connect(doc_, &Document::faceChanged, this, stale);
    connect(doc_, &Document::settingsChanged, this, stale);
}

void GeneratedPreview::previewCurrentFrame() {
    const int64_t frame = transport_->frame();
    scrub_frame_ = -1;
    preview_->clearGenerated();
    preview_->setMessage(tr("Generating frame %1\u2026").arg(frame));
    dub_->previewFrame(frame);
}

void GeneratedPreview::onPreviewReady(qint64 frame, const QImage& generated, const QImage& mask, bool has_face) {
    if (frame != transport_->frame()) return;
    if (!has_face) {
        preview_->clearGenerated();
        if (frame != std::exchange(scrub_frame_, -1)) Q_EMIT noFace(frame);
        return;
    }
    preview_frame_ = frame;
    preview_mask_ = mask;
    preview_->setGenerated(generated, mask);
}

void GeneratedPreview::showFrame(int64_t frame) {
    if (dub_->hasGenerated(frame))
        preview_->setGenerated(dub_->generatedFrame(frame), frame == preview_frame_ ? preview_mask_ : QImage());
    else
        preview_->clearGenerated();
}

void GeneratedPreview::dropGenerated() {
    dub_->clearGenerated();
    preview_frame_ = -1;
    showFrame(transport_->frame());
}

void GeneratedPreview::setDraft(bool on) {
    if (on == draft_) return;
    draft_ = on;
    dub_->setDraft(on);
    scrub_failed_ = false;
    if (!dub_->busy()) dropGenerated();
    if (on) scrubTo(transport_->frame());
}

void GeneratedPreview::scrubTo(int64_t frame) {
    if (scrub_failed_ || !doc_->hasVideo() || doc_->project().speech_path.empty() || dub_->hasGenerated(frame)) return;
    if (dub_->busy()) {
        scrub_waiting_ = true;
        return;
    }
    scrub_frame_ = frame;
    dub_->previewFrame(frame, /*scrub=*/true);
}

void GeneratedPreview::reset() {
    preview_frame_ = -1;
    preview_->clearGenerated();
}

}  // namespace redub::ui
