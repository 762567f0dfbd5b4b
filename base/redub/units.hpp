// Time <-> sample-count conversions, written once. Milliseconds and seconds round to the
// nearest sample; a count moved between two rates is rescaled exactly in integers
// (truncating toward zero, as the project file's offset always was).
#pragma once

#include <cmath>
#include <cstdint>

namespace redub {

inline int64_t samplesFromMs(double ms, int rate) { return int64_t(std::llround(ms * (rate / 1000.0))); }
inline int64_t samplesFromSeconds(double s, int rate) { return int64_t(std::llround(s * rate)); }
inline double msFromSamples(int64_t n, int rate) { return double(n) * 1000.0 / rate; }
inline double secondsFromSamples(int64_t n, int rate) { return double(n) / rate; }
inline int64_t rescaleSamples(int64_t n, int from_rate, int to_rate) { return n * to_rate / from_rate; }

}  // namespace redub
