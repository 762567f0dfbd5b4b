// redub-cli bench media [--quick] [--frames N] [--preset P] [--json]
// Encode (RGB -> H.264 MP4 via VideoWriter) and decode (MP4 -> RGB via
// VideoReader) frames per second at 640x480, 1280x720 and 1920x1080 on
// generated camera-like content.
#include "cli/commands.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace redub::cli {

namespace {
using Clock = std::chrono::steady_clock;

// CPU seconds of this process (all threads): a load-independent cost figure
// on a shared machine, next to the wall-clock fps.
double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// A panning gradient with texture: 2x wider than the frame so each frame is a
// shifted window (cheap to produce, not trivially compressible).
cv::Mat makeBase(int w, int h) {
    cv::Mat base(h, 2 * w, CV_8UC3);
    cv::RNG rng(7);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < 2 * w; ++x)
            base.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(100 + 80 * std::sin(x * 0.013) + rng.uniform(0, 8)),
                                                 uchar(110 + 70 * std::cos(y * 0.021 + x * 0.004) + rng.uniform(0, 8)),
                                                 uchar(120 + 60 * std::sin((x + y) * 0.009) + rng.uniform(0, 8)));
    return base;
}
}  // namespace

int benchMedia(const Args& args) {
    args.allowOnly({"frames", "preset", "json", "quick"});
    const bool quick = args.has("quick");
    const int frames = int(args.getInt("frames", quick ? 30 : 150));
    if (frames < 1 || frames > 100000) fail(ErrorKind::BadInput, "--frames must be 1..100000");
    const std::string preset = args.get("preset", "medium");
    const struct { int w, h; } sizes[] = {{640, 480}, {1280, 720}, {1920, 1080}};

    const fs::path dir = fs::temp_directory_path() / ("redub-bench-media-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    struct Row {
        int w, h;
        double encode_fps, decode_fps, mbit_s, encode_cpu_ms, decode_cpu_ms;
    };
    std::vector<Row> rows;
    try {
        for (const auto& s : sizes) {
            const cv::Mat base = makeBase(s.w, s.h);
            std::vector<cv::Mat> src(30);
            for (size_t i = 0; i < src.size(); ++i) src[i] = base(cv::Rect(int(i * 7) % s.w, 0, s.w, s.h)).clone();
            const fs::path out = dir / ("bench_" + std::to_string(s.w) + "x" + std::to_string(s.h) + ".mp4");
            auto p = media::WriterParams::defaults();
            p.width = s.w;
            p.height = s.h;
            p.frame_rate = {25, 1};
            p.preset = preset;
            p.with_audio = false;
            const auto t0 = Clock::now();
            const double c0 = cpuSeconds();
            {
                media::VideoWriter writer(out, p);
                for (int i = 0; i < frames; ++i) {
                    // Cycle forwards and backwards so the motion stays smooth.
                    const int k = i % 58;
                    writer.writeFrame(src[size_t(k < 30 ? k : 58 - k)]);
                }
                writer.finish();
            }
            const double enc_s = std::chrono::duration<double>(Clock::now() - t0).count();
            const double c1 = cpuSeconds();
            const auto t1 = Clock::now();
            media::VideoReader reader(out);
            media::VideoFrame f;
            int decoded = 0;
            while (reader.next(f)) ++decoded;
            const double dec_s = std::chrono::duration<double>(Clock::now() - t1).count();
            const double c2 = cpuSeconds();
            if (decoded != frames)
                fail(ErrorKind::Internal, out,
                     "decoded " + std::to_string(decoded) + " of " + std::to_string(frames) + " frames");
            const double mbit = double(fs::file_size(out)) * 8 / 1e6 / (frames / 25.0);
            rows.push_back({s.w, s.h, frames / enc_s, decoded / dec_s, mbit, 1000 * (c1 - c0) / frames,
                            1000 * (c2 - c1) / decoded});
        }
    } catch (...) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        throw;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);

    if (args.has("json")) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : rows)
            j.push_back({{"width", r.w},
                         {"height", r.h},
                         {"frames", frames},
                         {"preset", preset},
                         {"encode_fps", r.encode_fps},
                         {"decode_fps", r.decode_fps},
                         {"mbit_per_s", r.mbit_s}});
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf(
        "media bench: %d frames per size, x264 preset %s CRF 18, %u hardware threads\n"
        "encode = RGB -> yuv420p -> H.264 -> MP4 (VideoWriter); decode = MP4 -> RGB (VideoReader)\n\n",
        frames, preset.c_str(), std::thread::hardware_concurrency());
    std::printf(
        "| size      | encode fps | decode fps | encode CPU ms/frame | decode CPU ms/frame | bit rate at 25 fps |\n");
    std::printf(
        "|-----------|-----------:|-----------:|--------------------:|--------------------:|-------------------:|\n");
    for (const auto& r : rows)
        std::printf("| %4dx%-4d | %10.1f | %10.1f | %19.2f | %19.2f | %13.2f Mb/s |\n", r.w, r.h, r.encode_fps,
                    r.decode_fps, r.encode_cpu_ms, r.decode_cpu_ms, r.mbit_s);
    std::printf("\n(wall-clock fps depend on the machine's load; CPU ms/frame sum all threads)\n");
    return 0;
}

}  // namespace redub::cli
