// What the editor learns about the project's media off the GUI thread
// (QtConcurrent): waveform peaks and playback audio of both lanes, thumbnails of
// the video and the face scan. Results of an analysis started for earlier media
// are dropped on arrival; decoded audio of recently opened files is reused.
#pragma once

#include "core/face/video_faces.hpp"
#include "ui/peaks.hpp"

#include <QFutureWatcher>
#include <QImage>
#include <QMap>
#include <QObject>
#include <QRectF>

#include <filesystem>
#include <memory>
#include <stop_token>

namespace redub::media {
struct AudioBuffer;
}

namespace redub::ui {

// Which audio lane.
enum class Lane { Source = 0, Speech = 1 };

// Result of the background face scan: per frame, the face boxes found (source pixels),
// and the tracker's full result, which the dub job reuses instead of tracking again.
struct FaceScan {
    int64_t frames_scanned = 0;
    int64_t frame_step = 1;              // every frame_step-th frame was scanned
    QMap<qint64, QList<QRectF>> faces;   // frame -> boxes (empty list = no face)
    QList<qint64> noFaceFrames() const;  // scanned frames without a face
    std::shared_ptr<const core::VideoFaces> tracking;  // core::trackVideoFaces() of the whole video
};

class MediaAnalysis : public QObject {
    Q_OBJECT
public:
    explicit MediaAnalysis(QObject* parent = nullptr);
    ~MediaAnalysis() override;

    // Drops what is known of the video and starts its analysis: thumbnails (one every
    // frame_count / 240 frames), the source audio (when has_audio) and the face scan.
    void analyseVideo(const std::filesystem::path& video, int64_t frame_count, bool has_audio);
    // Drops the speech's audio and decodes the new one.
    void analyseSpeech(const std::filesystem::path& speech);
    // Stops every analysis and forgets every result.
    void clear();

    const Peaks& peaks(Lane lane) const { return lane == Lane::Source ? source_peaks_ : speech_peaks_; }
    // Audio for playback (48 kHz stereo), or null while loading / when absent.
    std::shared_ptr<const media::AudioBuffer> playbackAudio(Lane lane) const;
    // Thumbnails: frame index -> small image.
    const QMap<qint64, QImage>& thumbnails() const { return thumbnails_; }
    const FaceScan& faceScan() const { return face_scan_; }
    // Boxes found in `frame` (the nearest scanned frame), source pixels.
    QList<QRectF> facesNear(int64_t frame) const;

    // Blocks until every background analysis has finished (tests, screenshots).
    void waitForAnalysis();

    static constexpr int kPlaybackRate = 48000;

Q_SIGNALS:
    void peaksReady(int lane);  // the lane's peaks and playback audio changed
    void thumbnailsReady();
    void faceScanReady();
    void analysisProgress(const QString& what, double fraction);  // GUI thread
    void backgroundError(const QString& message);                 // a background analysis failed

private:
    struct AudioResult;
    void startAudio(Lane lane, const std::filesystem::path& path);
    void startThumbnails(const std::filesystem::path& path, int64_t frame_count);
    void startFaceScan(const std::filesystem::path& path);
    void setAudio(Lane lane, const AudioResult& r);
    int generation(Lane lane) const { return lane == Lane::Source ? video_gen_ : speech_gen_; }
    // Runs `work` off the GUI thread and hands its result to `done` unless the lane's
    // media changed meanwhile.
    template <class R, class Work, class Done>
    void run(Lane lane, Work work, Done done);

    Peaks source_peaks_, speech_peaks_;
    std::shared_ptr<const media::AudioBuffer> source_audio_, speech_audio_;
    QMap<qint64, QImage> thumbnails_;
    FaceScan face_scan_;

    std::unique_ptr<std::stop_source> video_stop_, speech_stop_;
    int video_gen_ = 0, speech_gen_ = 0;
    QList<QFutureWatcherBase*> running_;
};

}  // namespace redub::ui
