#include "core/synth/visemes.hpp"

#include "redub/error.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace redub::core::synth {
namespace {

struct Row {
    float open, width, round, dominance, rate;
};

const std::unordered_map<std::string, Row>& table() {
    // Targets after Cohen & Massaro / common viseme groupings (Preston Blair-like).
    static const std::unordered_map<std::string, Row> t = {
        {"pau", {0.00f, 0.0f, 0.0f, 0.5f, 6.0f}},
        {"p", {0.00f, 0.0f, 0.0f, 6.0f, 40.0f}},
        {"b", {0.00f, 0.0f, 0.0f, 6.0f, 40.0f}},
        {"m", {0.00f, 0.0f, 0.0f, 6.0f, 40.0f}},
        {"f", {0.08f, 0.1f, 0.0f, 3.0f, 25.0f}},
        {"v", {0.08f, 0.1f, 0.0f, 3.0f, 25.0f}},
        {"th", {0.22f, 0.1f, 0.0f, 1.5f, 20.0f}},
        {"dh", {0.20f, 0.1f, 0.0f, 1.2f, 20.0f}},
        {"t", {0.18f, 0.2f, 0.0f, 0.8f, 20.0f}},
        {"d", {0.18f, 0.2f, 0.0f, 0.8f, 20.0f}},
        {"n", {0.16f, 0.2f, 0.0f, 0.8f, 20.0f}},
        {"l", {0.25f, 0.1f, 0.0f, 0.7f, 18.0f}},
        {"s", {0.12f, 0.35f, 0.0f, 1.5f, 22.0f}},
        {"z", {0.12f, 0.35f, 0.0f, 1.5f, 22.0f}},
        {"k", {0.28f, 0.1f, 0.0f, 0.5f, 18.0f}},
        {"g", {0.28f, 0.1f, 0.0f, 0.5f, 18.0f}},
        {"ng", {0.22f, 0.1f, 0.0f, 0.5f, 18.0f}},
        {"hh", {0.35f, 0.0f, 0.0f, 0.3f, 15.0f}},
        {"ch", {0.20f, -0.3f, 0.5f, 1.5f, 20.0f}},
        {"jh", {0.20f, -0.3f, 0.5f, 1.5f, 20.0f}},
        {"sh", {0.18f, -0.3f, 0.6f, 1.5f, 20.0f}},
        {"zh", {0.18f, -0.3f, 0.6f, 1.5f, 20.0f}},
        {"r", {0.20f, -0.3f, 0.5f, 1.0f, 18.0f}},
        {"w", {0.10f, -0.7f, 0.9f, 2.0f, 18.0f}},
        {"y", {0.15f, 0.4f, 0.0f, 1.0f, 18.0f}},
        {"aa", {0.95f, 0.0f, 0.0f, 1.2f, 10.0f}},
        {"ae", {0.75f, 0.35f, 0.0f, 1.2f, 10.0f}},
        {"ah", {0.60f, 0.1f, 0.0f, 1.0f, 10.0f}},
        {"ax", {0.45f, 0.05f, 0.0f, 0.9f, 10.0f}},
        {"axr", {0.35f, -0.2f, 0.35f, 0.9f, 10.0f}},
        {"ao", {0.75f, -0.3f, 0.5f, 1.2f, 10.0f}},
        {"aw", {0.80f, -0.2f, 0.4f, 1.2f, 10.0f}},
        {"ay", {0.80f, 0.2f, 0.0f, 1.2f, 10.0f}},
        {"eh", {0.55f, 0.35f, 0.0f, 1.1f, 10.0f}},
        {"er", {0.35f, -0.2f, 0.4f, 1.0f, 10.0f}},
        {"ey", {0.45f, 0.45f, 0.0f, 1.1f, 10.0f}},
        {"ih", {0.35f, 0.4f, 0.0f, 1.0f, 10.0f}},
        {"iy", {0.22f, 0.7f, 0.0f, 1.1f, 10.0f}},
        {"ow", {0.50f, -0.6f, 0.75f, 1.2f, 10.0f}},
        {"oy", {0.55f, -0.4f, 0.55f, 1.2f, 10.0f}},
        {"uh", {0.30f, -0.5f, 0.6f, 1.0f, 10.0f}},
        {"uw", {0.20f, -0.8f, 0.95f, 1.3f, 10.0f}},
    };
    return t;
}

}  // namespace

VisemeTarget visemeFor(const std::string& phone) {
    const auto& t = table();
    auto it = t.find(phone);
    if (it == t.end()) return {{0.3f, 0.0f, 0.0f}, 0.5f, 15.0f};
    const Row& r = it->second;
    return {{r.open, r.width, r.round}, r.dominance, r.rate};
}

MouthParams mouthAt(const std::vector<Phone>& phones, double t_s) {
    if (phones.empty()) return {};
    double sum_w = 0.0, o = 0.0, w = 0.0, r = 0.0;
    for (const Phone& p : phones) {
        const VisemeTarget v = visemeFor(p.name);
        const double c = 0.5 * (p.start_s + p.end_s);
        const double half = 0.5 * (p.end_s - p.start_s);
        // Full dominance inside the central part of the phone, decaying outside.
        const double dist = std::max(0.0, std::abs(t_s - c) - 0.5 * half);
        const double d = v.dominance * std::exp(-v.rate * dist);
        if (d < 1e-6) continue;
        sum_w += d;
        o += d * v.params.opening;
        w += d * v.params.width;
        r += d * v.params.rounding;
    }
    if (sum_w <= 0.0) return {};
    return {float(o / sum_w), float(w / sum_w), float(r / sum_w)};
}

std::vector<MouthParams> mouthTrack(const std::vector<Phone>& phones, double fps, int frames) {
    if (!(fps > 0.0)) fail(ErrorKind::BadInput, "frame rate must be positive");
    if (frames <= 0) {
        const double dur = phones.empty() ? 0.0 : phones.back().end_s;
        frames = int(std::ceil(dur * fps - 1e-9));
    }
    std::vector<MouthParams> out(size_t(std::max(0, frames)));
    for (int i = 0; i < frames; ++i) {
        // Average 3 sub-samples over the frame: a camera integrates over its exposure.
        MouthParams acc{};
        for (int k = 0; k < 3; ++k) {
            const MouthParams m = mouthAt(phones, (i + (k + 0.5) / 3.0) / fps);
            acc.opening += m.opening / 3.0f;
            acc.width += m.width / 3.0f;
            acc.rounding += m.rounding / 3.0f;
        }
        out[size_t(i)] = acc;
    }
    return out;
}

}  // namespace redub::core::synth
