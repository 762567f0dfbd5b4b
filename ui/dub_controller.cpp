#include "ui/dub_controller.hpp"

#include "core/audio/sync_meter.hpp"
#include "core/dub/dub.hpp"
#include "core/synth/synth.hpp"
#include "core/synth/tts.hpp"
#include "core/train/learn_speaker.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"
#include "ui/image_convert.hpp"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrent>

namespace redub::ui {
namespace {

constexpr int kCacheMaxHeight = 480;  // generated frames are kept at most this tall for display
constexpr int kCacheMaxFrames = 1500;

}  // namespace

DubController::DubController(Document* doc, QObject* parent) : QObject(parent), doc_(doc) {
    pool_.setMaxThreadCount(1);
    pool_.setExpiryTimeout(-1);
    tick_.setInterval(33);
    connect(&tick_, &QTimer::timeout, this, &DubController::drain);
    // A new video invalidates generated frames and the session.
    connect(doc_, &Document::videoChanged, this, [this] { generated_.clear(); });
    connect(doc_, &Document::projectReset, this, [this] { generated_.clear(); });
}

DubController::~DubController() {
    cancel();
    pool_.waitForDone();
}

core::DubParams DubController::paramsFor(const core::Project& pr) { return core::dubParamsFor(pr); }

std::shared_ptr<core::DubSession> DubController::sessionFor(const core::DubParams& p) {
    // Everything DubSession::update() cannot change makes a new session.
    if (!session_ || core::needsNewSession(session_->params(), p)) {
        session_.reset();
        session_ = std::make_shared<core::DubSession>(p);
    } else {
        session_->update(p);
    }
    return session_;
}

void DubController::setBusy(bool b) {
    if (busy_ == b) return;
    busy_ = b;
    if (b)
        tick_.start();
    else
        tick_.stop();
    Q_EMIT busyChanged(b);
}

template <class F>
void DubController::startJob(const QString& what, F&& job, std::function<void(const QString&)> done, bool yields) {
    if (busy_) {
        if (running_yields_ && !next_job_) {  // a scrub preview: stop it, then run this
            next_job_ = [this, what, job = std::forward<F>(job), done = std::move(done), yields]() mutable {
                startJob(what, std::move(job), std::move(done), yields);
            };
            stop_->request_stop();
            return;
        }
        Q_EMIT finished(false, false, tr("%1: another job is running; cancel it first").arg(what), {});
        return;
    }
    running_yields_ = yields;
    stop_ = std::make_unique<std::stop_source>();
    setBusy(true);
    const std::stop_token stop = stop_->get_token();
    (void)QtConcurrent::run(&pool_, [this, stop, job = std::forward<F>(job), done = std::move(done)]() mutable {
        bool ok = false, cancelled = false;
        QString message, output;
        try {
            std::tie(message, output) = job(stop);
            ok = true;
        } catch (const Error& e) {
            cancelled = e.kind() == ErrorKind::Cancelled;
            message = QString::fromStdString(e.what());
            if (!cancelled) log::ui()->error("{}", e.what());
        } catch (const std::exception& e) {
            message = QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what()));
            log::ui()->error("{}", e.what());
            session_.reset();  // unknown state: rebuild next time
        }
        QMetaObject::invokeMethod(
            this,
            [this, ok, cancelled, message, output, done] {
                drain();
                std::function<void()> next = std::exchange(next_job_, nullptr);
                running_yields_ = false;
                if (next && cancelled) {  // it gave way: the next job starts, nothing to report
                    busy_ = false;
                    next();
                    if (!busy_) setBusy(false);
                    return;
                }
                setBusy(false);
                if (ok && done) done(output);
                Q_EMIT finished(ok, cancelled, message, output);
                if (next) next();  // it ended before it saw the stop
            },
            Qt::QueuedConnection);
    });
}

template <class F>
void DubController::start(const QString& what, F&& job, bool draftable, bool yields) {
    if (!busy_ && (!doc_->hasVideo() || doc_->project().speech_path.empty())) {
        Q_EMIT finished(false, false, tr("%1 needs a video and the new speech: drop both on the window").arg(what), {});
        return;
    }
    core::DubParams params;
    try {
        params = paramsFor(doc_->project());
        // The editor's finished face scan stands in for the job's own tracking when it
        // matches (core checks the file, frames and settings; otherwise it tracks).
        params.faces = doc_->media().faceScan().tracking;
        if (draftable && draft_) params = core::draftOf(params);
    } catch (const Error& e) {
        Q_EMIT finished(false, false, QString::fromStdString(e.what()), {});
        return;
    }
    startJob(
        what,
        [this, params, job = std::forward<F>(job)](std::stop_token stop) mutable {
            auto session = sessionFor(params);
            return job(*session, params, stop);
        },
        {}, yields);
}

void DubController::speakText(const QString& text, const QString& voice, double rate, const QString& output) {
    startJob(
        tr("Speech from text"),
        [text = text.toStdString(), voice = voice.toStdString(), rate, output](std::stop_token) {
            const auto s = core::synth::writeSpeechWav(text, voice, rate, output.toStdString());
            return std::pair{tr("Spoke %1 s with the voice %2").arg(s.durationSeconds(), 0, 'f', 1).arg(QString::fromStdString(voice)),
                             output};
        },
        [this](const QString& out) { Q_EMIT speechReady(out); });
}

void DubController::renderPhoto(const QString& photo, double seconds, const QString& output) {
    startJob(
        tr("New from photo"),
        [this, photo, seconds, output](std::stop_token stop) {
            auto sp = core::synth::SynthParams::defaults();
            sp.face = photo.toStdString();
            sp.duration_s = seconds;
            sp.max_side = 720;
            const auto r = core::synth::synthesizeClip(
                sp, output.toStdString(),
                reporter(tr("render")),
                stop);
            return std::pair{tr("Rendered %1 frames of %2 with head motion and blinks; add or keep the new speech "
                                "and export to make it talk")
                                 .arg(r.frames)
                                 .arg(QFileInfo(photo).fileName()),
                             output};
        },
        [this](const QString& out) { Q_EMIT videoReady(out); });
}

void DubController::learnSpeaker(const core::LearnSpeakerParams& params) {
    auto summary = std::make_shared<QString>();
    auto better = std::make_shared<bool>(false);
    startJob(
        tr("Learn this speaker"),
        [this, params, summary, better](std::stop_token stop) {
            const auto r = core::learnSpeaker(
                params,
                reporter(),
                stop);
            *summary = QString::fromStdString(core::describe(r));
            *better = core::learnedModelIsBetter(r);
            // No output file for finished(): the model is announced by speakerLearned().
            return std::pair{tr("Learned the speaker: %1").arg(QString::fromStdString(r.model.string())), QString()};
        },
        [this, out = QString::fromStdString(params.out.string()), summary, better](const QString&) {
            Q_EMIT speakerLearned(out, *summary, *better);
        });
}

void DubController::previewFrame(int64_t frame, bool scrub) {
    start(tr("Preview"), [this, frame](core::DubSession& s, const core::DubParams& params, std::stop_token stop) {
        const ProgressFn on_progress = reporter();
        s.update(params);  // the quality may have changed since the session was made
        s.prepare(on_progress, stop);
        const core::Preview pv = s.preview(frame, stop, on_progress);
        const QImage src = toImage(pv.source), gen = toImage(pv.generated), mask = toImage(pv.mask);
        const QRect box(pv.face_box.x, pv.face_box.y, pv.face_box.width, pv.face_box.height);
        const bool has_face = pv.has_face;
        QMetaObject::invokeMethod(
            this,
            [this, frame, src, gen, mask, box, has_face] {
                if (has_face)
                    generated_.insert(frame, gen.height() > kCacheMaxHeight
                                                 ? gen.scaledToHeight(kCacheMaxHeight, Qt::SmoothTransformation)
                                                 : gen);
                Q_EMIT previewReady(frame, src, gen, mask, box, has_face);
            },
            Qt::QueuedConnection);
        return std::pair{has_face ? tr("Previewed frame %1").arg(frame)
                                  : tr("Frame %1 has no face to re-sync; it stays as it is").arg(frame),
                         QString()};
    }, /*draftable=*/true, /*yields=*/scrub);
}

core::DubCallbacks DubController::showingFrames() {
    core::DubCallbacks cb;
    cb.progress = reporter();
    cb.on_frame = [this](const core::DubFrame& f) {
        if (!f.generated || !f.rgb) return;
        QImage img = toImage(*f.rgb, kCacheMaxHeight);
        QMutexLocker lock(&mutex_);
        pending_.frames.insert(f.index, std::move(img));
    };
    return cb;
}

void DubController::generateAll() {
    start(tr("Generate"), [this](core::DubSession& s, const core::DubParams& params, std::stop_token stop) {
        s.update(params);
        const core::DubReport r = s.play(showingFrames(), stop);
        return std::pair{tr("Generated %1 frames (%2 re-synced, %3 without a face) at %4 fps%5; play or step through them")
                             .arg(r.frames)
                             .arg(r.generated)
                             .arg(r.no_face)
                             .arg(r.fps(), 0, 'f', 1)
                             .arg(draft_ ? tr(", draft quality") : QString()),
                         QString()};
    }, /*draftable=*/true);
}

void DubController::exportVideo(const QString& output) {
    // The lip-sync meter before (the source's mouth against the new speech), for the summary.
    const core::LagCorrelation before = doc_->syncMeter().overall;
    start(tr("Export"), [this, output, before](core::DubSession& s, core::DubParams params, std::stop_token stop) {
        params.output = output.toStdString();
        s.update(params);
        const core::DubReport r = s.run(showingFrames(), stop);
        QString msg = tr("Wrote %1: %2 frames, %3 re-synced, %4 without a face, %5 fps")
                          .arg(QString::fromStdString(r.output.string()))
                          .arg(r.frames)
                          .arg(r.generated)
                          .arg(r.no_face)
                          .arg(r.fps(), 0, 'f', 1);
        // The meter after: the written video's mouth against the new speech. A failure to
        // measure never fails the export (the file is written).
        try {
            reporter(tr("measure"))({"measure", 0, 0, 1.0, -1});
            const auto after = core::syncScore(core::measureVideo(r.output, params.detect_every, nullptr, {}, stop),
                                               core::loadSpeech16k(params.speech, stop), params.offset_samples);
            msg += tr("\nLip sync with the new speech: r %1 before, r %2 after (lag %3 ms)")
                       .arg(before.frames > 0 ? QString::number(before.r, 'f', 2) : tr("n/a"))
                       .arg(after.r, 0, 'f', 2)
                       .arg(after.lag_ms, 0, 'f', 0);
        } catch (const Error& e) {  // cancelled while measuring: the export itself is complete
            log::ui()->warn("export: could not measure the lip sync of {}: {}", r.output.string(), e.what());
        }
        return std::pair{msg, QString::fromStdString(r.output.string())};
    });
}

ProgressFn DubController::reporter(const QString& stage) {
    return [this, stage](const Progress& pr) {
        QMutexLocker lock(&mutex_);
        pending_.has_progress = true;
        pending_.stage = !stage.isEmpty()    ? stage
                         : pr.stage == "train" ? tr("learning")
                                               : QString::fromStdString(pr.stage);
        pending_.fraction = pr.fraction;
        pending_.eta_s = pr.eta_seconds;
    };
}

void DubController::cancel() {
    if (stop_) stop_->request_stop();
}

void DubController::waitForIdle() {
    pool_.waitForDone();
    QCoreApplication::sendPostedEvents(this);
}

QImage DubController::generatedFrame(int64_t frame) const { return generated_.value(frame); }

void DubController::drain() {
    Pending p;
    {
        QMutexLocker lock(&mutex_);
        std::swap(p, pending_);
    }
    if (p.has_progress) Q_EMIT progress(p.stage, p.fraction, p.eta_s);
    if (!p.frames.isEmpty()) {
        for (auto it = p.frames.cbegin(); it != p.frames.cend(); ++it) generated_.insert(it.key(), it.value());
        while (generated_.size() > kCacheMaxFrames) generated_.erase(generated_.begin());
        Q_EMIT frameGenerated(p.frames.lastKey());
    }
}

}  // namespace redub::ui
