// The whole-clip track of the face to dub: choosing it among the tracker's
// faces, following it across cuts, and smoothing it without lag. Pure
// geometry (no dlib, no files): unit-testable.
#pragma once

#include "core/face/face_tracker.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace redub::core {

struct FaceChoice {
    enum class Policy {
        Largest,  // the largest face in `frame` (or the nearest frame that has a face)
        Central,  // the face nearest the centre of the picture (`frame_size` required)
        Point,    // the face containing (or nearest to) `point` in `frame` - the GUI's click
    } policy = Policy::Largest;
    cv::Point2f point;    // frame pixels, for Policy::Point
    int64_t frame = 0;    // the frame the choice refers to
    cv::Size frame_size;  // picture size, for Policy::Central
};

struct FaceTrack {
    std::vector<std::optional<FaceDetection>> frames;  // one entry per frame; nullopt = no face (pass through)
    double coverage() const;                           // fraction of frames with a face (0 for an empty track)
};

struct TrackSelectParams {
    float reacquire_distance =
        0.75f;  // a face whose centre is within this many box sides of where the chosen face was last seen...
    float reacquire_scale =
        1.6f;  // ...and whose size differs by less than this factor takes over when the chosen id is gone
    static TrackSelectParams defaults() { return {}; }
};

// The chosen face in every frame. The choice is resolved in `choice.frame`
// (or the nearest frame with any face), then followed forwards and backwards
// by track id; when the id disappears (a cut, a lost track) the face that
// reappears near where it was last seen, at a similar size, continues it.
// Throws Error{BadInput} when choice.frame is out of range, or for Central
// without a frame size.
FaceTrack selectTrack(const std::vector<std::vector<TrackedFace>>& per_frame, const FaceChoice& choice,
                      const TrackSelectParams& params = TrackSelectParams::defaults());

// Centred moving average of boxes and landmarks over `window` frames (odd;
// even values are rounded up). Never smooths across a gap or a jump larger
// than half a box (a cut); near a segment end the window shrinks
// symmetrically, so linear motion is reproduced exactly (no lag).
FaceTrack smoothTrack(const FaceTrack& track, int window = 5);

// Jitter in pixels: mean over frames and the 68 landmarks of the
// second difference |p[t+1] - 2 p[t] + p[t-1]| (0 for constant-velocity
// motion), over frames whose neighbours both have a face.
double landmarkJitter(const FaceTrack& track);

// The face measured in a clip's frame: the detection overlapping the face chosen in the
// previous frame most (IoU >= 0.3), else (first frame) the most confident one - never
// simply the largest: the astronaut's mission patch is detected as a face of her size on
// some frames. Updates `prev`; null when nothing overlaps it (the face is not in the frame).
const FaceDetection* followFace(const std::vector<FaceDetection>& faces, std::optional<cv::Rect2f>& prev);

}  // namespace redub::core
