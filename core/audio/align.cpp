#include "core/audio/align.hpp"

#include "redub/error.hpp"

#include <algorithm>
#include <string>

namespace redub::core {

int64_t floorDiv(__int128 a, __int128 b) {
    __int128 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return static_cast<int64_t>(q);
}

WindowParams WindowParams::defaults() { return {}; }

WindowParams WindowParams::seed000() {
    WindowParams w;
    w.anchor = Anchor::Centre;
    w.cols = 5;
    return w;
}

int64_t windowStartColumn(int64_t frame, Rational fps, const MelParams& mp, const WindowParams& wp,
                          int64_t offset_samples) {
    if (!fps.valid() || fps.num <= 0) fail(ErrorKind::BadInput, "frame rate " + fps.toString() + " is not positive");
    if (mp.sample_rate <= 0 || mp.hop <= 0)
        fail(ErrorKind::BadInput, "mel parameters: sample_rate and hop must be positive");
    if (wp.cols <= 0) fail(ErrorKind::BadInput, "audio window: cols must be positive, got " + std::to_string(wp.cols));

    // Position in speech samples, scaled by fps.num so it stays an integer:
    //   P / fps.num = frame_time * sample_rate - offset_samples.
    const int64_t t_frame = wp.anchor == WindowParams::Anchor::Diff2Lip ? std::max<int64_t>(frame - 1, 0) : frame;
    const __int128 num = fps.num;
    __int128 P =
        static_cast<__int128>(t_frame) * fps.den * mp.sample_rate - static_cast<__int128>(offset_samples) * num;
    const __int128 Q = static_cast<__int128>(mp.hop) * num;  // one column, in the same units

    switch (wp.anchor) {
        case WindowParams::Anchor::Start:
        case WindowParams::Anchor::Diff2Lip:
            return floorDiv(P, Q);
        case WindowParams::Anchor::Centre: {
            // Column c is centred on sample c*hop (+ n_fft/2 without centre padding).
            if (!mp.centre) P -= static_cast<__int128>(mp.n_fft / 2) * num;
            // Window [s, s+cols) is centred at s + (cols-1)/2 columns; s = round(P/Q - (cols-1)/2),
            // halves rounding up: floor(P/Q - (cols-2)/2) = floor((2P - (cols-2)Q) / 2Q).
            return floorDiv(2 * P - static_cast<__int128>(wp.cols - 2) * Q, 2 * Q);
        }
    }
    fail(ErrorKind::Internal, "windowStartColumn: unknown anchor");
}

std::vector<float> frameAudioWindows(const Mel& mel, int64_t frame, Rational fps, const MelParams& mp,
                                     const WindowParams& wp, int64_t offset_samples) {
    if (wp.neighbours < 0)
        fail(ErrorKind::BadInput, "audio window: neighbours must be >= 0, got " + std::to_string(wp.neighbours));
    if (mel.n_mels != mp.n_mels)
        fail(ErrorKind::BadInput, "audio window: the mel has " + std::to_string(mel.n_mels) +
                                      " bands but the parameters say " + std::to_string(mp.n_mels));
    if (mel.data.size() != static_cast<size_t>(mel.n_mels) * static_cast<size_t>(mel.n_cols))
        fail(ErrorKind::BadInput, "audio window: mel data size does not match its shape");

    const int n_windows = 2 * wp.neighbours + 1;
    const size_t window_size = static_cast<size_t>(mel.n_mels) * wp.cols;
    std::vector<float> out(window_size * n_windows, melSilenceValue(mp));
    for (int w = 0; w < n_windows; ++w) {
        const int64_t start = windowStartColumn(frame - wp.neighbours + w, fps, mp, wp, offset_samples);
        // Columns [lo, hi) of the window that exist in the mel; the rest stays silence.
        const int64_t lo = std::clamp<int64_t>(start, 0, mel.n_cols);
        const int64_t hi = std::clamp<int64_t>(start + wp.cols, 0, mel.n_cols);
        if (lo >= hi) continue;
        float* dst = out.data() + window_size * w;
        for (int m = 0; m < mel.n_mels; ++m) {
            const float* src = mel.data.data() + static_cast<size_t>(m) * mel.n_cols;
            std::copy(src + lo, src + hi, dst + static_cast<size_t>(m) * wp.cols + (lo - start));
        }
    }
    return out;
}

}  // namespace redub::core
