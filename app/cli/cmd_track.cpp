// redub-cli track: follow the faces of a video, choose one, smooth it; print a
// summary, optionally write every frame's faces as JSON and an overlay MP4
// (docs/faces.md).
#include "cli/commands.hpp"
#include "core/face/face_track.hpp"
#include "core/face/face_tracker.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>

namespace redub::cli {

extern const char* const kTrackUsage;
const char* const kTrackUsage =
    "redub-cli track VIDEO [--json OUT.json] [--overlay OUT.mp4] [--choose largest|central|X,Y]\n"
    "                      [--frame K] [--detect-every N] [--smooth W] [--max-side PX]\n"
    "  Tracks every face, chooses one (largest by default; X,Y = the face at that pixel\n"
    "  in frame K) and smooths it with a centred window of W frames (default 5).\n"
    "  --json     every frame's faces (id, box, confidence) and the chosen smoothed face\n"
    "             with its 68 landmarks (null where it is absent)\n"
    "  --overlay  an MP4 of the video with every face's box and the chosen face's landmarks";

namespace {

namespace fs = std::filesystem;

core::FaceChoice parseChoice(const Args& args) {
    core::FaceChoice c;
    c.frame = args.getInt("frame", 0);
    const std::string s = args.get("choose", "largest");
    if (s == "largest") {
        c.policy = core::FaceChoice::Policy::Largest;
    } else if (s == "central" || s == "centre" || s == "center") {
        c.policy = core::FaceChoice::Policy::Central;
    } else {
        float x = 0, y = 0;
        char tail = 0;
        if (std::sscanf(s.c_str(), "%f,%f%c", &x, &y, &tail) != 2)
            fail(ErrorKind::BadInput, "option --choose: '" + s + "' is not largest, central or X,Y");
        c.policy = core::FaceChoice::Policy::Point;
        c.point = {x, y};
    }
    return c;
}

nlohmann::json box(const cv::Rect2f& r) { return {r.x, r.y, r.width, r.height}; }

// Through "<out>.partial" + rename, so a failure leaves nothing half-written.
void writeJson(const fs::path& out, const nlohmann::json& j) {
    writeFileAtomically(out, [&](std::ostream& f) { f << j.dump() << "\n"; });
}

cv::Scalar idColour(int id) {
    static const cv::Scalar palette[] = {{255, 200, 0}, {0, 200, 255}, {255, 80, 200}, {120, 255, 80}, {255, 255, 255}};
    return palette[size_t(id) % 5];
}

void writeOverlay(const fs::path& video, const fs::path& out, const std::vector<std::vector<core::TrackedFace>>& all,
                  const core::FaceTrack& chosen) {
    media::VideoReader reader(video);
    auto wp = media::WriterParams::defaults();
    wp.width = reader.info().width;
    wp.height = reader.info().height;
    wp.frame_rate = reader.frameRate();
    wp.with_audio = false;
    wp.preset = "veryfast";
    media::VideoWriter writer(out, wp);
    media::VideoFrame f;
    const int thick = std::max(1, wp.height / 360);
    for (size_t i = 0; reader.next(f); ++i) {
        cv::Mat img = f.rgb.clone();
        if (i < all.size())
            for (const auto& t : all[i]) {
                cv::rectangle(img, cv::Rect(t.face.box), idColour(t.track_id), thick);
                cv::putText(img, "#" + std::to_string(t.track_id) + (t.detected ? " D" : " T"),
                            cv::Point(int(t.face.box.x), int(t.face.box.y) - 4), cv::FONT_HERSHEY_SIMPLEX, 0.4 * thick,
                            idColour(t.track_id), thick);
            }
        if (i < chosen.frames.size() && chosen.frames[i]) {
            for (const auto& p : chosen.frames[i]->landmarks) cv::circle(img, p, thick + 1, {255, 40, 40}, cv::FILLED);
        } else {
            cv::putText(img, "no face", {10, 24 * thick}, cv::FONT_HERSHEY_SIMPLEX, 0.7 * thick, {255, 60, 60}, thick);
        }
        writer.writeFrame(img);
    }
    writer.finish();
}

}  // namespace

int cmdTrack(const Args& args) {
    args.allowOnly({"json", "overlay", "choose", "frame", "detect-every", "smooth", "max-side"});
    if (args.positional().size() != 1) fail(ErrorKind::BadInput, std::string("usage: ") + kTrackUsage);
    const fs::path video = args.positional()[0];
    const core::FaceChoice choice_base = parseChoice(args);
    const int smooth = int(args.getInt("smooth", 5));
    if (smooth < 1 || smooth > 99) fail(ErrorKind::BadInput, "option --smooth: window must be 1..99 frames");
    core::DetectorParams dp = core::DetectorParams::defaults();
    dp.max_side = int(args.getInt("max-side", dp.max_side));
    core::TrackerParams tp = core::TrackerParams::defaults();
    tp.detect_every = int(args.getInt("detect-every", tp.detect_every));
    const auto json_out = args.get("json");
    const auto overlay_out = args.get("overlay");
    for (const auto& o : {json_out, overlay_out})
        if (o && !fs::is_directory(fs::absolute(*o).parent_path()))
            fail(ErrorKind::Io, *o, "the output folder does not exist");

    media::VideoReader reader(video);
    core::FaceDetector detector(dp);
    core::FaceTracker tracker(detector, tp);
    std::vector<std::vector<core::TrackedFace>> all;
    media::VideoFrame frame;
    const auto t0 = std::chrono::steady_clock::now();
    double track_s = 0;
    while (reader.next(frame)) {
        const auto t = std::chrono::steady_clock::now();
        all.push_back(tracker.push(frame.rgb));
        track_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (all.empty()) fail(ErrorKind::BadInput, video, "the video has no frames");

    core::FaceChoice choice = choice_base;
    choice.frame_size = cv::Size(reader.info().width, reader.info().height);
    if (choice.frame >= int64_t(all.size()))
        fail(ErrorKind::BadInput, "option --frame: " + std::to_string(choice.frame) + " is past the last frame (" +
                                      std::to_string(all.size() - 1) + ")");
    const core::FaceTrack raw = core::selectTrack(all, choice);
    const core::FaceTrack smoothed = core::smoothTrack(raw, smooth);

    std::set<int> ids;
    int64_t with_any = 0;
    for (const auto& f : all) {
        with_any += !f.empty();
        for (const auto& t : f) ids.insert(t.track_id);
    }
    std::printf("%s: %zu frames %dx%d, tracked in %.2f s (%.1f fps, decode included %.1f fps)\n",
                video.string().c_str(), all.size(), reader.info().width, reader.info().height, track_s,
                all.size() / std::max(1e-9, track_s), all.size() / std::max(1e-9, wall));
    std::printf("track ids: %zu; frames with any face: %lld (%.1f%%)\n", ids.size(), (long long)with_any,
                100.0 * double(with_any) / double(all.size()));
    std::printf("chosen face: coverage %.1f%%, landmark jitter %.2f px raw -> %.2f px smoothed (window %d)\n",
                100 * raw.coverage(), core::landmarkJitter(raw), core::landmarkJitter(smoothed), smooth);

    if (json_out) {
        nlohmann::json frames = nlohmann::json::array();
        for (size_t i = 0; i < all.size(); ++i) {
            nlohmann::json faces = nlohmann::json::array();
            for (const auto& t : all[i])
                faces.push_back({{"id", t.track_id},
                                 {"box", box(t.face.box)},
                                 {"confidence", t.face.confidence},
                                 {"detected", t.detected}});
            nlohmann::json chosen = nullptr;
            if (const auto& c = smoothed.frames[i]) {
                nlohmann::json lm = nlohmann::json::array();
                for (const auto& p : c->landmarks) lm.push_back({p.x, p.y});
                chosen = {{"box", box(c->box)}, {"confidence", c->confidence}, {"landmarks", lm}};
            }
            frames.push_back({{"index", i}, {"faces", faces}, {"chosen", chosen}});
        }
        const nlohmann::json j = {{"video", fs::absolute(video).string()},
                                  {"width", reader.info().width},
                                  {"height", reader.info().height},
                                  {"frame_rate", {reader.frameRate().num, reader.frameRate().den}},
                                  {"detect_every", tp.detect_every},
                                  {"smooth_window", smooth},
                                  {"coverage", raw.coverage()},
                                  {"jitter_raw_px", core::landmarkJitter(raw)},
                                  {"jitter_smoothed_px", core::landmarkJitter(smoothed)},
                                  {"frames", frames}};
        writeJson(*json_out, j);
        std::printf("wrote %s\n", json_out->c_str());
    }
    if (overlay_out) {
        writeOverlay(video, *overlay_out, all, smoothed);
        std::printf("wrote %s\n", overlay_out->c_str());
    }
    return 0;
}

}  // namespace redub::cli
