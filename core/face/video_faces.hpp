// Every face of a video, frame by frame, as core::FaceTracker reports it (track
// ids, boxes, 68 landmarks). The editor's face scan and the dub job's tracking
// stage are this one function, so a scan the editor has finished can stand in
// for the dub's own tracking (DubParams::faces):
//
//   auto scan = std::make_shared<core::VideoFaces>(core::trackVideoFaces("talk.mp4", 0, -1));
//   core::DubParams p = ...; p.faces = scan;   // run() tracks nothing when scan->covers(...)
//
// The choice of face (core::selectTrack) and the smoothing come after, so one
// scan serves every face choice.
#pragma once

#include "core/face/face_tracker.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <vector>

namespace redub::core {

// Identifies a video file's content cheaply: a scan of the same path with the same
// size and modification time is a scan of the same frames.
struct VideoStamp {
    std::filesystem::path path;  // absolute, symlinks resolved where possible
    uintmax_t bytes = 0;
    std::filesystem::file_time_type modified{};
    // Throws Error{BadInput} naming the file when it cannot be read.
    static VideoStamp of(const std::filesystem::path& video);
    bool operator==(const VideoStamp&) const = default;
};

struct VideoFaces {
    VideoStamp video;                 // the file scanned
    DetectorParams detector;          // the settings the faces were found with
    TrackerParams tracker;
    int64_t first = 0, last = -1;     // frames tracked, [first, last]; the tracker started at `first`
    bool to_end = false;              // the stream ended after `last` (shorter than its header said)
    std::vector<std::vector<TrackedFace>> frames;  // one entry per frame of the video (empty outside [first, last])
    double decode_s = 0, detect_s = 0;             // time spent decoding and detecting/tracking

    int64_t trackedFrames() const { return last >= first ? last - first + 1 : 0; }
    // True when this scan can replace tracking frames [lo, hi] of `video` with these
    // settings: same file (path, size, modification time), same detector and tracker
    // settings, one entry per frame of `video_frames`, and [lo, hi] inside [first, last]
    // (or past `last` when the stream ends there).
    bool covers(const std::filesystem::path& video, int64_t video_frames, const DetectorParams& detector,
                const TrackerParams& tracker, int64_t lo, int64_t hi) const;
};

// Called after each frame with (frames done, frames to do); reporting only.
using FaceScanProgressFn = std::function<void(int64_t done, int64_t total)>;

// Tracks frames [first, last] of `video` (last < 0 or past the end: to the last frame),
// starting the tracker at `first`. Throws Error{BadInput} naming the file when it cannot
// be decoded, Error{Cancelled} on stop.
VideoFaces trackVideoFaces(const std::filesystem::path& video, int64_t first = 0, int64_t last = -1,
                           const DetectorParams& detector = DetectorParams::defaults(),
                           const TrackerParams& tracker = TrackerParams::defaults(),
                           const FaceScanProgressFn& progress = {}, std::stop_token stop = {});

}  // namespace redub::core
