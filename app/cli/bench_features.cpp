// redub-cli bench features: mel spectrogram throughput (Wav2Lip and seed-000
// constants) on 1 min, 10 min and 1 h of synthetic speech-like audio, and the cost
// of cutting per-frame windows; prints a table (docs/audio-features.md).
#include "cli/commands.hpp"
#include "core/audio/align.hpp"
#include "core/audio/mel.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace redub::cli {
namespace {

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Deterministic noise + a wobbling harmonic tone, so every band carries energy.
std::vector<float> syntheticAudio(int64_t n) {
    std::vector<float> x(static_cast<size_t>(n));
    uint32_t state = 1;
    for (int64_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const double t = double(i) / 16000.0;
        const double f0 = 140 + 40 * std::sin(2 * std::numbers::pi * 0.7 * t);
        x[size_t(i)] =
            float(0.25 * std::sin(2 * std::numbers::pi * f0 * t) + 0.1 * std::sin(4 * std::numbers::pi * f0 * t) +
                  0.05 * (double(state >> 8) / (1 << 24) - 0.5));
    }
    return x;
}

}  // namespace

int benchFeatures(const Args& args) {
    args.allowOnly({"max-minutes"});
    const double max_minutes = args.getDouble("max-minutes", 60);
    std::printf("mel spectrogram (cv::dft, double precision, 1024-column chunks), 16 kHz mono\n\n");
    std::printf("| audio | constants | columns | seconds | x real time | mel MB |\n|---|---|---|---|---|---|\n");
    for (double minutes : {1.0, 10.0, 60.0}) {
        if (minutes > max_minutes) continue;
        const std::vector<float> pcm = syntheticAudio(int64_t(minutes * 60 * 16000));
        for (const auto& [name, params] :
             {std::pair{"wav2lip", core::MelParams::defaults()}, std::pair{"seed000", core::MelParams::seed000()}}) {
            const auto t0 = std::chrono::steady_clock::now();
            const core::Mel mel = core::melSpectrogram(pcm, params);
            const double s = seconds(t0);
            std::printf("| %g min | %s | %lld | %.2f | %.0f | %.1f |\n", minutes, name, (long long)mel.n_cols, s,
                        minutes * 60 / s, double(mel.data.size()) * sizeof(float) / 1e6);
            std::fflush(stdout);
        }
    }

    // Window cutting for every frame of 10 minutes at 29.97 fps with +-2 neighbours.
    const core::MelParams mp = core::MelParams::defaults();
    const core::Mel mel = core::melSpectrogram(syntheticAudio(int64_t(600) * 16000), mp);
    core::WindowParams wp = core::WindowParams::defaults();
    wp.neighbours = 2;
    const Rational fps(30000, 1001);
    const int64_t frames = 600 * 30000 / 1001;
    double checksum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < frames; ++i) checksum += core::frameAudioWindows(mel, i, fps, mp, wp, 0)[0];
    const double s = seconds(t0);
    std::printf(
        "\nframeAudioWindows: %lld frames (10 min at 29.97 fps, 5 x 80 x 16 each) in %.3f s = %.1f us/frame"
        " (checksum %.0f)\n",
        (long long)frames, s, 1e6 * s / double(frames), checksum);
    return 0;
}

}  // namespace redub::cli
