#include "core/face/face_tracker.hpp"

#include "redub/error.hpp"

#include <algorithm>
#include <cmath>

namespace redub::core {

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
    const float inter = (a & b).area();
    const float uni = a.area() + b.area() - inter;
    return uni > 0 ? inter / uni : 0.f;
}

namespace {
cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

// The tracker reports the box implied by the landmarks: the HOG box jumps
// between pyramid levels from frame to frame, the landmarks do not.
FaceDetection withLandmarkBox(const FaceDetection& f) {
    FaceDetection g = f;
    g.box = boxFromLandmarks(f.landmarks);
    return g;
}

cv::Rect2f expand(const cv::Rect2f& r, float margin) {
    const float side = std::max(r.width, r.height);
    return {r.x - margin * side, r.y - margin * side, r.width + 2 * margin * side, r.height + 2 * margin * side};
}

// Index of the candidate that best continues `prev` (highest IoU, then nearest centre), or -1.
int bestMatch(const std::vector<FaceDetection>& found, const cv::Rect2f& prev) {
    int best = -1;
    float best_score = -1e30f;
    for (size_t i = 0; i < found.size(); ++i) {
        const float o = iou(found[i].box, prev);
        const cv::Point2f d = centre(found[i].box) - centre(prev);
        const float score = o - std::hypot(d.x, d.y) / std::max(1.f, prev.width);
        if (score > best_score) {
            best_score = score;
            best = int(i);
        }
    }
    return best;
}
}  // namespace

FaceTracker::FaceTracker(FaceDetector& detector, const TrackerParams& params) : det_(detector), params_(params) {
    if (params.detect_every < 1) fail(ErrorKind::BadInput, "face tracker: detect_every must be >= 1");
    if (params.search_margin <= 0 || params.min_iou <= 0 || params.min_iou >= 1 || params.max_faces < 1)
        fail(ErrorKind::BadInput, "face tracker: search_margin > 0, 0 < min_iou < 1 and max_faces >= 1 are required");
}

std::vector<TrackedFace> FaceTracker::detectAll(const cv::Mat& rgb, std::vector<Track>& candidates,
                                                const std::vector<TrackedFace>& kept) {
    last_full_ = frame_;
    std::vector<FaceDetection> dets = det_.detect(rgb);
    // A face already followed this frame is not a new face.
    std::erase_if(dets, [&](const FaceDetection& d) {
        return std::any_of(kept.begin(), kept.end(),
                           [&](const TrackedFace& k) { return iou(k.face.box, d.box) >= params_.min_iou; });
    });

    // Greedy matching of candidate tracks to detections by decreasing IoU.
    struct Pair {
        float o;
        size_t t, d;
    };
    std::vector<Pair> pairs;
    for (size_t t = 0; t < candidates.size(); ++t)
        for (size_t d = 0; d < dets.size(); ++d)
            if (float o = iou(candidates[t].face.box, dets[d].box); o >= params_.min_iou) pairs.push_back({o, t, d});
    std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.o > b.o; });
    std::vector<bool> t_used(candidates.size()), d_used(dets.size());
    std::vector<TrackedFace> out;
    for (const Pair& p : pairs) {
        if (t_used[p.t] || d_used[p.d]) continue;
        t_used[p.t] = d_used[p.d] = true;
        out.push_back({candidates[p.t].id, withLandmarkBox(dets[p.d]), true});
    }
    // A known face the whole-frame pass missed (weaker than its threshold, or
    // moved more than min_iou allows) gets one more, looser look near where it was.
    for (size_t t = 0; t < candidates.size(); ++t) {
        if (t_used[t]) continue;
        const cv::Rect2f prev = candidates[t].face.box;
        auto near = det_.detectNear(rgb, expand(prev, params_.search_margin), std::max(prev.width, prev.height),
                                    params_.track_slack);
        std::erase_if(near, [&](const FaceDetection& f) {
            return std::any_of(out.begin(), out.end(),
                               [&](const TrackedFace& o) { return iou(o.face.box, f.box) >= params_.min_iou; });
        });
        if (int i = bestMatch(near, prev); i >= 0) out.push_back({candidates[t].id, withLandmarkBox(near[i]), false});
    }
    for (size_t d = 0; d < dets.size(); ++d) {
        if (d_used[d]) continue;
        const bool taken = std::any_of(out.begin(), out.end(), [&](const TrackedFace& o) {
            return iou(o.face.box, dets[d].box) >= params_.min_iou;
        });
        if (!taken) out.push_back({next_id_++, withLandmarkBox(dets[d]), true});
    }
    return out;
}

std::vector<TrackedFace> FaceTracker::push(const cv::Mat& rgb) {
    if (rgb.empty() || rgb.type() != CV_8UC3)
        fail(ErrorKind::BadInput, "face tracking: frame " + std::to_string(frame_) + " is empty or not 8-bit RGB");
    const bool full = tracks_.empty() || last_full_ < 0 || frame_ - last_full_ >= params_.detect_every;
    std::vector<TrackedFace> out;
    if (full) {
        out = detectAll(rgb, tracks_, {});
    } else {
        std::vector<Track> lost;
        for (const Track& t : tracks_) {
            const cv::Rect2f prev = t.face.box;
            auto near = det_.detectNear(rgb, expand(prev, params_.search_margin), std::max(prev.width, prev.height),
                                        params_.track_slack);
            std::erase_if(near, [&](const FaceDetection& f) {
                return std::any_of(out.begin(), out.end(),
                                   [&](const TrackedFace& o) { return iou(o.face.box, f.box) >= params_.min_iou; });
            });
            if (int i = bestMatch(near, prev); i >= 0)
                out.push_back({t.id, withLandmarkBox(near[i]), false});
            else
                lost.push_back(t);
        }
        // Re-detection on loss: the face may have moved fast or a cut happened.
        if (!lost.empty()) {
            auto more = detectAll(rgb, lost, out);
            out.insert(out.end(), more.begin(), more.end());
        }
    }
    // Two tracks that converged on one face: keep the older id.
    std::sort(out.begin(), out.end(),
              [](const TrackedFace& a, const TrackedFace& b) { return a.track_id < b.track_id; });
    for (size_t i = 0; i < out.size(); ++i)
        for (size_t j = out.size(); j-- > i + 1;)
            if (iou(out[i].face.box, out[j].face.box) >= 0.5f) out.erase(out.begin() + long(j));
    if (int(out.size()) > params_.max_faces) {
        std::sort(out.begin(), out.end(),
                  [](const TrackedFace& a, const TrackedFace& b) { return a.face.box.area() > b.face.box.area(); });
        out.resize(size_t(params_.max_faces));
        std::sort(out.begin(), out.end(),
                  [](const TrackedFace& a, const TrackedFace& b) { return a.track_id < b.track_id; });
    }
    tracks_.clear();
    for (const TrackedFace& f : out) tracks_.push_back({f.track_id, f.face});
    ++frame_;
    return out;
}

}  // namespace redub::core
