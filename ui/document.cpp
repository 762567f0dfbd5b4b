#include "ui/document.hpp"

#include "media/audio_reader.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"
#include "redub/units.hpp"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace redub::ui {
namespace {

std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }

// One undoable change of a value held by the Document.
template <class T>
class SetValueCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const T&)>;
    SetValueCommand(Apply apply, T before, T after, const QString& text)
        : QUndoCommand(text), apply_(std::move(apply)), before_(std::move(before)), after_(std::move(after)) {}
    void undo() override { apply_(before_); }
    void redo() override { apply_(after_); }

private:
    Apply apply_;
    T before_, after_;
};

}  // namespace

Document::Document(QObject* parent) : QObject(parent) {
    connect(&undo_, &QUndoStack::cleanChanged, this, [this](bool) { Q_EMIT modifiedChanged(isModified()); });
    connect(&media_, &MediaAnalysis::peaksReady, this, [this](int lane) {
        if (lane == int(Lane::Speech)) invalidateSyncMeter();
    });
    connect(&media_, &MediaAnalysis::faceScanReady, this, [this] {
        updateChosenTrack();
        Q_EMIT faceScanReady();
    });
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

// ---- media ------------------------------------------------------------------

void Document::setVideo(const QString& path) {
    media::MediaInfo info = media::probe(toPath(path));
    if (!info.video) fail(ErrorKind::BadInput, toPath(path), "has no video stream; drop it as the new speech instead");
    if (info.video->frame_count <= 0) fail(ErrorKind::BadInput, toPath(path), "the video stream has no frames");
    video_info_ = std::move(info);
    project_.video_path = toPath(path);
    chosen_track_ = {};
    media_.analyseVideo(project_.video_path, video_info_->video->frame_count, video_info_->audio.has_value());
    log::ui()->info("video: {} ({}x{}, {}, {} frames)", path.toStdString(), video_info_->video->width,
                    video_info_->video->height, media::describeRate(video_info_->video->avg_frame_rate),
                    video_info_->video->frame_count);
    media_changed_ = true;
    Q_EMIT videoChanged();
    Q_EMIT modifiedChanged(isModified());
}

void Document::setSpeech(const QString& path) {
    media::MediaInfo info = media::probe(toPath(path));
    if (!info.audio) fail(ErrorKind::BadInput, toPath(path), "has no audio stream, so it cannot be the new speech");
    speech_info_ = std::move(info);
    project_.speech_path = toPath(path);
    media_.analyseSpeech(project_.speech_path);
    log::ui()->info("new speech: {} ({} Hz, {} ch, {:.2f} s)", path.toStdString(), speech_info_->audio->sample_rate,
                    speech_info_->audio->channels, speech_info_->audio->duration_s);
    media_changed_ = true;
    Q_EMIT speechChanged();
    Q_EMIT modifiedChanged(isModified());
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
    const auto& scan = media_.faceScan().tracking;
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
    const auto speech = media_.playbackAudio(Lane::Speech);
    if (!speech || chosen_track_.frames.empty()) return *sync_meter_;
    static_assert(MediaAnalysis::kPlaybackRate == 3 * core::kSyncRate);
    const std::vector<double> opening = openingsOf(chosen_track_);
    const Rational fps = frameRate();
    const auto env = core::speechEnvelope(mono16k(*speech), fps, int64_t(opening.size()),
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
    const auto speech = media_.playbackAudio(Lane::Speech);
    if (!speech || !hasVideo()) return std::nullopt;
    const std::vector<float> take = mono16k(*speech);
    core::OffsetEstimate e;
    if (const auto source = media_.playbackAudio(Lane::Source)) {
        e = core::estimateSpeechOffset(mono16k(*source), take);
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
    const int64_t max_offset = samplesFromSeconds(3600, core::kOffsetSampleRate);
    offset_samples = std::clamp(offset_samples, -max_offset, max_offset);
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
    return requestSetRanges(core::addRange(project_.ranges, range),
                            tr("Select frames %1-%2").arg(range.begin).arg(range.end - 1));
}

bool Document::requestRemoveRange(core::FrameRange range) {
    return requestSetRanges(core::subtractRange(project_.ranges, range), tr("Remove range"));
}

bool Document::requestClearRanges() { return requestSetRanges({}, tr("Clear ranges")); }

bool Document::requestSetRanges(std::vector<core::FrameRange> ranges, const QString& what) {
    for (auto& r : ranges) {
        r.begin = std::max<int64_t>(r.begin, 0);
        if (hasVideo()) r.end = std::min<int64_t>(r.end, frameCount());
    }
    std::erase_if(ranges, [](const core::FrameRange& r) { return r.end <= r.begin; });
    auto next = core::normaliseRanges(std::move(ranges));
    if (next == project_.ranges) return false;
    undo_.push(new SetValueCommand<std::vector<core::FrameRange>>([this](const auto& v) { applyRanges(v); },
                                                                  project_.ranges, next, what));
    return true;
}

bool Document::requestFace(std::optional<core::FacePoint> face) {
    if (face == project_.face) return false;
    undo_.push(new SetValueCommand<std::optional<core::FacePoint>>([this](const auto& v) { applyFace(v); },
                                                                   project_.face, face,
                                                                   face ? tr("Choose face") : tr("Automatic face")));
    return true;
}

template <class T>
void Document::applySetting(T core::Project::*field, const T& v) {
    project_.*field = v;
    Q_EMIT settingsChanged();
}

template <class T>
bool Document::requestSetting(T core::Project::*field, T value, const QString& what) {
    if (project_.*field == value) return false;
    undo_.push(new SetValueCommand<T>([this, field](const T& v) { applySetting(field, v); }, project_.*field,
                                      std::move(value), what));
    return true;
}

bool Document::requestModel(const std::filesystem::path& model) {
    return requestSetting(&core::Project::model_path, model, tr("Choose model"));
}

bool Document::requestSteps(int steps) { return requestSetting(&core::Project::steps, steps, tr("Set sampler steps")); }

bool Document::requestSeed(uint64_t seed) { return requestSetting(&core::Project::seed, seed, tr("Set seed")); }

bool Document::requestDevice(const std::string& device) {
    return requestSetting(&core::Project::device, device, tr("Choose device"));
}

bool Document::requestLengthPolicy(const std::string& policy) {
    return requestSetting(&core::Project::length_policy, policy, tr("Set length policy"));
}

bool Document::requestOwnLips(bool on) {
    return requestSetting(&core::Project::own_lips, on, on ? tr("Use the speaker's own lips") : tr("Use the model's lips"));
}

bool Document::requestArticulation(float articulation) {
    articulation = std::clamp(articulation, core::kMinArticulation, core::kMaxArticulation);
    // The spin box's two decimals: a value it shows is the value stored.
    articulation = std::round(articulation * 100.f) / 100.f;
    return requestSetting(&core::Project::articulation, articulation, tr("Set articulation"));
}

bool Document::requestExportSettings(const core::ExportSettings& settings) {
    return requestSetting(&core::Project::output, settings, tr("Change export settings"));
}

// ---- project file -------------------------------------------------------------

void Document::newProject() {
    media_.clear();
    project_ = core::Project::defaults();
    project_file_.clear();
    video_info_.reset();
    speech_info_.reset();
    chosen_track_ = {};
    undo_.clear();
    media_changed_ = false;
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
    media_changed_ = false;
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

void Document::recoverProject(const QString& recovery_file, const QString& project_file) {
    loadProjectFile(recovery_file);
    project_file_ = project_file;
    media_changed_ = true;
    log::ui()->info("recovered the unsaved project {} from {}",
                    project_file.isEmpty() ? std::string("(untitled)") : project_file.toStdString(),
                    recovery_file.toStdString());
    Q_EMIT projectReset();
    Q_EMIT modifiedChanged(true);
}

void Document::saveProjectFile(const QString& path) {
    core::saveProject(project_, toPath(path));
    project_file_ = path;
    media_changed_ = false;
    undo_.setClean();
    log::ui()->info("saved project {}", path.toStdString());
    Q_EMIT modifiedChanged(false);
}

}  // namespace redub::ui
