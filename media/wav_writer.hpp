// A 16-bit PCM mono WAV file from float samples: written to a temporary name beside the
// target and renamed, so a failure (no folder, no permission, disk full) leaves no file.
#pragma once

#include <filesystem>
#include <vector>

namespace redub::media {

// Writes `samples` (mono, [-1, 1], clipped) at `sample_rate` Hz to `out`. Throws
// Error{Io} naming `out` when it cannot be written; nothing is left behind then.
void writeWavMono16(const std::filesystem::path& out, const std::vector<float>& samples, int sample_rate);

}  // namespace redub::media
