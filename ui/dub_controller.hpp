// Adapts core::DubSession (core/dub/dub.hpp) to the GUI: every call runs on one
// worker thread (so the session is used by one thread at a time), core
// callbacks become queued signals, and per-frame results and progress are
// coalesced by a 30 Hz timer so a fast job cannot flood the event loop
// (OBS RemuxWorker / VolumeMeter pattern). The session is kept between calls
// and rebuilt only when the video, speech, model, face, device or length
// policy change, so previews and the export share its cache.
#pragma once

#include "ui/document.hpp"

#include <QElapsedTimer>
#include <QImage>
#include <QMap>
#include <QMutex>
#include <QObject>
#include <QRect>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>
#include <stop_token>

namespace redub::core {
struct DubCallbacks;
struct DubParams;
struct LearnSpeakerParams;
class DubSession;
}  // namespace redub::core

namespace redub::ui {

class DubController : public QObject {
    Q_OBJECT
public:
    explicit DubController(Document* doc, QObject* parent = nullptr);
    ~DubController() override;  // cancels and waits for the worker

    bool busy() const { return busy_; }
    // Generates frame `frame` now (cached by the session). previewReady or failed follows.
    // A `scrub` preview gives way: any other job asked for while it runs cancels it and
    // starts when it has stopped (its cancellation is not reported by finished()).
    void previewFrame(int64_t frame, bool scrub = false);
    // Generates the whole video (or the selected ranges) and writes `output` (MP4), always at
    // the project's full quality.
    void exportVideo(const QString& output);
    // Generates the whole video (or the selected ranges) for watching in the editor: the
    // export's frames (or the draft's), no file written.
    void generateAll();
    // Draft quality (core::draftOf) for previews and Generate All; exports are never drafts.
    void setDraft(bool on) { draft_ = on; }
    bool draft() const { return draft_; }
    // Speaks `text` with an offline voice into `output` (WAV); speechReady(output) follows on
    // success. Needs no video.
    void speakText(const QString& text, const QString& voice, double rate, const QString& output);
    // Renders `photo` as a moving still of `seconds` (head motion, blinks, mouth closed) into
    // `output` (MP4, no audio); videoReady(output) follows. Exporting it with the new speech
    // then paints the mouth ("New from Photo").
    void renderPhoto(const QString& photo, double seconds, const QString& output);
    // "Learn this speaker": fine-tunes params.from on params.video into params.out in the
    // background (core::learnSpeaker: progress with ETA, cancel leaves params.out as it was);
    // speakerLearned(out, summary) follows on success.
    void learnSpeaker(const core::LearnSpeakerParams& params);
    // Asks the running job to stop; finished(cancelled = true) follows.
    void cancel();
    // Blocks until the worker is idle (tests).
    void waitForIdle();

    // Generated frames seen so far (output frame -> picture, downscaled for display).
    QImage generatedFrame(int64_t frame) const;
    bool hasGenerated(int64_t frame) const { return generated_.contains(frame); }
    int generatedCount() const { return int(generated_.size()); }
    // Forgets generated frames (they no longer match the offset, face or settings).
    void clearGenerated() { generated_.clear(); }

    // Document -> DubParams (the model path resolves to the bundled default when empty).
    static core::DubParams paramsFor(const core::Project& project);

Q_SIGNALS:
    void busyChanged(bool busy);
    void progress(const QString& stage, double fraction, double eta_s);  // coalesced
    void previewReady(qint64 frame, const QImage& source, const QImage& generated, const QImage& mask,
                      const QRect& face_box, bool has_face);
    void frameGenerated(qint64 frame);  // coalesced: the latest frame since the last tick
    // ok: the job completed; cancelled: the user stopped it; message: the error or a summary.
    void finished(bool ok, bool cancelled, const QString& message, const QString& output);
    void speechReady(const QString& path);  // speakText() wrote it
    void videoReady(const QString& path);   // renderPhoto() wrote it
    // learnSpeaker() wrote `model`; `summary`: lip sync and sharpness before/after (core::describe).
    void speakerLearned(const QString& model, const QString& summary, bool better);  // core::learnedModelIsBetter

private:
    // A job on the session (preview, export): needs a video and the speech. A `draftable`
    // job runs at draft quality when draft() is on.
    template <class F>
    void start(const QString& what, F&& job, bool draftable = false, bool yields = false);
    // Any job on the worker thread: job(stop) -> {message, output}; `done` runs on the GUI
    // thread after a success, before finished(). A job that `yields` is cancelled by the
    // next job asked for, which then starts after it.
    template <class F>
    void startJob(const QString& what, F&& job, std::function<void(const QString&)> done = {}, bool yields = false);
    std::shared_ptr<core::DubSession> sessionFor(const core::DubParams& params);  // worker thread
    void drain();                                                                 // GUI thread, on the timer
    void setBusy(bool b);
    // Progress from the worker into pending_ (drained by the timer); `stage` names the stage
    // instead of the job's own name. Reporting only: Cancel goes through stop_.
    ProgressFn reporter(const QString& stage = {});
    // Callbacks of a job whose generated frames appear in the editor as they come (worker thread).
    core::DubCallbacks showingFrames();

    Document* doc_;
    QThreadPool pool_;  // one thread: the session is not thread-safe
    std::shared_ptr<core::DubSession> session_;
    std::unique_ptr<std::stop_source> stop_;
    bool busy_ = false;
    bool draft_ = false;
    bool running_yields_ = false;      // the running job gives way to the next one
    std::function<void()> next_job_;   // the job waiting for it to stop

    // Filled by the worker, drained by the timer.
    QMutex mutex_;
    struct Pending {
        bool has_progress = false;
        QString stage;
        double fraction = 0, eta_s = -1;
        QMap<qint64, QImage> frames;
    } pending_;
    QTimer tick_;
    QMap<qint64, QImage> generated_;
};

}  // namespace redub::ui
