// Mel spectrograms for the lip-sync models (docs/audio-features.md).
//
// The pipeline follows Wav2Lip's audio.py, which Diff2Lip reuses: pre-emphasis,
// a centred STFT (zero padding), magnitude, a Slaney mel filterbank, dB relative
// to ref_level_db, then a clipped linear map to [-max_abs_value, max_abs_value].
// The FFT is OpenCV's cv::dft in double precision; columns are computed in
// chunks so an hour of audio never needs more than one chunk of frames in memory.
#pragma once

#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

namespace redub::core {

struct MelParams {
    int sample_rate = 16000;     // Hz; the PCM passed to melSpectrogram must be at this rate
    int n_fft = 800;             // FFT size in samples (1 + n_fft/2 frequency bins)
    int win_length = 800;        // periodic Hann length in samples (<= n_fft, centred in the FFT frame)
    int hop = 200;               // samples between columns
    int n_mels = 80;             // mel bands (rows)
    double fmin = 55;            // Hz, lowest filter edge
    double fmax = 7600;          // Hz, highest filter edge (<= sample_rate / 2)
    double preemphasis = 0.97;   // y[n] = x[n] - k x[n-1]; 0 disables it
    double ref_level_db = 20;    // dB subtracted after 20 log10(max(1e-5, M))
    double min_level_db = -100;  // dB mapped to -max_abs_value (symmetric) or 0
    double max_abs_value = 4;    // output range bound
    bool symmetric = true;       // output in [-max, max] (true) or [0, max] (false)
    bool centre = true;          // pad n_fft/2 zeros at both ends so column c is centred on sample c*hop

    // Wav2Lip / Diff2Lip constants (the fields' initialisers).
    static MelParams defaults();
    // Seed 000: n_fft 2048, window 640, hop 320 (50 columns/s), 256 bands.
    static MelParams seed000();
    // sample_rate / hop (80 for defaults).
    double columnsPerSecond() const;
    // Throws Error{BadInput} naming the offending field.
    void validate() const;
};

struct Mel {
    int n_mels = 0;
    int64_t n_cols = 0;
    std::vector<float> data;  // row-major [n_mels][n_cols], normalised units
    float at(int m, int64_t c) const {
        return data[static_cast<size_t>(m) * static_cast<size_t>(n_cols) + static_cast<size_t>(c)];
    }
};

// The normalised value of digital silence (-4 for the defaults): what padding
// outside the audio uses.
float melSilenceValue(const MelParams&);

// Number of columns melSpectrogram returns for n_samples samples: 0 for no
// audio; centred: 1 + floor(n / hop); not centred: 1 + floor((n - n_fft) / hop)
// when n >= n_fft, else 0.
int64_t melColumnCount(int64_t n_samples, const MelParams&);

// pcm: mono float at params.sample_rate. Throws Error{BadInput} for invalid
// parameters or non-finite samples, Error{Cancelled} when stop is requested.
Mel melSpectrogram(std::span<const float> pcm, const MelParams&, std::stop_token stop = {});

// The mel filterbank, row-major [n_mels][1 + n_fft/2] (Slaney scale and area
// normalisation, as librosa.filters.mel(htk=False, norm="slaney")).
std::vector<double> melFilterbank(const MelParams&);

}  // namespace redub::core
