// The editor's model: the core::Project being edited, its undo stack, and what
// the editor knows about the project's media (probe results, waveform peaks,
// thumbnails, face scan). Views never change the project directly: they call
// request*(), which validates, records an undo command and emits a signal
// (Kdenlive timeline2's request* pattern). Media analysis runs off the GUI
// thread (QtConcurrent) and arrives through the *Ready signals.
#pragma once

#include "core/audio/sync_meter.hpp"
#include "core/face/face_track.hpp"
#include "core/face/video_faces.hpp"
#include "core/project/project.hpp"
#include "media/probe.hpp"
#include "ui/peaks.hpp"

#include <QFutureWatcher>
#include <QImage>
#include <QMap>
#include <QObject>
#include <QRectF>
#include <QStringList>
#include <QUndoStack>

#include <atomic>
#include <list>
#include <memory>
#include <optional>
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

class Document : public QObject {
    Q_OBJECT
public:
    explicit Document(QObject* parent = nullptr);
    ~Document() override;

    const core::Project& project() const { return project_; }
    QUndoStack* undoStack() { return &undo_; }

    // ---- media ----------------------------------------------------------------
    // Sets the source video (probes it now; throws redub::Error naming the file
    // when it is not a usable video). Starts thumbnails, source-audio peaks and
    // the face scan in the background. Not undoable (like opening a file).
    void setVideo(const QString& path);
    // Sets the new speech: an audio file or any file with an audio stream.
    // Throws redub::Error when the file has no audio.
    void setSpeech(const QString& path);
    // Drop / File>Open logic for a list of files: a file with a video stream becomes
    // the video (the first one, when no video is loaded yet), an audio-only file or
    // a second video becomes the speech. A .redub file is opened as a project.
    // Throws redub::Error for the first file that cannot be used.
    void openFiles(const QStringList& paths);

    const std::optional<media::MediaInfo>& videoInfo() const { return video_info_; }
    const std::optional<media::MediaInfo>& speechInfo() const { return speech_info_; }
    bool hasVideo() const { return video_info_ && video_info_->video; }
    int64_t frameCount() const;
    Rational frameRate() const;  // 25/1 when no video is loaded
    double frameToSeconds(int64_t frame) const;
    int64_t secondsToFrame(double s) const;

    const Peaks& peaks(Lane lane) const { return lane == Lane::Source ? source_peaks_ : speech_peaks_; }
    // Audio for playback (48 kHz stereo), or null while loading / when absent.
    std::shared_ptr<const media::AudioBuffer> playbackAudio(Lane lane) const;
    // Thumbnails: frame index -> small image (every thumbnailStep()-th frame).
    const QMap<qint64, QImage>& thumbnails() const { return thumbnails_; }
    const FaceScan& faceScan() const { return face_scan_; }
    // Boxes found in `frame` (the nearest scanned frame), source pixels.
    QList<QRectF> facesNear(int64_t frame) const;
    // The face the dub will repaint in `frame`: the project's face choice followed
    // through the face scan and smoothed (core::selectTrack + smoothTrack, as the dub
    // job does). nullopt before the scan, or when that face is not in the frame.
    std::optional<core::FaceDetection> chosenFaceAt(int64_t frame) const;
    // ---- lip-sync meter (core/audio/sync_meter.hpp) -----------------------------------
    // The chosen face's mouth opening against the new speech's loudness at the current
    // offset: the best-lag r, lag and confidence over the clip, and r per second (2-s
    // windows centred on each second, at that lag; NaN where there is no face). frames == 0
    // until the face scan and the speech are in. Cached; syncMeterChanged() says when to
    // read it again.
    struct SyncMeter {
        core::LagCorrelation overall;
        std::vector<double> per_second;
        std::vector<double> opening, loudness;  // per frame (opening -1: no face)
    };
    const SyncMeter& syncMeter() const;
    // The meter over the re-sync range that contains `frame` (else a 2-s window around it),
    // at the clip's lag; NaN without a face there or before the meter is ready.
    double syncAround(int64_t frame) const;
    // Where the new speech lines up with the video: against the video's own speech track
    // (cross-correlation of their loudness), or without one against the chosen face's
    // mouth. nullopt while the media are loading. Throws redub::Error when the speech is
    // too short or silent to align.
    std::optional<core::OffsetEstimate> proposeAlignment() const;

    // True while any background analysis is still running.
    bool busy() const;
    // Blocks until every background analysis has finished (tests, screenshots).
    void waitForAnalysis();

    // ---- edits (undoable) -----------------------------------------------------
    bool requestOffset(int64_t offset_samples);
    bool requestAddRange(core::FrameRange range);
    bool requestRemoveRange(core::FrameRange range);
    bool requestClearRanges();
    // Replaces the whole selection (clamped to the video, sorted and merged): one undo step
    // named `what` (a range edge dragged on the timeline).
    bool requestSetRanges(std::vector<core::FrameRange> ranges, const QString& what);
    bool requestFace(std::optional<core::FacePoint> face);
    // Settings edits (not undoable, but mark the project modified).
    void setGenerationSettings(const std::filesystem::path& model, int steps, uint64_t seed, const std::string& device);
    void setExportSettings(const core::ExportSettings& settings);
    void setLengthPolicy(const std::string& policy);  // one of core::lengthPolicies()

    // ---- project file -----------------------------------------------------------
    // Replaces the document with a loaded project (clears undo, reloads media).
    // Throws redub::Error; on error the document is unchanged.
    void loadProjectFile(const QString& path);
    void saveProjectFile(const QString& path);
    QString projectFile() const { return project_file_; }
    bool isModified() const { return !undo_.isClean() || settings_dirty_; }
    void newProject();

    // Used by the undo commands only.
    void applyOffset(int64_t v);
    void applyRanges(const std::vector<core::FrameRange>& v);
    void applyFace(const std::optional<core::FacePoint>& v);

Q_SIGNALS:
    void videoChanged();
    void speechChanged();
    void offsetChanged(qint64 offset_samples);
    void rangesChanged();
    void faceChanged();
    void settingsChanged();
    void projectReset();  // a project file was loaded or a new one started
    void peaksReady(int lane);
    void thumbnailsReady();
    void faceScanReady();
    void syncMeterChanged();  // the offset, the face, the face scan or the speech changed
    void analysisProgress(const QString& what, double fraction);  // GUI thread
    void modifiedChanged(bool modified);
    void backgroundError(const QString& message);  // a background analysis failed

private:
    void startVideoAnalysis();
    void startSpeechAnalysis();
    void cancelAnalysis();
    struct AudioResult;
    static constexpr size_t kAudioCacheSize = 6;
    static std::shared_ptr<AudioResult> cachedAudio(const std::filesystem::path& p);
    static void rememberAudio(const std::filesystem::path& p, std::shared_ptr<AudioResult> r);
    static std::list<std::pair<QString, std::shared_ptr<AudioResult>>>& audioCache();

    core::Project project_;
    QUndoStack undo_;
    QString project_file_;
    bool settings_dirty_ = false;

    std::optional<media::MediaInfo> video_info_;
    std::optional<media::MediaInfo> speech_info_;
    Peaks source_peaks_, speech_peaks_;
    std::shared_ptr<const media::AudioBuffer> source_audio_, speech_audio_;
    QMap<qint64, QImage> thumbnails_;
    FaceScan face_scan_;
    core::FaceTrack chosen_track_;  // see chosenFaceAt()
    void updateChosenTrack();
    mutable std::optional<SyncMeter> sync_meter_;  // see syncMeter()
    void invalidateSyncMeter();

    std::unique_ptr<std::stop_source> video_stop_, speech_stop_;
    int video_gen_ = 0, speech_gen_ = 0;
    QList<QFutureWatcherBase*> running_;
};

}  // namespace redub::ui
