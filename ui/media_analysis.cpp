#include "ui/media_analysis.hpp"

#include "core/face/face_tracker.hpp"
#include "media/audio_reader.hpp"
#include "media/video_reader.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"
#include "ui/image_convert.hpp"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrent>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <list>

namespace redub::ui {

struct MediaAnalysis::AudioResult {
    std::shared_ptr<const media::AudioBuffer> audio;
    Peaks peaks;
    QString error;
};

namespace {

constexpr int kThumbHeight = 54;
constexpr size_t kAudioCacheSize = 6;

// Decoded audio + peaks of recently opened files, keyed by path, size and
// modification time, so reopening a file (or a project) does not decode it again.
// GUI thread only.
template <class Result>
class AudioCache {
public:
    std::shared_ptr<Result> find(const std::filesystem::path& p) {
        const QString k = key(p);
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (it->first == k) {
                auto r = it->second;
                entries_.erase(it);
                entries_.push_front({k, r});
                return r;
            }
        return nullptr;
    }
    void remember(const std::filesystem::path& p, std::shared_ptr<Result> r) {
        entries_.push_front({key(p), std::move(r)});
        while (entries_.size() > kAudioCacheSize) entries_.pop_back();
    }

private:
    static QString key(const std::filesystem::path& p) {
        const QFileInfo fi(QString::fromStdString(p.string()));
        return QStringLiteral("%1|%2|%3")
            .arg(fi.absoluteFilePath())
            .arg(fi.size())
            .arg(fi.lastModified().toMSecsSinceEpoch());
    }
    std::list<std::pair<QString, std::shared_ptr<Result>>> entries_;
};

template <class Result>
AudioCache<Result>& audioCache() {
    static AudioCache<Result> cache;
    return cache;
}

}  // namespace

QList<qint64> FaceScan::noFaceFrames() const {
    QList<qint64> out;
    for (auto it = faces.cbegin(); it != faces.cend(); ++it)
        if (it.value().isEmpty()) out.push_back(it.key());
    return out;
}

MediaAnalysis::MediaAnalysis(QObject* parent) : QObject(parent) {}

MediaAnalysis::~MediaAnalysis() { clear(); }

void MediaAnalysis::clear() {
    if (video_stop_) video_stop_->request_stop();
    if (speech_stop_) speech_stop_->request_stop();
    for (auto* w : running_) {
        w->disconnect(this);
        w->waitForFinished();
        w->deleteLater();
    }
    running_.clear();
    source_peaks_ = speech_peaks_ = {};
    source_audio_.reset();
    speech_audio_.reset();
    thumbnails_.clear();
    face_scan_ = {};
}

void MediaAnalysis::waitForAnalysis() {
    while (!running_.isEmpty()) {
        auto* w = running_.front();
        w->waitForFinished();
        QCoreApplication::processEvents();  // deliver finished() so results land
        QCoreApplication::sendPostedEvents();
    }
}

std::shared_ptr<const media::AudioBuffer> MediaAnalysis::playbackAudio(Lane lane) const {
    return lane == Lane::Source ? source_audio_ : speech_audio_;
}

QList<QRectF> MediaAnalysis::facesNear(int64_t frame) const {
    if (face_scan_.faces.isEmpty()) return {};
    auto it = face_scan_.faces.lowerBound(frame);
    if (it == face_scan_.faces.cend() || (it.key() != frame && it != face_scan_.faces.cbegin())) {
        auto prev = std::prev(it);
        if (it == face_scan_.faces.cend() || frame - prev.key() < it.key() - frame) it = prev;
    }
    return it.value();
}

template <class R, class Work, class Done>
void MediaAnalysis::run(Lane lane, Work work, Done done) {
    const int gen = generation(lane);
    auto* w = new QFutureWatcher<R>(this);
    connect(w, &QFutureWatcherBase::finished, this, [this, w, lane, gen, done] {
        running_.removeOne(w);
        w->deleteLater();
        if (gen == generation(lane)) done(w->result());
    });
    w->setFuture(QtConcurrent::run(std::move(work)));
    running_.push_back(w);
}

void MediaAnalysis::analyseVideo(const std::filesystem::path& video, int64_t frame_count, bool has_audio) {
    if (video_stop_) video_stop_->request_stop();
    ++video_gen_;
    video_stop_ = std::make_unique<std::stop_source>();
    thumbnails_.clear();
    face_scan_ = {};
    source_peaks_ = {};
    source_audio_.reset();
    Q_EMIT peaksReady(int(Lane::Source));
    if (has_audio) startAudio(Lane::Source, video);
    startThumbnails(video, frame_count);
    startFaceScan(video);
}

void MediaAnalysis::analyseSpeech(const std::filesystem::path& speech) {
    if (speech_stop_) speech_stop_->request_stop();
    ++speech_gen_;
    speech_stop_ = std::make_unique<std::stop_source>();
    speech_peaks_ = {};
    speech_audio_.reset();
    Q_EMIT peaksReady(int(Lane::Speech));
    startAudio(Lane::Speech, speech);
}

void MediaAnalysis::setAudio(Lane lane, const AudioResult& r) {
    (lane == Lane::Source ? source_audio_ : speech_audio_) = r.audio;
    (lane == Lane::Source ? source_peaks_ : speech_peaks_) = r.peaks;
    Q_EMIT peaksReady(int(lane));
}

void MediaAnalysis::startAudio(Lane lane, const std::filesystem::path& path) {
    if (auto hit = audioCache<AudioResult>().find(path)) return setAudio(lane, *hit);
    const std::stop_token stop = (lane == Lane::Source ? video_stop_ : speech_stop_)->get_token();
    auto decode = [path, stop] {
        auto r = std::make_shared<AudioResult>();
        try {
            auto buf = std::make_shared<media::AudioBuffer>(media::readAudio(path, kPlaybackRate, 2, stop));
            std::vector<float> mono(size_t(buf->frames()));
            for (size_t i = 0; i < mono.size(); ++i) mono[i] = 0.5f * (buf->samples[2 * i] + buf->samples[2 * i + 1]);
            r->peaks = computePeaks(mono, kPlaybackRate, 64);
            r->audio = std::move(buf);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled) r->error = QString::fromStdString(e.what());
        } catch (const std::exception& e) {  // OpenCV, allocation: reported, never fatal
            r->error = QStringLiteral("%1: %2").arg(QString::fromStdString(path.string()), QString::fromUtf8(e.what()));
        }
        return r;
    };
    run<std::shared_ptr<AudioResult>>(lane, decode, [this, lane, path](const std::shared_ptr<AudioResult>& r) {
        if (!r->error.isEmpty()) {
            Q_EMIT backgroundError(r->error);
            return;
        }
        audioCache<AudioResult>().remember(path, r);
        setAudio(lane, *r);
    });
}

void MediaAnalysis::startThumbnails(const std::filesystem::path& path, int64_t frame_count) {
    // One every `step` frames, decoded sequentially (fast for every codec).
    const int64_t step = std::max<int64_t>(1, frame_count / 240);
    const std::stop_token stop = video_stop_->get_token();
    auto decode = [path, step, stop] {
        QMap<qint64, QImage> thumbs;
        try {
            media::VideoReader reader(path);
            media::VideoFrame f;
            while (reader.next(f, stop)) {
                if (f.index % step) continue;
                const int w = std::max(1, f.rgb.cols * kThumbHeight / std::max(1, f.rgb.rows));
                cv::Mat small;
                cv::resize(f.rgb, small, cv::Size(w, kThumbHeight), 0, 0, cv::INTER_AREA);
                thumbs.insert(f.index, toImage(small));
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled) log::ui()->warn("thumbnails: {}", e.what());
        } catch (const std::exception& e) {
            log::ui()->warn("thumbnails: {}: {}", path.string(), e.what());
        }
        return thumbs;
    };
    run<QMap<qint64, QImage>>(Lane::Source, decode, [this](const QMap<qint64, QImage>& thumbs) {
        thumbnails_ = thumbs;
        Q_EMIT thumbnailsReady();
    });
}

void MediaAnalysis::startFaceScan(const std::filesystem::path& path) {
    // Every frame through the tracker (whole-frame detection every 5th frame), with the
    // dub job's own code and settings, so the job can reuse the result.
    const std::stop_token stop = video_stop_->get_token();
    auto scan = [this, path, stop] {
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
    };
    run<std::shared_ptr<FaceScan>>(Lane::Source, scan, [this](const std::shared_ptr<FaceScan>& r) {
        face_scan_ = *r;
        if (face_scan_.frames_scanned > 0) {
            const auto none = face_scan_.noFaceFrames().size();
            log::ui()->info("face scan: {} frames, {} without a face", face_scan_.frames_scanned, none);
        }
        Q_EMIT faceScanReady();
    });
}

}  // namespace redub::ui
