// Correlation of two per-frame signals (mouth opening, speech envelope): the lip-sync
// meter's and the evaluation's one measure.
#pragma once

#include <vector>

namespace redub::core {

// Pearson correlation (0 when either side is constant or shorter than 3).
double pearson(const std::vector<double>& a, const std::vector<double>& b);

// Pearson correlation of the fast part of two mouth openings: each minus its centred moving
// average over `window` frames. Entries < 0 (no face measured) are left out, of the sums and
// of the averages. Two unrelated sentences share a slow envelope (silence at both ends, one
// phrase), which lifts the plain correlation of their openings to ~0.64 on the held-out
// clips; the fast parts (syllables) of the same pairs correlate ~0.03 at 7 frames.
double pearsonHighPass(const std::vector<double>& a, const std::vector<double>& b, int window);
inline constexpr int kFastWindow = 7;  // frames (0.28 s at 25 fps)

}  // namespace redub::core
