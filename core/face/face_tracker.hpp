// Frame-by-frame face tracking with stable track ids.
//
//   core::FaceDetector det;
//   core::FaceTracker tracker(det);
//   std::vector<std::vector<core::TrackedFace>> all;
//   while (reader.next(frame)) all.push_back(tracker.push(frame.rgb));
//   core::FaceTrack track = core::smoothTrack(core::selectTrack(all, choice));
//
// Every `detect_every` frames the whole (downscaled) frame is searched; in
// between each known face is re-found by the HOG detector in a small window
// around its last box (cheap, and it tells a face that left from one that
// moved), and its landmarks are refit there. A face lost in between triggers
// a whole-frame search on the same frame.
#pragma once

#include "core/face/face_detector.hpp"

#include <vector>

namespace redub::core {

struct TrackerParams {
    int detect_every = 5;        // whole-frame detection every N frames (1 = every frame)
    float search_margin = 0.5f;  // window around the last box for tracking, in box sides on each side
    float track_slack = 0.6f;    // HOG threshold lowered by this when re-finding a known face
    float min_iou = 0.3f;        // a detection continues a track when their boxes overlap at least this much
    int max_faces = 8;           // at most this many simultaneous tracks (largest kept)
    static TrackerParams defaults() { return {}; }
};

struct TrackedFace {
    int track_id = -1;      // stable while the face is followed; new ids are never reused
    FaceDetection face;     // full-frame coordinates; box = boxFromLandmarks() (steadier than the HOG box)
    bool detected = false;  // true on whole-frame detection frames, false when tracked in between
};

// Not thread-safe; feed frames in order. The detector must outlive the tracker.
class FaceTracker {
public:
    explicit FaceTracker(FaceDetector& detector, const TrackerParams& params = TrackerParams::defaults());

    // Faces in this frame (empty: no face). Throws Error{BadInput} for a bad image.
    std::vector<TrackedFace> push(const cv::Mat& rgb);

    // Frames pushed so far.
    int64_t frameCount() const { return frame_; }
    const TrackerParams& params() const { return params_; }

private:
    struct Track {
        int id;
        FaceDetection face;
    };
    std::vector<TrackedFace> detectAll(const cv::Mat& rgb, std::vector<Track>& lost,
                                       const std::vector<TrackedFace>& kept);

    FaceDetector& det_;
    TrackerParams params_;
    std::vector<Track> tracks_;
    int next_id_ = 0;
    int64_t frame_ = 0;
    int64_t last_full_ = -1;
};

// Intersection over union of two boxes (0 when disjoint or empty).
float iou(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace redub::core
