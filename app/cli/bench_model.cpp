// redub-cli bench model M|redub-small|diff2lip: denoiser speed per step per frame at
// batch 1 and 8, effective GFLOP/s against the model's FLOP count, and the floor that the
// machine's measured 3x3-convolution throughput allows (convs are nearly all of a U-Net's
// FLOPs; the matmul peak is printed beside it, but oneDNN's convs can outrun OpenBLAS's sgemm).
#include "cli/commands.hpp"
#include "models/generator.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace redub::cli {
namespace fs = std::filesystem;

int benchModel(const Args& a) {
    a.allowOnly({"json", "quick", "one", "threads", "device", "batches", "reps"});
    if (a.positional().size() != 1)
        fail(ErrorKind::BadInput, "bench model: give a model file or a preset (redub-small, diff2lip)");
    const std::string what = a.positional()[0];
    const int threads = int(a.getInt("threads", 0));
    const auto device = models::parseDevice(a.get("device", "cpu"));
    std::unique_ptr<models::Generator> g;
    fs::path tmp;
    if (!fs::exists(what) && (what == "redub-small" || what == "diff2lip")) {
        tmp = fs::temp_directory_path() / ("redub-bench-" + what + ".safetensors");
        models::writeRandomModel(what == "diff2lip" ? models::ModelConfig::diff2lip() : models::ModelConfig::redubSmall(),
                                 tmp, 1);
        g = models::Generator::load(tmp, device, threads);
        fs::remove(tmp);
    } else {
        g = models::Generator::load(what, device, threads);
    }
    const auto& c = g->config();
    const int reps = int(a.getInt("reps", a.has("quick") ? 2 : 5));
    std::vector<int> batches = {1, 8};
    if (a.has("one")) batches = {1};
    const double matmul_peak = models::measureMatmulGflops();
    const double peak = models::measureConvGflops();
    const double flops = g->flopsPerStep();

    struct Row {
        int batch;
        double ms_per_frame, gflops, floor_ms;
    };
    std::vector<Row> rows;
    for (int B : batches) {
        const int S = c.image_size;
        models::FrameBatch b;
        b.batch = B;
        b.size = S;
        const size_t img = size_t(B) * 3 * S * S, plane = size_t(B) * S * S;
        b.source.assign(img, 0.1f);
        b.identity.assign(img, -0.1f);
        b.mask.assign(plane, 1.f);
        if (!c.isDiff2Lip()) b.motion.assign(plane * c.motion_frames * (c.motion_grey ? 1 : 3), 0.f);
        b.audio.assign(size_t(B) * c.audioWindows() * c.n_mels * c.audio_cols, 0.5f);
        std::vector<float> x(img, 0.3f);
        g->forward(b, x, 500);  // warm-up
        std::vector<double> times;
        for (int r = 0; r < reps; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            g->forward(b, x, 500);
            times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(times.begin(), times.end());
        const double med = times[times.size() / 2];
        rows.push_back({B, 1e3 * med / B, flops * B / med / 1e9, 1e3 * flops / (peak * 1e9)});
    }
    if (a.has("json")) {
        nlohmann::json j{{"model", what}, {"family", c.family}, {"parameters", g->parameterCount()},
                         {"gflop_per_frame_step", flops / 1e9}, {"matmul_peak_gflops", matmul_peak}, {"conv_peak_gflops", peak}, {"rows", nlohmann::json::array()}};
        for (const auto& r : rows)
            j["rows"].push_back({{"batch", r.batch}, {"ms_per_step_per_frame", r.ms_per_frame},
                                 {"effective_gflops", r.gflops}, {"floor_ms", r.floor_ms},
                                 {"x_floor", r.ms_per_frame / r.floor_ms}});
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("model %s: %s %dx%d, %.2f M parameters, %.3f GFLOP per frame per step, device %s\n", what.c_str(),
                c.family.c_str(), c.image_size, c.image_size, g->parameterCount() / 1e6, flops / 1e9,
                g->deviceName().c_str());
    std::printf("3x3 conv throughput on this machine: %.1f GFLOP/s (128 ch, 64x64, batch 2, channels-last; "
                "floor = FLOPs / this); matmul peak %.1f GFLOP/s\n\n",
                peak, matmul_peak);
    std::printf("| batch | ms/step/frame | effective GFLOP/s | conv floor ms/step/frame | x floor |\n");
    std::printf("|------:|--------------:|------------------:|-------------------------:|--------:|\n");
    for (const auto& r : rows)
        std::printf("| %5d | %13.1f | %17.1f | %24.1f | %7.2f |\n", r.batch, r.ms_per_frame, r.gflops, r.floor_ms,
                    r.ms_per_frame / r.floor_ms);
    return 0;
}

}  // namespace redub::cli
