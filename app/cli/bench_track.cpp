// redub-cli bench track: face tracking speed at 640x480, 1280x720 and 1920x1080
// (the bundled webcam clip scaled up and letterboxed, in memory: no decode or
// encode in the figures), and the chosen face's landmark jitter before and
// after the centred smoothing window.
#include "cli/commands.hpp"
#include "core/face/face_track.hpp"
#include "core/face/face_tracker.hpp"
#include "core/project/paths.hpp"
#include "media/video_reader.hpp"
#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

namespace redub::cli {
namespace {

std::vector<cv::Mat> letterboxed(const std::vector<cv::Mat>& src, int w, int h) {
    std::vector<cv::Mat> out;
    const double scale = std::min(double(w) / src[0].cols, double(h) / src[0].rows);
    const cv::Size inner(int(src[0].cols * scale), int(src[0].rows * scale));
    for (const cv::Mat& s : src) {
        cv::Mat canvas(h, w, CV_8UC3, cv::Scalar(16, 16, 16)), scaled;
        cv::resize(s, scaled, inner, 0, 0, cv::INTER_LINEAR);
        scaled.copyTo(canvas(cv::Rect((w - inner.width) / 2, (h - inner.height) / 2, inner.width, inner.height)));
        out.push_back(canvas);
    }
    return out;
}

struct Run {
    double ms_per_frame = 0;      // wall
    double cpu_ms_per_frame = 0;  // process CPU time: meaningful even on a busy machine
    core::FaceTrack raw;
};

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

std::string loadAverage() {
    std::ifstream f("/proc/loadavg");
    std::string one;
    f >> one;
    return one.empty() ? "?" : one;
}

Run track(core::FaceDetector& det, const std::vector<cv::Mat>& frames, int detect_every) {
    core::TrackerParams tp = core::TrackerParams::defaults();
    tp.detect_every = detect_every;
    core::FaceTracker tracker(det, tp);
    std::vector<std::vector<core::TrackedFace>> all;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpuSeconds();
    for (const cv::Mat& f : frames) all.push_back(tracker.push(f));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpuSeconds() - c0;
    core::FaceChoice c;
    c.policy = core::FaceChoice::Policy::Central;
    c.frame_size = frames[0].size();
    return {1000 * s / double(frames.size()), 1000 * cpu / double(frames.size()), core::selectTrack(all, c)};
}

double faceWidth(const core::FaceTrack& t) {
    double sum = 0;
    int n = 0;
    for (const auto& f : t.frames)
        if (f) sum += f->box.width, ++n;
    return n ? sum / n : 0;
}

}  // namespace

int benchTrack(const Args& args) {
    const int max_frames = int(args.getInt("frames", 138));
    if (max_frames < 10) fail(ErrorKind::BadInput, "option --frames: at least 10 frames");
    media::VideoReader reader(core::dataFile("sample/talking-face.mp4"));
    std::vector<cv::Mat> src;
    media::VideoFrame f;
    while (int(src.size()) < max_frames && reader.next(f)) src.push_back(f.rgb.clone());
    if (src.size() < 10) fail(ErrorKind::Internal, "bench: the bundled sample has too few frames");

    const auto t0 = std::chrono::steady_clock::now();
    core::FaceDetector det;
    const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

    std::printf(
        "redub-cli bench track  (bundled webcam clip, %zu frames, scaled up + letterboxed, in memory;\n"
        "                        HOG on the frame downscaled to %d px; landmark model loaded in %.0f ms;\n"
        "                        load average %s: wall fps suffer on a busy machine, CPU ms do not)\n\n",
        src.size(), det.params().max_side, load_ms, loadAverage().c_str());
    std::printf(
        "| size | face px | detect every frame: CPU ms / wall fps | detect every 5: CPU ms / wall fps "
        "| coverage | jitter raw px | smoothed (w=5) px | raw / smoothed %% of face |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    struct Res {
        const char* name;
        int w, h;
    };
    for (const Res& r : {Res{"640x480", 640, 480}, Res{"1280x720", 1280, 720}, Res{"1920x1080", 1920, 1080}}) {
        const auto frames = letterboxed(src, r.w, r.h);
        const Run every1 = track(det, frames, 1);
        const Run every5 = track(det, frames, 5);
        const core::FaceTrack smooth = core::smoothTrack(every5.raw, 5);
        const double jr = core::landmarkJitter(every5.raw), js = core::landmarkJitter(smooth);
        const double fw = faceWidth(every5.raw);
        std::printf("| %s | %.0f | %.1f / %.1f | %.1f / %.1f | %.1f%% | %.2f | %.2f | %.2f / %.2f |\n", r.name, fw,
                    every1.cpu_ms_per_frame, 1000 / every1.ms_per_frame, every5.cpu_ms_per_frame,
                    1000 / every5.ms_per_frame, 100 * every5.raw.coverage(), jr, js, 100 * jr / std::max(1.0, fw),
                    100 * js / std::max(1.0, fw));
        std::fflush(stdout);
    }
    std::printf("\njitter: mean |p[t+1] - 2 p[t] + p[t-1]| over the 68 landmarks (0 for steady motion)\n");
    return 0;
}

}  // namespace redub::cli
