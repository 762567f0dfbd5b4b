#include "ui/document.hpp"

#include "core/face/face_tracker.hpp"
#include "media/audio_reader.hpp"
#include "media/video_reader.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"
#include "redub/units.hpp"
#include "ui/image_convert.hpp"

#include <QDateTime>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrent>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace redub::ui {
namespace {

constexpr int kPlaybackRate = 48000;
constexpr int kThumbHeight = 54;

std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }

// One undoable change of a value held by the Document.
template <class T>
class SetValueCommand : public QUndoCommand {
public:
    using Apply = void (Document::*)(const T&);
    SetValueCommand(Document* doc, Apply apply, T before, T after, const QString& text)
        : QUndoCommand(text), doc_(doc), apply_(apply), before_(std::move(before)), after_(std::move(after)) {}
    void undo() override { (doc_->*apply_)(before_); }
    void redo() override { (doc_->*apply_)(after_); }

private:
    Document* doc_;
    Apply apply_;
    T before_, after_;
};

struct ThumbResult {
    QMap<qint64, QImage> thumbs;
};

}  // namespace

struct Document::AudioResult {
    std::shared_ptr<const media::AudioBuffer> audio;
    Peaks peaks;
    QString error;
};

namespace {

// Decoded audio + peaks of recently opened files, keyed by path, size and
// modification time, so reopening a file (or a project) does not decode it again.
// GUI thread only.
QString audioKey(const std::filesystem::path& p) {
    const QFileInfo fi(QString::fromStdString(p.string()));
    return QStringLiteral("%1|%2|%3")
        .arg(fi.absoluteFilePath())
        .arg(fi.size())
        .arg(fi.lastModified().toMSecsSinceEpoch());
}

}  // namespace

std::shared_ptr<Document::AudioResult> Document::cachedAudio(const std::filesystem::path& p) {
    static_assert(kAudioCacheSize > 0);
    const QString key = audioKey(p);
    for (auto it = audioCache().begin(); it != audioCache().end(); ++it)
        if (it->first == key) {
            auto r = it->second;
            audioCache().erase(it);
            audioCache().push_front({key, r});
            return r;
        }
    return nullptr;
}

void Document::rememberAudio(const std::filesystem::path& p, std::shared_ptr<AudioResult> r) {
    audioCache().push_front({audioKey(p), std::move(r)});
    while (audioCache().size() > kAudioCacheSize) audioCache().pop_back();
}

std::list<std::pair<QString, std::shared_ptr<Document::AudioResult>>>& Document::audioCache() {
    static std::list<std::pair<QString, std::shared_ptr<AudioResult>>> cache;
    return cache;
}

QList<qint64> FaceScan::noFaceFrames() const {
    QList<qint64> out;
    for (auto it = faces.cbegin(); it != faces.cend(); ++it)
        if (it.value().isEmpty()) out.push_back(it.key());
    return out;
}

Document::Document(QObject* parent) : QObject(parent) {
    connect(&undo_, &QUndoStack::cleanChanged, this, [this](bool) { Q_EMIT modifiedChanged(isModified()); });
}

Document::~Document() { cancelAnalysis(); }

void Document::cancelAnalysis() {
    if (video_stop_) video_stop_->request_stop();
    if (speech_stop_) speech_stop_->request_stop();
    for (auto* w : running_) {
        w->disconnect(this);
        w->waitForFinished();
        w->deleteLater();
    }
    running_.clear();
}

bool Document::busy() const {
    return std::any_of(running_.begin(), running_.end(), [](auto* w) { return w->isRunning(); });
}

void Document::waitForAnalysis() {
    while (!running_.isEmpty()) {
        auto* w = running_.front();
        w->waitForFinished();
        QCoreApplication::processEvents();  // deliver finished() so results land
        QCoreApplication::sendPostedEvents();
    }
}

int64_t Document::frameCount() const { return hasVideo() ? video_info_->video->frame_count : 0; }

Rational Document::frameRate() const {
    if (hasVideo() && video_info_->video->avg_frame_rate.valid() && video_info_->video->avg_frame_rate.num > 0)
        return video_info_->video->avg_frame_rate;
    return Rational(25, 1);
}

double Document::frameToSeconds(int64_t frame) const {
    const Rational r = frameRate();
    return double(frame) * double(r.den) / double(r.num);
}

int64_t Document::secondsToFrame(double s) const {
    const Rational r = frameRate();
    return int64_t(std::floor(s * double(r.num) / double(r.den) + 1e-9));
}

std::shared_ptr<const media::AudioBuffer> Document::playbackAudio(Lane lane) const {
    return lane == Lane::Source ? source_audio_ : speech_audio_;
}

QList<QRectF> Document::facesNear(int64_t frame) const {
    if (face_scan_.faces.isEmpty()) return {};
    auto it = face_scan_.faces.lowerBound(frame);
    if (it == face_scan_.faces.cend() || (it.key() != frame && it != face_scan_.faces.cbegin())) {
        auto prev = std::prev(it);
        if (it == face_scan_.faces.cend() || frame - prev.key() < it.key() - frame) it = prev;
    }
    return it.value();
}

// ---- media ------------------------------------------------------------------

void Document::setVideo(const QString& path) {
    media::MediaInfo info = media::probe(toPath(path));
    if (!info.video) fail(ErrorKind::BadInput, toPath(path), "has no video stream; drop it as the new speech instead");
    if (info.video->frame_count <= 0) fail(ErrorKind::BadInput, toPath(path), "the video stream has no frames");
    if (video_stop_) video_stop_->request_stop();
    video_info_ = std::move(info);
    project_.video_path = toPath(path);
    thumbnails_.clear();
    face_scan_ = {};
    chosen_track_ = {};
    source_peaks_ = {};
    source_audio_.reset();
    log::ui()->info("video: {} ({}x{}, {}, {} frames)", path.toStdString(), video_info_->video->width,
                    video_info_->video->height, media::describeRate(video_info_->video->avg_frame_rate),
                    video_info_->video->frame_count);
    settings_dirty_ = true;
    Q_EMIT videoChanged();
    Q_EMIT peaksReady(int(Lane::Source));
    Q_EMIT modifiedChanged(isModified());
    startVideoAnalysis();
}

void Document::setSpeech(const QString& path) {
    media::MediaInfo info = media::probe(toPath(path));
    if (!info.audio) fail(ErrorKind::BadInput, toPath(path), "has no audio stream, so it cannot be the new speech");
    if (speech_stop_) speech_stop_->request_stop();
    speech_info_ = std::move(info);
    project_.speech_path = toPath(path);
    speech_peaks_ = {};
    speech_audio_.reset();
    log::ui()->info("new speech: {} ({} Hz, {} ch, {:.2f} s)", path.toStdString(), speech_info_->audio->sample_rate,
                    speech_info_->audio->channels, speech_info_->audio->duration_s);
    settings_dirty_ = true;
    Q_EMIT speechChanged();
    Q_EMIT peaksReady(int(Lane::Speech));
    Q_EMIT modifiedChanged(isModified());
    startSpeechAnalysis();
}

void Document::openFiles(const QStringList& paths) {
    // Probe everything first so a bad file changes nothing.
    struct Item {
        QString path;
        media::MediaInfo info;
    };
    QList<Item> items;
    for (const QString& p : paths) {
        if (p.endsWith(QStringLiteral(".redub"), Qt::CaseInsensitive)) {
            loadProjectFile(p);
            return;
        }
        items.push_back({p, media::probe(toPath(p))});
    }
    QString video, speech;
    bool have_video = hasVideo();
    for (const auto& it : items) {
        if (it.info.video && !have_video && video.isEmpty()) {
            video = it.path;
        } else if (it.info.audio) {
            speech = it.path;
        } else if (it.info.video) {
            // A second silent video: it replaces the video.
            video = it.path;
        }
    }
    if (video.isEmpty() && speech.isEmpty() && !items.isEmpty())
        fail(ErrorKind::BadInput, toPath(items.front().path), "has neither a usable video nor an audio stream");
    if (!video.isEmpty()) setVideo(video);
    if (!speech.isEmpty()) setSpeech(speech);
}

void Document::startVideoAnalysis() {
    // Results of an analysis started for a previous video are dropped on arrival.
    const int gen = ++video_gen_;
    video_stop_ = std::make_unique<std::stop_source>();
    const std::stop_token stop = video_stop_->get_token();
    const auto path = project_.video_path;
    const media::VideoInfo vinfo = *video_info_->video;
    const bool has_audio = video_info_->audio.has_value();

    // Source audio: peaks + playback buffer.
    if (has_audio) {
        if (auto hit = cachedAudio(path)) {
            source_audio_ = hit->audio;
            source_peaks_ = hit->peaks;
            Q_EMIT peaksReady(int(Lane::Source));
        }
    }
    if (has_audio && !source_audio_) {
        auto* w = new QFutureWatcher<std::shared_ptr<AudioResult>>(this);
        connect(w, &QFutureWatcherBase::finished, this, [this, w, gen, path] {
            running_.removeOne(w);
            w->deleteLater();
            if (gen != video_gen_) return;
            auto r = w->result();
            if (!r->error.isEmpty()) {
                Q_EMIT backgroundError(r->error);
                return;
            }
            rememberAudio(path, r);
            source_audio_ = r->audio;
            source_peaks_ = std::move(r->peaks);
            Q_EMIT peaksReady(int(Lane::Source));
        });
        w->setFuture(QtConcurrent::run([path, stop] {
            auto r = std::make_shared<AudioResult>();
            try {
                auto buf = std::make_shared<media::AudioBuffer>(media::readAudio(path, kPlaybackRate, 2, stop));
                std::vector<float> mono(size_t(buf->frames()));
                for (size_t i = 0; i < mono.size(); ++i)
                    mono[i] = 0.5f * (buf->samples[2 * i] + buf->samples[2 * i + 1]);
                r->peaks = computePeaks(mono, kPlaybackRate, 64);
                r->audio = std::move(buf);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::Cancelled) r->error = QString::fromStdString(e.what());
            } catch (const std::exception& e) {  // OpenCV, allocation: reported, never fatal
                r->error =
                    QStringLiteral("%1: %2").arg(QString::fromStdString(path.string()), QString::fromUtf8(e.what()));
            }
            return r;
        }));
        running_.push_back(w);
    }

    // Thumbnails: one every `step` frames, decoded sequentially (fast for every codec).
    const int64_t n = vinfo.frame_count;
    const int64_t step = std::max<int64_t>(1, n / 240);
    auto* tw = new QFutureWatcher<std::shared_ptr<ThumbResult>>(this);
    connect(tw, &QFutureWatcherBase::finished, this, [this, tw, gen] {
        running_.removeOne(tw);
        tw->deleteLater();
        if (gen != video_gen_) return;
        thumbnails_ = tw->result()->thumbs;
        Q_EMIT thumbnailsReady();
    });
    tw->setFuture(QtConcurrent::run([path, step, stop] {
        auto r = std::make_shared<ThumbResult>();
        try {
            media::VideoReader reader(path);
            media::VideoFrame f;
            while (reader.next(f, stop)) {
                if (f.index % step) continue;
                const int w = std::max(1, f.rgb.cols * kThumbHeight / std::max(1, f.rgb.rows));
                cv::Mat small;
                cv::resize(f.rgb, small, cv::Size(w, kThumbHeight), 0, 0, cv::INTER_AREA);
                r->thumbs.insert(f.index, toImage(small));
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled) log::ui()->warn("thumbnails: {}", e.what());
        } catch (const std::exception& e) {
            log::ui()->warn("thumbnails: {}: {}", path.string(), e.what());
        }
        return r;
    }));
    running_.push_back(tw);

    // Face scan: every frame through the tracker (whole-frame detection every 5th frame),
    // with the dub job's own code and settings, so the job can reuse the result.
    auto* fw = new QFutureWatcher<std::shared_ptr<FaceScan>>(this);
    connect(fw, &QFutureWatcherBase::finished, this, [this, fw, gen] {
        running_.removeOne(fw);
        fw->deleteLater();
        if (gen != video_gen_) return;
        face_scan_ = *fw->result();
        if (face_scan_.frames_scanned > 0) {
            const auto none = face_scan_.noFaceFrames().size();
            log::ui()->info("face scan: {} frames, {} without a face", face_scan_.frames_scanned, none);
        }
        updateChosenTrack();
        Q_EMIT faceScanReady();
    });
    fw->setFuture(QtConcurrent::run([this, path, stop] {
        auto r = std::make_shared<FaceScan>();
        try {
            auto progress = [this](int64_t done, int64_t total) {
                if (done % 10 == 0)
                    QMetaObject::invokeMethod(
                        this,
                        [this, frac = double(done) / double(total)] {
                            Q_EMIT analysisProgress(tr("Finding faces"), frac);
                        },
                        Qt::QueuedConnection);
            };
            auto tracking = std::make_shared<core::VideoFaces>(
                core::trackVideoFaces(path, 0, -1, core::DetectorParams::defaults(),
                                      core::TrackerParams::defaults(), progress, stop));
            for (int64_t f = tracking->first; f <= tracking->last; ++f) {
                QList<QRectF> boxes;
                for (const auto& t : tracking->frames[size_t(f)])
                    boxes.push_back(QRectF(t.face.box.x, t.face.box.y, t.face.box.width, t.face.box.height));
                r->faces.insert(f, boxes);
            }
            r->frames_scanned = tracking->trackedFrames();
            r->tracking = std::move(tracking);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled) log::ui()->warn("face scan: {}", e.what());
            if (e.kind() == ErrorKind::Cancelled) *r = {};
        } catch (const std::exception& e) {
            log::ui()->warn("face scan: {}: {}", path.string(), e.what());
        }
        return r;
    }));
    running_.push_back(fw);
}

void Document::startSpeechAnalysis() {
    const int gen = ++speech_gen_;
    speech_stop_ = std::make_unique<std::stop_source>();
    const std::stop_token stop = speech_stop_->get_token();
    const auto path = project_.speech_path;
    if (auto hit = cachedAudio(path)) {
        speech_audio_ = hit->audio;
        invalidateSyncMeter();
        speech_peaks_ = hit->peaks;
        Q_EMIT peaksReady(int(Lane::Speech));
        return;
    }
    auto* w = new QFutureWatcher<std::shared_ptr<AudioResult>>(this);
    connect(w, &QFutureWatcherBase::finished, this, [this, w, gen, path] {
        running_.removeOne(w);
        w->deleteLater();
        if (gen != speech_gen_) return;
        auto r = w->result();
        if (!r->error.isEmpty()) {
            Q_EMIT backgroundError(r->error);
            return;
        }
        rememberAudio(path, r);
        speech_audio_ = r->audio;
        invalidateSyncMeter();
        speech_peaks_ = std::move(r->peaks);
        Q_EMIT peaksReady(int(Lane::Speech));
    });
    w->setFuture(QtConcurrent::run([path, stop] {
        auto r = std::make_shared<AudioResult>();
        try {
            auto buf = std::make_shared<media::AudioBuffer>(media::readAudio(path, kPlaybackRate, 2, stop));
            std::vector<float> mono(size_t(buf->frames()));
            for (size_t i = 0; i < mono.size(); ++i) mono[i] = 0.5f * (buf->samples[2 * i] + buf->samples[2 * i + 1]);
            r->peaks = computePeaks(mono, kPlaybackRate, 64);
            r->audio = std::move(buf);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled) r->error = QString::fromStdString(e.what());
        } catch (const std::exception& e) {
            r->error = QStringLiteral("%1: %2").arg(QString::fromStdString(path.string()), QString::fromUtf8(e.what()));
        }
        return r;
    }));
    running_.push_back(w);
}

// ---- edits ------------------------------------------------------------------

void Document::applyOffset(int64_t v) {
    project_.offset_samples = v;
    Q_EMIT offsetChanged(v);
    invalidateSyncMeter();
}
void Document::applyRanges(const std::vector<core::FrameRange>& v) {
    project_.ranges = v;
    Q_EMIT rangesChanged();
}
void Document::applyFace(const std::optional<core::FacePoint>& v) {
    project_.face = v;
    updateChosenTrack();
    Q_EMIT faceChanged();
}

void Document::updateChosenTrack() {
    chosen_track_ = {};
    // Measured again once the new track is in place (listeners may read the meter at once).
    struct Invalidate {
        Document* d;
        ~Invalidate() { d->invalidateSyncMeter(); }
    } invalidate{this};
    const auto& scan = face_scan_.tracking;
    if (!scan || scan->frames.empty()) return;
    core::FaceChoice choice;  // the dub job's default: the largest face
    if (project_.face) {
        choice.policy = core::FaceChoice::Policy::Point;
        choice.point = cv::Point2f(project_.face->x, project_.face->y);
        choice.frame = project_.face->frame;
    }
    choice.frame = std::clamp<int64_t>(choice.frame, 0, int64_t(scan->frames.size()) - 1);
    try {
        chosen_track_ = core::smoothTrack(core::selectTrack(scan->frames, choice), 5);
    } catch (const Error& e) {
        log::ui()->warn("face track: {}", e.what());
    }
}

void Document::invalidateSyncMeter() {
    sync_meter_.reset();
    Q_EMIT syncMeterChanged();
}

namespace {
// 48 kHz stereo playback audio -> 16 kHz mono (a 3-sample mean, enough for loudness).
std::vector<float> mono16k(const media::AudioBuffer& b) {
    std::vector<float> out(size_t(b.frames() / 3));
    for (size_t i = 0; i < out.size(); ++i) {
        float s = 0;
        for (size_t k = 0; k < 3; ++k) s += b.samples[2 * (3 * i + k)] + b.samples[2 * (3 * i + k) + 1];
        out[i] = s / 6.f;
    }
    return out;
}
// The mouth opening of the chosen face on every frame (-1: no face).
std::vector<double> openingsOf(const core::FaceTrack& track) {
    std::vector<double> opening(track.frames.size(), -1.0);
    for (size_t i = 0; i < opening.size(); ++i)
        if (const auto& f = track.frames[i]) opening[i] = core::mouthOpening(*f);
    return opening;
}
}  // namespace

const Document::SyncMeter& Document::syncMeter() const {
    if (sync_meter_) return *sync_meter_;
    sync_meter_.emplace();
    if (!speech_audio_ || chosen_track_.frames.empty()) return *sync_meter_;
    static_assert(kPlaybackRate == 3 * core::kSyncRate);
    const std::vector<double> opening = openingsOf(chosen_track_);
    const Rational fps = frameRate();
    const auto env = core::speechEnvelope(mono16k(*speech_audio_), fps, int64_t(opening.size()),
                                          rescaleSamples(project_.offset_samples, core::kOffsetSampleRate, core::kSyncRate));
    SyncMeter& m = *sync_meter_;
    m.overall = core::bestLagCorrelation(opening, env, fps, 400);
    m.opening = opening;
    m.loudness = env;
    m.per_second = core::perSecondCorrelation(opening, env, m.overall.lag_frames, fps);
    return m;
}

double Document::syncAround(int64_t frame) const {
    const SyncMeter& m = syncMeter();
    if (m.overall.frames == 0) return std::numeric_limits<double>::quiet_NaN();
    const int64_t n = int64_t(m.opening.size());
    const int64_t half = std::llround(frameRate().toDouble());  // one second either side
    int64_t a = std::max<int64_t>(0, frame - half), b = std::min(n, frame + half + 1);
    for (const auto& r : project_.ranges)
        if (r.contains(frame)) a = std::max<int64_t>(0, r.begin), b = std::min(n, r.end);
    if (std::none_of(m.opening.begin() + a, m.opening.begin() + b, [](double v) { return v >= 0; }))
        return std::numeric_limits<double>::quiet_NaN();
    return core::correlationAtLag(m.opening, m.loudness, m.overall.lag_frames, a, b);
}

std::optional<core::OffsetEstimate> Document::proposeAlignment() const {
    if (!speech_audio_ || !hasVideo()) return std::nullopt;
    const std::vector<float> take = mono16k(*speech_audio_);
    core::OffsetEstimate e;
    if (source_audio_) {
        e = core::estimateSpeechOffset(mono16k(*source_audio_), take);
    } else {
        if (chosen_track_.frames.empty()) return std::nullopt;
        e = core::estimateOffsetFromMouth(openingsOf(chosen_track_), frameRate(), take);
    }
    // In the project's unit (kOffsetSampleRate).
    e.offset_samples = rescaleSamples(e.offset_samples, core::kSyncRate, core::kOffsetSampleRate);
    return e;
}

std::optional<core::FaceDetection> Document::chosenFaceAt(int64_t frame) const {
    if (frame < 0 || frame >= int64_t(chosen_track_.frames.size())) return std::nullopt;
    return chosen_track_.frames[size_t(frame)];
}

bool Document::requestOffset(int64_t offset_samples) {
    // Offsets beyond an hour are certainly a mistake (typed or dragged far off).
    constexpr int64_t kMax = int64_t(3600) * core::kOffsetSampleRate;
    offset_samples = std::clamp(offset_samples, -kMax, kMax);
    if (offset_samples == project_.offset_samples) return false;
    struct Cmd : QUndoCommand {
        Document* d;
        int64_t before, after;
        Cmd(Document* doc, int64_t b, int64_t a) : QUndoCommand(tr("Set speech offset")), d(doc), before(b), after(a) {}
        void undo() override { d->applyOffset(before); }
        void redo() override { d->applyOffset(after); }
        int id() const override { return 1; }
        bool mergeWith(const QUndoCommand* o) override {
            // Consecutive nudges (arrow keys, spin box) collapse into one undo step.
            after = static_cast<const Cmd*>(o)->after;
            return true;
        }
        static QString tr(const char* s) { return QCoreApplication::translate("Document", s); }
    };
    undo_.push(new Cmd(this, project_.offset_samples, offset_samples));
    return true;
}

bool Document::requestAddRange(core::FrameRange range) {
    if (hasVideo()) range.end = std::min<int64_t>(range.end, frameCount());
    range.begin = std::max<int64_t>(range.begin, 0);
    if (range.end <= range.begin) return false;
    auto next = core::addRange(project_.ranges, range);
    if (next == project_.ranges) return false;
    undo_.push(new SetValueCommand<std::vector<core::FrameRange>>(
        this, &Document::applyRanges, project_.ranges, next,
        tr("Select frames %1-%2").arg(range.begin).arg(range.end - 1)));
    return true;
}

bool Document::requestRemoveRange(core::FrameRange range) {
    auto next = core::subtractRange(project_.ranges, range);
    if (next == project_.ranges) return false;
    undo_.push(new SetValueCommand<std::vector<core::FrameRange>>(this, &Document::applyRanges, project_.ranges, next,
                                                                  tr("Remove range")));
    return true;
}

bool Document::requestClearRanges() {
    if (project_.ranges.empty()) return false;
    undo_.push(new SetValueCommand<std::vector<core::FrameRange>>(this, &Document::applyRanges, project_.ranges, {},
                                                                  tr("Clear ranges")));
    return true;
}

bool Document::requestSetRanges(std::vector<core::FrameRange> ranges, const QString& what) {
    for (auto& r : ranges) {
        r.begin = std::max<int64_t>(r.begin, 0);
        if (hasVideo()) r.end = std::min<int64_t>(r.end, frameCount());
    }
    std::erase_if(ranges, [](const core::FrameRange& r) { return r.end <= r.begin; });
    auto next = core::normaliseRanges(std::move(ranges));
    if (next == project_.ranges) return false;
    undo_.push(new SetValueCommand<std::vector<core::FrameRange>>(this, &Document::applyRanges, project_.ranges, next,
                                                                  what));
    return true;
}

bool Document::requestFace(std::optional<core::FacePoint> face) {
    if (face == project_.face) return false;
    undo_.push(new SetValueCommand<std::optional<core::FacePoint>>(this, &Document::applyFace, project_.face, face,
                                                                   face ? tr("Choose face") : tr("Automatic face")));
    return true;
}

void Document::setGenerationSettings(const std::filesystem::path& model, int steps, uint64_t seed,
                                     const std::string& device) {
    project_.model_path = model;
    project_.steps = steps;
    project_.seed = seed;
    project_.device = device;
    settings_dirty_ = true;
    Q_EMIT settingsChanged();
    Q_EMIT modifiedChanged(isModified());
}

void Document::setLengthPolicy(const std::string& policy) {
    if (policy == project_.length_policy) return;
    project_.length_policy = policy;
    settings_dirty_ = true;
    Q_EMIT settingsChanged();
    Q_EMIT modifiedChanged(isModified());
}

void Document::setExportSettings(const core::ExportSettings& settings) {
    if (settings == project_.output) return;
    project_.output = settings;
    settings_dirty_ = true;
    Q_EMIT modifiedChanged(isModified());
}

// ---- project file -------------------------------------------------------------

void Document::newProject() {
    cancelAnalysis();
    project_ = core::Project::defaults();
    project_file_.clear();
    video_info_.reset();
    speech_info_.reset();
    source_peaks_ = speech_peaks_ = {};
    source_audio_.reset();
    speech_audio_.reset();
    thumbnails_.clear();
    face_scan_ = {};
    chosen_track_ = {};
    undo_.clear();
    settings_dirty_ = false;
    Q_EMIT projectReset();
    Q_EMIT videoChanged();
    Q_EMIT speechChanged();
    Q_EMIT modifiedChanged(false);
}

void Document::loadProjectFile(const QString& path) {
    core::Project p = core::loadProject(toPath(path));
    // Probe the media before touching the document, so a missing file leaves it as it was.
    std::optional<media::MediaInfo> vinfo, sinfo;
    if (!p.video_path.empty()) vinfo = media::probe(p.video_path);
    if (!p.speech_path.empty()) sinfo = media::probe(p.speech_path);
    newProject();
    project_ = p;
    project_file_ = path;
    if (vinfo) setVideo(QString::fromStdString(p.video_path.string()));
    if (sinfo) setSpeech(QString::fromStdString(p.speech_path.string()));
    project_ = p;  // setVideo/setSpeech normalise the paths; keep the file's values
    settings_dirty_ = false;
    undo_.clear();
    updateChosenTrack();
    log::ui()->info("opened project {}", path.toStdString());
    Q_EMIT projectReset();
    Q_EMIT offsetChanged(project_.offset_samples);
    Q_EMIT rangesChanged();
    Q_EMIT faceChanged();
    Q_EMIT settingsChanged();
    Q_EMIT modifiedChanged(false);
}

void Document::saveProjectFile(const QString& path) {
    core::saveProject(project_, toPath(path));
    project_file_ = path;
    settings_dirty_ = false;
    undo_.setClean();
    log::ui()->info("saved project {}", path.toStdString());
    Q_EMIT modifiedChanged(false);
}

}  // namespace redub::ui
