// Waveform peaks: min/max summaries of an audio track at several resolutions,
// computed once off the GUI thread and cached, so painting a waveform at any
// zoom reads at most a few values per pixel (Olive / Kdenlive audiolevels).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace redub::ui {

// One resolution: bin i summarises samples [i*samples_per_bin, (i+1)*samples_per_bin).
struct PeakLevel {
    int64_t samples_per_bin = 0;
    std::vector<float> min;  // per bin, in [-1, 1]
    std::vector<float> max;
};

struct Peaks {
    int sample_rate = 0;
    int64_t sample_count = 0;
    std::vector<PeakLevel> levels;  // finest first; each next level is 4x coarser

    bool empty() const { return levels.empty(); }
    double durationSeconds() const { return sample_rate > 0 ? double(sample_count) / sample_rate : 0.0; }

    // min/max of the samples in [first, last) (clamped; {0,0} when empty), read
    // from the coarsest level whose bins are no wider than the interval.
    std::pair<float, float> range(int64_t first, int64_t last) const;
};

// Summarises mono samples; the finest level has `finest_bin` samples per bin,
// levels stop when a level has fewer than 64 bins.
Peaks computePeaks(std::span<const float> mono, int sample_rate, int finest_bin = 32);

}  // namespace redub::ui
