#include "core/face/face_track.hpp"

#include "redub/error.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace redub::core {

namespace {
cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }
float dist(cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); }
float side(const cv::Rect2f& r) { return std::max(r.width, r.height); }

// True when b does not continue a (a cut or a re-acquired face): the centre
// jumped by more than half a box side.
bool jumps(const FaceDetection& a, const FaceDetection& b) {
    return dist(centre(a.box), centre(b.box)) > 0.5f * std::max(side(a.box), side(b.box));
}

// [first, last] runs of frames with a face and no jump.
std::vector<std::pair<size_t, size_t>> segments(const FaceTrack& t) {
    std::vector<std::pair<size_t, size_t>> out;
    const auto& f = t.frames;
    for (size_t i = 0; i < f.size(); ++i) {
        if (!f[i]) continue;
        if (!out.empty() && out.back().second + 1 == i && !jumps(*f[i - 1], *f[i]))
            out.back().second = i;
        else
            out.emplace_back(i, i);
    }
    return out;
}
}  // namespace

double FaceTrack::coverage() const {
    if (frames.empty()) return 0;
    const auto n = std::count_if(frames.begin(), frames.end(), [](const auto& f) { return f.has_value(); });
    return double(n) / double(frames.size());
}

FaceTrack selectTrack(const std::vector<std::vector<TrackedFace>>& per_frame, const FaceChoice& choice,
                      const TrackSelectParams& params) {
    const int64_t n = int64_t(per_frame.size());
    FaceTrack out;
    out.frames.resize(size_t(n));
    if (n == 0) return out;
    if (choice.frame < 0 || choice.frame >= n)
        fail(ErrorKind::BadInput, "face choice: frame " + std::to_string(choice.frame) + " is outside the clip (0.." +
                                      std::to_string(n - 1) + ")");
    if (choice.policy == FaceChoice::Policy::Central && choice.frame_size.area() <= 0)
        fail(ErrorKind::BadInput, "face choice: the Central policy needs the frame size");

    // The frame the choice is resolved in: the requested one, else the nearest with a face.
    int64_t anchor = -1;
    for (int64_t d = 0; d < n && anchor < 0; ++d) {
        if (choice.frame + d < n && !per_frame[size_t(choice.frame + d)].empty())
            anchor = choice.frame + d;
        else if (choice.frame - d >= 0 && !per_frame[size_t(choice.frame - d)].empty())
            anchor = choice.frame - d;
    }
    if (anchor < 0) return out;  // no face anywhere

    const auto& faces = per_frame[size_t(anchor)];
    auto score = [&](const TrackedFace& f) -> float {  // lower is better
        switch (choice.policy) {
            case FaceChoice::Policy::Largest:
                return -f.face.box.area();
            case FaceChoice::Policy::Central:
                return dist(centre(f.face.box),
                            cv::Point2f(choice.frame_size.width / 2.f, choice.frame_size.height / 2.f));
            case FaceChoice::Policy::Point:
                // A click inside a box wins over any box outside; among those, the nearest centre.
                return dist(centre(f.face.box), choice.point) + (f.face.box.contains(choice.point) ? 0.f : 1e6f);
        }
        return 0.f;
    };
    const TrackedFace& chosen = *std::min_element(faces.begin(), faces.end(),
                                                  [&](const auto& a, const auto& b) { return score(a) < score(b); });

    auto follow = [&](int64_t step) {
        int id = chosen.track_id;
        cv::Rect2f last = chosen.face.box;
        std::set<int> rivals;  // ids seen next to the chosen face: other people, never taken over
        for (int64_t f = anchor; f >= 0 && f < n; f += step) {
            const auto& here = per_frame[size_t(f)];
            auto it = std::find_if(here.begin(), here.end(), [&](const TrackedFace& t) { return t.track_id == id; });
            if (it == here.end()) {
                float best = params.reacquire_distance * side(last);
                for (auto c = here.begin(); c != here.end(); ++c) {
                    if (rivals.count(c->track_id)) continue;
                    const float ratio = side(c->face.box) / std::max(1.f, side(last));
                    if (ratio > params.reacquire_scale || ratio < 1 / params.reacquire_scale) continue;
                    if (float d = dist(centre(c->face.box), centre(last)); d <= best) {
                        best = d;
                        it = c;
                    }
                }
            }
            if (it == here.end()) continue;
            id = it->track_id;
            last = it->face.box;
            out.frames[size_t(f)] = it->face;
            for (const auto& t : here)
                if (t.track_id != id) rivals.insert(t.track_id);
        }
    };
    follow(+1);
    follow(-1);
    return out;
}

FaceTrack smoothTrack(const FaceTrack& track, int window) {
    if (window < 1) fail(ErrorKind::BadInput, "face smoothing: window must be >= 1");
    const int half = window / 2;
    FaceTrack out = track;
    for (const auto& [s, e] : segments(track)) {
        for (size_t i = s; i <= e; ++i) {
            const size_t h = std::min<size_t>({size_t(half), i - s, e - i});
            if (h == 0) continue;
            const float k = 1.f / float(2 * h + 1);
            FaceDetection avg = *track.frames[i];
            cv::Point2f tl(0, 0), sz(0, 0);
            std::array<cv::Point2f, 68> lm{};
            for (size_t j = i - h; j <= i + h; ++j) {
                const FaceDetection& f = *track.frames[j];
                tl += cv::Point2f(f.box.x, f.box.y);
                sz += cv::Point2f(f.box.width, f.box.height);
                for (size_t p = 0; p < 68; ++p) lm[p] += f.landmarks[p];
            }
            avg.box = cv::Rect2f(tl.x * k, tl.y * k, sz.x * k, sz.y * k);
            for (size_t p = 0; p < 68; ++p) avg.landmarks[p] = lm[p] * k;
            out.frames[i] = avg;
        }
    }
    return out;
}

double landmarkJitter(const FaceTrack& track) {
    double sum = 0;
    int64_t count = 0;
    for (const auto& [s, e] : segments(track)) {
        for (size_t i = s + 1; i + 1 <= e; ++i) {
            const auto& a = track.frames[i - 1]->landmarks;
            const auto& b = track.frames[i]->landmarks;
            const auto& c = track.frames[i + 1]->landmarks;
            for (size_t p = 0; p < 68; ++p) {
                const cv::Point2f d2 = c[p] - 2 * b[p] + a[p];
                sum += std::hypot(d2.x, d2.y);
                ++count;
            }
        }
    }
    return count ? sum / double(count) : 0.0;
}

const FaceDetection* followFace(const std::vector<FaceDetection>& faces, std::optional<cv::Rect2f>& prev) {
    const FaceDetection* best = nullptr;
    double best_score = -1e9;
    for (const auto& f : faces) {
        double score = f.confidence;
        if (prev) {
            const cv::Rect2f in = f.box & *prev;
            const double iou = in.area() / std::max(1e-6, double(f.box.area() + prev->area() - in.area()));
            if (iou < 0.3) continue;
            score = iou;
        }
        if (score > best_score) best_score = score, best = &f;
    }
    if (best) prev = best->box;
    return best;
}

}  // namespace redub::core
