// redub-cli bench dub: end-to-end dub of the bundled sample scaled to 640x480 and
// 1280x720 at two lengths (or --size WxH --lengths S,S,...); prints per-stage seconds, fps
// and peak RSS, and with several lengths how the peak RSS grows with the length.
//
// Each configuration runs in a child process (this binary, `bench dub --one ...`) so
// that the peak RSS figure belongs to that run alone.
#include "cli/commands.hpp"
#include "core/dub/dub.hpp"
#include "core/project/paths.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "models/runtime.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace redub::cli {
namespace {

// The sample's frames letterboxed into w x h, ping-ponged to `frames` frames.
void makeClip(const fs::path& out, int w, int h, int frames) {
    media::VideoReader reader(core::dataFile("sample/talking-face.mp4"));
    std::vector<cv::Mat> src;
    media::VideoFrame f;
    while (reader.next(f)) src.push_back(f.rgb.clone());
    if (src.empty()) fail(ErrorKind::Internal, "bench: the bundled sample has no frames");
    media::WriterParams wp = media::WriterParams::defaults();
    wp.width = w;
    wp.height = h;
    wp.frame_rate = reader.frameRate();
    wp.with_audio = false;
    wp.preset = "veryfast";
    media::VideoWriter writer(out, wp);
    const double scale = std::min(double(w) / src[0].cols, double(h) / src[0].rows);
    const cv::Size inner(int(src[0].cols * scale) & ~1, int(src[0].rows * scale) & ~1);
    const int n = int(src.size());
    for (int i = 0; i < frames; ++i) {
        const int period = 2 * n - 2;
        int k = period > 0 ? i % period : 0;
        if (k >= n) k = period - k;
        cv::Mat canvas(h, w, CV_8UC3, cv::Scalar(16, 16, 16)), scaled;
        cv::resize(src[size_t(k)], scaled, inner, 0, 0, cv::INTER_AREA);
        scaled.copyTo(canvas(cv::Rect((w - inner.width) / 2, (h - inner.height) / 2, inner.width, inner.height)));
        writer.writeFrame(canvas);
    }
    writer.finish();
}

int runOne(const Args& args) {
    core::DubParams p = core::DubParams::defaults();
    p.video = args.require("video");
    p.speech = core::dataFile("sample/new-speech.wav");
    p.output = args.require("output");
    if (auto m = args.get("model")) p.model = *m;
    p.steps = int(args.getInt("steps", 0));
    p.chunks = int(args.getInt("chunks", 1));
    p.threads = int(args.getInt("threads", 0));
    p.moving_detail = !args.has("no-moving-detail");
    p.restore_edges = !args.has("no-edge-restore");
    p.source_lips = !args.has("no-source-lips");
    p.length_policy = core::LengthPolicy::PadSilence;  // output length = the video's
    if (args.has("draft")) p = core::draftOf(p);
    const core::DubReport r = core::runDub(p);
    nlohmann::json j = {{"frames", r.frames},       {"generated", r.generated}, {"decode", r.decode_s},
                        {"detect", r.detect_s},     {"features", r.features_s}, {"model", r.model_s},
                        {"composite", r.composite_s}, {"encode", r.encode_s}, {"load", r.load_s},
                        {"wall", r.wall_s},         {"fps", r.fps()},           {"rss", core::peakRssMiB()},
                        {"calls", r.denoiser_calls}, {"flops_per_call", r.flops_per_call},
                        {"model_name", r.model_name}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}

std::string selfExe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("redub-cli") : p.string();
}

struct Size {
    std::string name;
    int w, h;
};

std::vector<Size> benchSizes(const Args& args) {
    if (auto s = args.get("size")) {
        int w = 0, h = 0;
        if (std::sscanf(s->c_str(), "%dx%d", &w, &h) != 2 || w < 64 || h < 64 || w > 7680 || h > 4320 || (w | h) & 1)
            fail(ErrorKind::BadInput, "option --size: '" + *s + "' is not an even WxH from 64x64 to 7680x4320");
        return {{*s, w, h}};
    }
    return {{"640x480", 640, 480}, {"1280x720", 1280, 720}};
}

// Milliseconds per previewed frame, by stage, over `frames` (after one warm-up call).
struct PreviewTimes {
    double decode = 0, prepare = 0, model = 0, composite = 0, total = 0;
    int n = 0;
};

PreviewTimes timePreviews(core::DubSession& s, const std::vector<int64_t>& frames) {
    s.preview(frames.front());  // warm-up: first-call allocations, the reader opened
    PreviewTimes t;
    for (int64_t f : frames) {
        const auto t0 = std::chrono::steady_clock::now();
        const core::Preview pv = s.preview(f);
        t.total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        t.decode += pv.decode_s, t.prepare += pv.prepare_s, t.model += pv.model_s, t.composite += pv.composite_s;
        ++t.n;
    }
    return t;
}

// Where the wall time of a run goes, against floors: the model stage against its FLOPs at
// this machine's measured throughput; the other stages as a share of the wall time (they
// overlap with the model on their own threads, so only the model's share bounds the fps).
void printStageTable(const std::vector<std::pair<std::string, nlohmann::json>>& runs) {
    if (runs.empty()) return;
    const double peak = models::measureConvGflops();
    std::printf("\nstages of the longest run per size (3x3 convolution throughput here %.1f GFLOP/s, models::measureConvGflops;\n"
                "model floor = denoiser evaluations x FLOPs per evaluation / that throughput)\n\n", peak);
    std::printf("| size | stage | s | share of wall | floor s | x floor |\n|---|---|---|---|---|---|\n");
    for (const auto& [name, j] : runs) {
        const double wall = j["wall"].get<double>();
        const double floor_s = j["calls"].get<double>() * j["flops_per_call"].get<double>() / (peak * 1e9);
        for (const char* stage : {"decode", "detect", "features", "model", "composite", "encode", "load"}) {
            const double s = j[stage].get<double>();
            if (std::string(stage) == "model")
                std::printf("| %s | model (%lld denoiser evaluations) | %.2f | %.0f %% | %.2f | %.2f |\n", name.c_str(),
                            j["calls"].get<long long>(), s, 100 * s / wall, floor_s, floor_s > 0 ? s / floor_s : 0.0);
            else
                std::printf("| %s | %s | %.2f | %.0f %% | | |\n", name.c_str(), stage, s, 100 * s / wall);
        }
        std::printf("| %s | wall | %.2f | 100 %% | | |\n", name.c_str(), wall);
    }
}

}  // namespace

// redub-cli bench preview: the editor's "preview the frame at the playhead" path (one frame
// at a time, nothing cached), at final and at draft quality, while playing/scrubbing forward
// (consecutive frames) and while jumping about the clip (random frames: a seek each).
int benchPreview(const Args& args) {
    const int n = int(args.getInt("frames", 40));
    if (n < 2 || n > 5000) fail(ErrorKind::BadInput, "option --frames: give 2..5000");
    const fs::path dir = fs::temp_directory_path() / ("redub-bench-preview-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::printf("redub-cli bench preview  (bundled sample letterboxed, bundled speech and model; ms per previewed frame,\n"
                "                          one frame at a time, nothing cached; draft = %d steps, no audio guidance,\n"
                "                          no detail stages: core::draftOf)\n\n",
                core::kDraftSteps);
    std::printf("| size | quality | frames | decode | crop+mask+audio | model | composite | total ms | fps |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& sz : benchSizes(args)) {
        const fs::path clip = dir / (sz.name + ".mp4");
        makeClip(clip, sz.w, sz.h, 250);
        for (bool draft : {false, true}) {
            core::DubParams p = core::DubParams::defaults();
            p.video = clip;
            p.speech = core::dataFile("sample/new-speech.wav");
            if (auto m = args.get("model")) p.model = *m;
            p.threads = int(args.getInt("threads", 0));
            p.length_policy = core::LengthPolicy::PadSilence;
            if (draft) p = core::draftOf(p);
            core::DubSession session(p);
            session.keepGeneratedCrops(false);
            session.prepare();
            std::vector<int64_t> forward, jumps;
            for (int i = 0; i < n; ++i) forward.push_back(100 + i);
            cv::RNG rng(5);
            for (int i = 0; i < n; ++i) jumps.push_back(rng.uniform(0, int(session.outputFrames())));
            for (const auto& [pattern, frames] : {std::pair{"forward", forward}, std::pair{"jumps", jumps}}) {
                const PreviewTimes t = timePreviews(session, frames);
                const double k = 1e3 / t.n;
                std::printf("| %s | %s | %d %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", sz.name.c_str(),
                            draft ? "draft" : "final", t.n, pattern, k * t.decode, k * t.prepare, k * t.model,
                            k * t.composite, k * t.total, t.n / t.total);
                std::fflush(stdout);
            }
            // Generate All: the whole clip through the overlapped stages, no file (DubSession::play).
            const core::DubReport r = session.play();
            const double k = 1e3 / double(r.frames);
            std::printf("| %s | %s | %lld generate all (overlapped) | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
                        sz.name.c_str(), draft ? "draft" : "final", static_cast<long long>(r.frames), k * r.decode_s,
                        k * (r.features_s + r.detect_s), k * r.model_s, k * r.composite_s, k * r.wall_s, r.fps());
            std::fflush(stdout);
        }
    }
    std::printf("\nOne frame at a time the stages add up; in Generate All decoding and compositing run on their\n"
                "own threads beside the model, so the stage columns overlap and only the wall time (total) counts.\n");
    fs::remove_all(dir);
    return 0;
}

int benchDub(const Args& args) {
    if (args.has("one")) return runOne(args);
    const bool quick = args.has("quick");
    std::vector<double> lengths = quick ? std::vector<double>{1.0, 3.0} : std::vector<double>{2.0, 6.0};
    if (auto l = args.get("lengths")) {  // "10,60,600": seconds
        lengths.clear();
        std::stringstream ss(*l);
        for (std::string item; std::getline(ss, item, ',');) {
            char* end = nullptr;
            const double s = std::strtod(item.c_str(), &end);
            if (end == item.c_str() || *end || !(s > 0 && s <= 7200))
                fail(ErrorKind::BadInput, "option --lengths: '" + item + "' is not a length in seconds (0..7200]");
            lengths.push_back(s);
        }
    }
    const std::vector<Size> sizes = benchSizes(args);
    const fs::path dir = fs::temp_directory_path() / ("redub-bench-dub-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::string extra;
    if (auto m = args.get("model")) extra += " --model '" + *m + "'";
    if (auto s = args.get("steps")) extra += " --steps " + *s;
    if (auto c = args.get("chunks")) extra += " --chunks " + *c;
    if (auto t = args.get("threads")) extra += " --threads " + *t;
    if (args.has("no-moving-detail")) extra += " --no-moving-detail";
    if (args.has("no-edge-restore")) extra += " --no-edge-restore";
    if (args.has("no-source-lips")) extra += " --no-source-lips";
    if (args.has("draft")) extra += " --draft";

    std::printf("redub-cli bench dub  (bundled sample letterboxed, speech: bundled, stage seconds summed per stage;\n"
                "                      stages overlap, so they can add up to more than wall)\n\n");
    std::printf("| size | s | frames | decode | detect | features | model | composite | encode | wall | fps | peak RSS MiB |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::string model_name;
    std::vector<std::string> growth;
    std::vector<std::pair<std::string, nlohmann::json>> longest;  // per size: its longest run
    for (const auto& r : sizes) {
        double first_rss = 0, first_s = 0, prev_rss = 0, prev_s = 0, last_rss = 0, last_s = 0;
        for (double secs : lengths) {
            const fs::path clip = dir / (r.name + "-" + std::to_string(int(secs)) + "s.mp4");
            makeClip(clip, r.w, r.h, int(secs * 25));
            const fs::path out = dir / "out.mp4";
            const std::string cmd = "'" + selfExe() + "' --quiet bench dub --one --video '" + clip.string() +
                                    "' -o '" + out.string() + "'" + extra;
            std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
            if (!pipe) fail(ErrorKind::Internal, "bench: cannot start " + cmd);
            std::string text;
            char buf[4096];
            while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) text.append(buf, n);
            nlohmann::json j;
            try {
                j = nlohmann::json::parse(text.substr(text.find('{')));
            } catch (...) {
                fail(ErrorKind::Internal, "bench: run failed for " + clip.string() + ": " + text);
            }
            model_name = j["model_name"];
            if (first_s == 0) first_s = secs, first_rss = j["rss"].get<double>();
            prev_s = last_s, prev_rss = last_rss;
            last_s = secs;
            last_rss = j["rss"].get<double>();
            std::printf("| %s | %.0f | %lld | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n", r.name.c_str(), secs,
                        j["frames"].get<long long>(), j["decode"].get<double>(), j["detect"].get<double>(),
                        j["features"].get<double>(), j["model"].get<double>(), j["composite"].get<double>(),
                        j["encode"].get<double>(), j["wall"].get<double>(), j["fps"].get<double>(),
                        j["rss"].get<double>());
            std::fflush(stdout);
            if (secs == lengths.back()) longest.emplace_back(r.name, j);
        }
        if (prev_s > 0 && last_s > prev_s) {  // between the two longest runs: past the warm-up
            char line[256];
            std::snprintf(line, sizeof line,
                          "%s: peak RSS %.0f MiB at %.0f s, %.0f MiB at %.0f s, %.0f MiB at %.0f s: %+.1f MiB per minute "
                          "of video between the two longest",
                          r.name.c_str(), first_rss, first_s, prev_rss, prev_s, last_rss, last_s,
                          (last_rss - prev_rss) / (last_s - prev_s) * 60.0);
            growth.push_back(line);
        }
    }
    std::printf("\nmodel: %s\n", model_name.c_str());
    for (const auto& g : growth) std::printf("%s\n", g.c_str());
    printStageTable(longest);
    fs::remove_all(dir);
    return 0;
}

}  // namespace redub::cli
