#include "core/face/video_faces.hpp"

#include "media/video_reader.hpp"
#include "redub/bounded_queue.hpp"
#include "redub/error.hpp"
#include "redub/job.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <stop_token>
#include <thread>

namespace fs = std::filesystem;

namespace redub::core {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool sameDetector(const DetectorParams& a, const DetectorParams& b) {
    return a.max_side == b.max_side && a.upsample == b.upsample && a.min_confidence == b.min_confidence &&
           a.refits == b.refits;
}

bool sameTracker(const TrackerParams& a, const TrackerParams& b) {
    return a.detect_every == b.detect_every && a.search_margin == b.search_margin &&
           a.track_slack == b.track_slack && a.min_iou == b.min_iou && a.max_faces == b.max_faces;
}

}  // namespace

VideoStamp VideoStamp::of(const fs::path& video) {
    std::error_code ec;
    VideoStamp s;
    s.path = fs::weakly_canonical(fs::absolute(video), ec);
    if (ec) s.path = fs::absolute(video).lexically_normal();
    s.bytes = fs::file_size(video, ec);
    if (ec) fail(ErrorKind::BadInput, video, "cannot read the file (" + ec.message() + ")");
    s.modified = fs::last_write_time(video, ec);
    if (ec) fail(ErrorKind::BadInput, video, "cannot read the file (" + ec.message() + ")");
    return s;
}

bool VideoFaces::covers(const fs::path& file, int64_t video_frames, const DetectorParams& det,
                        const TrackerParams& trk, int64_t lo, int64_t hi) const {
    if (int64_t(frames.size()) != video_frames || !sameDetector(det, detector) || !sameTracker(trk, tracker))
        return false;
    if (hi >= lo && (lo < first || (hi > last && !to_end))) return false;
    try {
        return VideoStamp::of(file) == video;
    } catch (const Error&) {
        return false;
    }
}

VideoFaces trackVideoFaces(const fs::path& video, int64_t first, int64_t last, const DetectorParams& detector,
                           const TrackerParams& tracker, const FaceScanProgressFn& progress, std::stop_token stop) {
    VideoFaces out;
    out.video = VideoStamp::of(video);
    out.detector = detector;
    out.tracker = tracker;
    media::VideoReader reader(video);
    const int64_t n = reader.frameCount();
    out.frames.resize(size_t(std::max<int64_t>(n, 0)));
    first = std::clamp<int64_t>(first, 0, std::max<int64_t>(n, 1) - 1);
    last = last < 0 ? n - 1 : std::min(last, n - 1);
    out.first = first;
    out.last = first - 1;  // nothing tracked yet
    out.to_end = last == n - 1;
    if (n <= 0 || last < first) return out;
    FaceDetector det(detector);
    FaceTracker trk(det, tracker);
    if (first > 0) reader.seek(first);
    // Decoding runs on its own thread a few frames ahead of detection: the two take about
    // as long per frame, so on two cores the scan takes the longer of them, not their sum.
    BoundedQueue<media::VideoFrame> decoded(4);
    std::exception_ptr decode_error;
    bool short_stream = false;  // written by the decoder before it closes the queue
    std::stop_source quit;
    std::thread decoder([&] {
        try {
            for (int64_t s = first; s <= last && !quit.stop_requested(); ++s) {
                const auto t0 = Clock::now();
                media::VideoFrame vf;
                if (!reader.next(vf, stop)) {  // a stream shorter than its header: the rest stays empty
                    short_stream = true;
                    break;
                }
                out.decode_s += since(t0);
                if (!decoded.push(std::move(vf))) break;
            }
        } catch (...) {
            decode_error = std::current_exception();
        }
        decoded.close();
    });
    auto finish = [&] {
        quit.request_stop();
        decoded.close();
        decoder.join();
    };
    try {
        int64_t done = 0;
        while (auto vf = decoded.pop()) {
            throwIfCancelled(stop);
            if (vf->index < 0 || vf->index >= n) break;  // frames past the header's count are not scanned
            const auto t0 = Clock::now();
            out.frames[size_t(vf->index)] = trk.push(vf->rgb);
            out.detect_s += since(t0);
            out.last = vf->index;
            if (progress) progress(++done, last - first + 1);
        }
    } catch (...) {
        finish();
        throw;
    }
    finish();
    if (decode_error) std::rethrow_exception(decode_error);
    if (short_stream) out.to_end = true;
    throwIfCancelled(stop);
    return out;
}

}  // namespace redub::core
