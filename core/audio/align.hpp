// Exact alignment of video frames to mel columns (docs/audio-features.md).
//
// Everything is integer/rational: frame i is at time i * fps.den / fps.num s,
// which is i * fps.den * sample_rate / fps.num samples; mel column c covers the
// samples around c * hop. Floors are taken once, on the exact quotient, so a
// one-hour clip at 30000/1001 fps ends exactly where it should (no drift).
//
// Offset convention: offset_samples > 0 means the speech starts LATER than the
// video (speech sample s plays at video time (s + offset_samples) / sample_rate),
// so windows move to earlier columns; < 0 means the speech starts earlier.
// Windows that reach outside the mel are padded with the silence value; they
// are never clamped into the valid range or dropped.
#pragma once

#include "core/audio/mel.hpp"
#include "redub/rational.hpp"

#include <cstdint>
#include <vector>

namespace redub::core {

struct WindowParams {
    enum class Anchor {
        Start,     // Wav2Lip: window starts at floor(cols_per_s * t)
        Centre,    // the window's centre is the column nearest to the frame time
        Diff2Lip,  // floor(cols_per_s * max(i - 1, 0) / fps)
    };
    Anchor anchor = Anchor::Start;  // which frame -> column convention
    int cols = 16;                  // columns per window (16 = 200 ms at 80 columns/s)
    int neighbours = 0;             // k: also return the windows of frames i-k .. i+k

    // Wav2Lip/Diff2Lip family B: Start, 16 columns, no neighbours.
    static WindowParams defaults();
    // Seed 000: Centre, 5 columns (with MelParams::seed000()).
    static WindowParams seed000();
};

// First mel column of frame `frame`'s window (may be negative or past the end).
// Throws Error{BadInput} for a non-positive fps, hop or cols.
int64_t windowStartColumn(int64_t frame, redub::Rational fps, const MelParams&, const WindowParams&,
                          int64_t offset_samples);

// (2k+1) x n_mels x cols floats, row-major, windows of frames frame-k .. frame+k
// in that order; columns outside [0, mel.n_cols) hold melSilenceValue(params).
std::vector<float> frameAudioWindows(const Mel&, int64_t frame, redub::Rational fps, const MelParams&,
                                     const WindowParams&, int64_t offset_samples);

// floor(a / b) for b > 0, on 128-bit integers (exposed for tests and callers).
int64_t floorDiv(__int128 a, __int128 b);

}  // namespace redub::core
