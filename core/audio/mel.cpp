#include "core/audio/mel.hpp"

#include "redub/error.hpp"
#include "redub/job.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace redub::core {
namespace {

// Slaney's auditory-toolbox mel scale (librosa htk=False): linear below 1 kHz,
// logarithmic above.
constexpr double kFSp = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFSp;  // 15
const double kLogStep = std::log(6.4) / 27.0;

double hzToMel(double hz) { return hz >= kMinLogHz ? kMinLogMel + std::log(hz / kMinLogHz) / kLogStep : hz / kFSp; }
double melToHz(double mel) {
    return mel >= kMinLogMel ? kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel)) : kFSp * mel;
}

[[noreturn]] void badParam(const std::string& what) { fail(ErrorKind::BadInput, "mel parameters: " + what); }

// dB value -> normalised output, as Wav2Lip's _normalize (allow_clipping_in_normalization).
double normalise(double db, const MelParams& p) {
    const double x = (db - p.min_level_db) / -p.min_level_db;
    if (p.symmetric) return std::clamp(2 * p.max_abs_value * x - p.max_abs_value, -p.max_abs_value, p.max_abs_value);
    return std::clamp(p.max_abs_value * x, 0.0, p.max_abs_value);
}

constexpr double kMinMagnitude = 1e-5;  // 20 log10 floor: -100 dB

}  // namespace

MelParams MelParams::defaults() { return {}; }

MelParams MelParams::seed000() {
    MelParams p;
    p.n_fft = 2048;
    p.win_length = 640;
    p.hop = 320;
    p.n_mels = 256;
    return p;
}

double MelParams::columnsPerSecond() const { return double(sample_rate) / double(hop); }

void MelParams::validate() const {
    if (sample_rate <= 0) badParam("sample_rate must be positive, got " + std::to_string(sample_rate));
    if (n_fft <= 1) badParam("n_fft must be at least 2, got " + std::to_string(n_fft));
    if (win_length <= 0 || win_length > n_fft)
        badParam("win_length must be in [1, n_fft=" + std::to_string(n_fft) + "], got " + std::to_string(win_length));
    if (hop <= 0) badParam("hop must be positive, got " + std::to_string(hop));
    if (n_mels <= 0) badParam("n_mels must be positive, got " + std::to_string(n_mels));
    if (!(fmin >= 0 && fmin < fmax && fmax <= sample_rate / 2.0))
        badParam("need 0 <= fmin < fmax <= sample_rate/2, got fmin " + std::to_string(fmin) + ", fmax " +
                 std::to_string(fmax));
    if (!(min_level_db < 0)) badParam("min_level_db must be negative, got " + std::to_string(min_level_db));
    if (!(max_abs_value > 0)) badParam("max_abs_value must be positive, got " + std::to_string(max_abs_value));
    if (!std::isfinite(preemphasis) || !std::isfinite(ref_level_db))
        badParam("preemphasis and ref_level_db must be finite");
}

float melSilenceValue(const MelParams& p) {
    return static_cast<float>(normalise(20.0 * std::log10(kMinMagnitude) - p.ref_level_db, p));
}

int64_t melColumnCount(int64_t n, const MelParams& p) {
    if (n <= 0) return 0;
    if (p.centre) return 1 + n / p.hop;
    return n >= p.n_fft ? 1 + (n - p.n_fft) / p.hop : 0;
}

std::vector<double> melFilterbank(const MelParams& p) {
    p.validate();
    const int n_bins = 1 + p.n_fft / 2;
    std::vector<double> fft_hz(n_bins);
    for (int k = 0; k < n_bins; ++k) fft_hz[k] = double(k) * p.sample_rate / p.n_fft;

    // n_mels + 2 edges equally spaced on the mel scale.
    const double mel_lo = hzToMel(p.fmin), mel_hi = hzToMel(p.fmax);
    std::vector<double> edge_hz(p.n_mels + 2);
    for (int i = 0; i < p.n_mels + 2; ++i) edge_hz[i] = melToHz(mel_lo + (mel_hi - mel_lo) * i / (p.n_mels + 1));

    std::vector<double> fb(static_cast<size_t>(p.n_mels) * n_bins, 0.0);
    for (int m = 0; m < p.n_mels; ++m) {
        const double lo = edge_hz[m], mid = edge_hz[m + 1], hi = edge_hz[m + 2];
        const double area_norm = 2.0 / (hi - lo);  // Slaney: every filter has the same area
        for (int k = 0; k < n_bins; ++k) {
            const double rise = (fft_hz[k] - lo) / (mid - lo);
            const double fall = (hi - fft_hz[k]) / (hi - mid);
            fb[static_cast<size_t>(m) * n_bins + k] = std::max(0.0, std::min(rise, fall)) * area_norm;
        }
    }
    return fb;
}

Mel melSpectrogram(std::span<const float> pcm, const MelParams& p, std::stop_token stop) {
    p.validate();
    for (size_t i = 0; i < pcm.size(); ++i)
        if (!std::isfinite(pcm[i]))
            fail(ErrorKind::BadInput, "audio: sample " + std::to_string(i) + " is not a finite number");

    Mel mel;
    mel.n_mels = p.n_mels;
    const int64_t n = static_cast<int64_t>(pcm.size());
    mel.n_cols = melColumnCount(n, p);
    mel.data.assign(static_cast<size_t>(mel.n_cols) * p.n_mels, 0.0f);
    if (mel.n_cols == 0) return mel;

    const int n_fft = p.n_fft;
    const int n_bins = 1 + n_fft / 2;

    // Periodic Hann of win_length, centred in the n_fft frame (librosa pad_center).
    std::vector<double> window(n_fft, 0.0);
    const int win_offset = (n_fft - p.win_length) / 2;
    for (int i = 0; i < p.win_length; ++i)
        window[win_offset + i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / p.win_length);

    const std::vector<double> fb_vec = melFilterbank(p);
    const cv::Mat fb(p.n_mels, n_bins, CV_64F, const_cast<double*>(fb_vec.data()));

    // Pre-emphasised sample at index i of the unpadded signal (zero outside).
    const double k = p.preemphasis;
    auto emphasised = [&](int64_t i) -> double {
        if (i < 0 || i >= n) return 0.0;
        return i == 0 ? double(pcm[0]) : double(pcm[i]) - k * double(pcm[i - 1]);
    };
    const int64_t pad = p.centre ? n_fft / 2 : 0;

    // Chunks bound memory: chunk x n_fft doubles for the frames, whatever the length.
    constexpr int64_t kChunk = 1024;
    cv::Mat frames, spectrum, magnitude, bands;
    for (int64_t c0 = 0; c0 < mel.n_cols; c0 += kChunk) {
        throwIfCancelled(stop);
        const int rows = static_cast<int>(std::min<int64_t>(kChunk, mel.n_cols - c0));
        frames.create(rows, n_fft, CV_64F);
        for (int r = 0; r < rows; ++r) {
            double* row = frames.ptr<double>(r);
            const int64_t first = (c0 + r) * p.hop - pad;
            if (first >= 1 && first + n_fft <= n) {  // fast path: entirely inside
                for (int j = 0; j < n_fft; ++j)
                    row[j] = window[j] * (double(pcm[first + j]) - k * double(pcm[first + j - 1]));
            } else {
                for (int j = 0; j < n_fft; ++j) row[j] = window[j] * emphasised(first + j);
            }
        }
        // Real forward DFT per row, packed CCS output: Re0, Re1, Im1, ..., [Re(n/2) if n even].
        cv::dft(frames, spectrum, cv::DFT_ROWS);
        magnitude.create(rows, n_bins, CV_64F);
        for (int r = 0; r < rows; ++r) {
            const double* s = spectrum.ptr<double>(r);
            double* mag = magnitude.ptr<double>(r);
            mag[0] = std::abs(s[0]);
            for (int b = 1; b < n_bins; ++b) {
                const int re = 2 * b - 1;
                if (re + 1 < n_fft)
                    mag[b] = std::hypot(s[re], s[re + 1]);
                else
                    mag[b] = std::abs(s[re]);  // Nyquist bin of an even n_fft: purely real
            }
        }
        cv::gemm(magnitude, fb, 1.0, cv::noArray(), 0.0, bands, cv::GEMM_2_T);  // rows x n_mels
        for (int r = 0; r < rows; ++r) {
            const double* b = bands.ptr<double>(r);
            for (int m = 0; m < p.n_mels; ++m) {
                const double db = 20.0 * std::log10(std::max(kMinMagnitude, b[m])) - p.ref_level_db;
                mel.data[static_cast<size_t>(m) * mel.n_cols + static_cast<size_t>(c0 + r)] =
                    static_cast<float>(normalise(db, p));
            }
        }
    }
    return mel;
}

}  // namespace redub::core
