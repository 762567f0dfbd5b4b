// The editor's model: the core::Project being edited, its undo stack, the media's
// probe results and their analysis (MediaAnalysis), and what follows from both: the
// face the dub will repaint and the lip-sync meter. Views never change the project
// directly: they call request*(), which validates, records an undo command and emits
// a signal (Kdenlive timeline2's request* pattern).
#pragma once

#include "core/audio/sync_meter.hpp"
#include "core/face/face_track.hpp"
#include "core/project/project.hpp"
#include "media/probe.hpp"
#include "ui/media_analysis.hpp"

#include <QObject>
#include <QStringList>
#include <QUndoStack>

#include <optional>

namespace redub::ui {

class Document : public QObject {
    Q_OBJECT
public:
    explicit Document(QObject* parent = nullptr);

    const core::Project& project() const { return project_; }
    QUndoStack* undoStack() { return &undo_; }

    // ---- media ----------------------------------------------------------------
    // Sets the source video (probes it now; throws redub::Error naming the file
    // when it is not a usable video) and starts its analysis. Not undoable (like
    // opening a file).
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

    // Peaks, playback audio, thumbnails and the face scan of the media.
    const MediaAnalysis& media() const { return media_; }
    MediaAnalysis& media() { return media_; }
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

    // ---- edits (undoable) -----------------------------------------------------
    bool requestOffset(int64_t offset_samples);
    bool requestAddRange(core::FrameRange range);
    bool requestRemoveRange(core::FrameRange range);
    bool requestClearRanges();
    // Replaces the whole selection (clamped to the video, sorted and merged): one undo step
    // named `what` (a range edge dragged on the timeline).
    bool requestSetRanges(std::vector<core::FrameRange> ranges, const QString& what);
    bool requestFace(std::optional<core::FacePoint> face);
    // Generation and export settings, one field an undo step; false when unchanged.
    bool requestModel(const std::filesystem::path& model);  // empty: the bundled default
    bool requestSteps(int steps);                           // 0: the model's default
    bool requestSeed(uint64_t seed);
    bool requestDevice(const std::string& device);          // one of core::devices()
    bool requestLengthPolicy(const std::string& policy);    // one of core::lengthPolicies()
    bool requestOwnLips(bool on);                           // the speaker's own lips (core::Project::own_lips)
    bool requestArticulation(float articulation);           // core::Project::articulation (clamped to its range)
    bool requestExportSettings(const core::ExportSettings& settings);

    // ---- project file -----------------------------------------------------------
    // Replaces the document with a loaded project (clears undo, reloads media).
    // Throws redub::Error; on error the document is unchanged.
    void loadProjectFile(const QString& path);
    void saveProjectFile(const QString& path);
    // A project recovered after a crash (Recovery): loaded like a project file, then named
    // `project_file` (empty: untitled) and marked modified, so Save writes it where it belongs.
    void recoverProject(const QString& recovery_file, const QString& project_file);
    QString projectFile() const { return project_file_; }
    bool isModified() const { return !undo_.isClean() || media_changed_; }
    void newProject();

Q_SIGNALS:
    void videoChanged();
    void speechChanged();
    void offsetChanged(qint64 offset_samples);
    void rangesChanged();
    void faceChanged();
    void settingsChanged();
    void projectReset();   // a project file was loaded or a new one started
    void faceScanReady();  // the face scan is in, and the chosen face follows it
    void syncMeterChanged();  // the offset, the face, the face scan or the speech changed
    void modifiedChanged(bool modified);

private:
    // What the undo commands do (and undo).
    void applyOffset(int64_t v);
    void applyRanges(const std::vector<core::FrameRange>& v);
    void applyFace(const std::optional<core::FacePoint>& v);
    template <class T>
    void applySetting(T core::Project::*field, const T& v);
    template <class T>
    bool requestSetting(T core::Project::*field, T value, const QString& what);

    void updateChosenTrack();
    void invalidateSyncMeter();

    core::Project project_;
    QUndoStack undo_;
    QString project_file_;
    bool media_changed_ = false;  // a new video or speech since the last save (not undoable)

    std::optional<media::MediaInfo> video_info_;
    std::optional<media::MediaInfo> speech_info_;
    MediaAnalysis media_;
    core::FaceTrack chosen_track_;                 // see chosenFaceAt()
    mutable std::optional<SyncMeter> sync_meter_;  // see syncMeter()
};

}  // namespace redub::ui
