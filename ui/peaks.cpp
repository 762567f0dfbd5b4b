#include "ui/peaks.hpp"

#include <algorithm>

namespace redub::ui {

Peaks computePeaks(std::span<const float> mono, int sample_rate, int finest_bin) {
    Peaks p;
    p.sample_rate = sample_rate;
    p.sample_count = int64_t(mono.size());
    if (mono.empty() || finest_bin <= 0) return p;
    PeakLevel l0;
    l0.samples_per_bin = finest_bin;
    const size_t bins = (mono.size() + finest_bin - 1) / finest_bin;
    l0.min.resize(bins);
    l0.max.resize(bins);
    for (size_t b = 0; b < bins; ++b) {
        const size_t a = b * finest_bin, e = std::min(mono.size(), a + finest_bin);
        const auto [lo, hi] = std::minmax_element(mono.begin() + a, mono.begin() + e);
        l0.min[b] = std::clamp(*lo, -1.0f, 1.0f);
        l0.max[b] = std::clamp(*hi, -1.0f, 1.0f);
    }
    p.levels.push_back(std::move(l0));
    while (p.levels.back().min.size() >= 64 * 4) {
        const PeakLevel& f = p.levels.back();
        PeakLevel c;
        c.samples_per_bin = f.samples_per_bin * 4;
        const size_t n = (f.min.size() + 3) / 4;
        c.min.resize(n);
        c.max.resize(n);
        for (size_t b = 0; b < n; ++b) {
            const size_t a = b * 4, e = std::min(f.min.size(), a + 4);
            c.min[b] = *std::min_element(f.min.begin() + a, f.min.begin() + e);
            c.max[b] = *std::max_element(f.max.begin() + a, f.max.begin() + e);
        }
        p.levels.push_back(std::move(c));
    }
    return p;
}

std::pair<float, float> Peaks::range(int64_t first, int64_t last) const {
    first = std::max<int64_t>(first, 0);
    last = std::min<int64_t>(last, sample_count);
    if (levels.empty() || last <= first) return {0.f, 0.f};
    const int64_t span = last - first;
    const PeakLevel* lv = &levels.front();
    for (const auto& l : levels)
        if (l.samples_per_bin <= span) lv = &l;
    const int64_t b0 = first / lv->samples_per_bin;
    const int64_t b1 =
        std::min<int64_t>((last + lv->samples_per_bin - 1) / lv->samples_per_bin, int64_t(lv->min.size()));
    float lo = 1.f, hi = -1.f;
    for (int64_t b = b0; b < b1; ++b) {
        lo = std::min(lo, lv->min[b]);
        hi = std::max(hi, lv->max[b]);
    }
    return lo > hi ? std::pair{0.f, 0.f} : std::pair{lo, hi};
}

}  // namespace redub::ui
