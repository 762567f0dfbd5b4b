// The lip-sync meter and speech alignment (no Qt):
//   - how well a mouth follows a speech track: the best-lag correlation of the mouth
//     opening (landmarks) with the speech envelope, the lag in ms and a confidence;
//   - where a new take belongs: its offset against the video's own speech, by
//     cross-correlating the two speech envelopes (or, for a video without speech, against
//     the mouth opening);
//   - how sharp the lips are: the variance of the Laplacian in the lip box.
//
//   auto m = core::measureVideo("talk.mp4");                      // faces + openings + own speech
//   auto speech = core::loadSpeech16k("take2.wav");
//   auto env = core::speechEnvelope(speech, m.fps, m.opening.size(), 0);
//   core::LagCorrelation s = core::bestLagCorrelation(m.opening, env, m.fps);
//   core::OffsetEstimate o = core::estimateSpeechOffset(m.speech, speech);
#pragma once

#include "core/face/face_detector.hpp"
#include "redub/job.hpp"
#include "redub/rational.hpp"

#include <opencv2/core.hpp>

#include <filesystem>
#include <optional>
#include <stop_token>
#include <vector>

namespace redub::core {

inline constexpr int kSyncRate = 16000;  // Hz: every speech signal here is 16 kHz mono

// A file's main audio stream as 16 kHz mono. Throws Error{BadInput} naming the file when it
// has none.
std::vector<float> loadSpeech16k(const std::filesystem::path& file, std::stop_token stop = {});

// The speech's loudness during each of `frames` video frames: RMS over the frame's
// duration (at least 40 ms, centred on it) in dB, mapped from [-60, 0] dBFS to [0, 1].
// offset_samples > 0: the speech starts that many samples after the video (as DubParams).
std::vector<double> speechEnvelope(const std::vector<float>& speech16k, Rational fps, int64_t frames,
                                   int64_t offset_samples = 0);

// The mouth opening of a face (inner-lip gap / eye distance, the measure of `evaluate`).
double mouthOpening(const FaceDetection& face);

// Variance of the Laplacian (luma) inside the lip box of `landmarks` (points 48-67, grown by
// 15 % of the box on each side): how sharp the lips are at that place.
double lipSharpness(const cv::Mat& rgb, const std::array<cv::Point2f, 68>& landmarks);

struct LagCorrelation {
    double r = 0;           // Pearson r at the best lag
    int lag_frames = 0;     // > 0: the mouth moves after the sound (the picture is late)
    double lag_ms = 0;
    double confidence = 0;  // 0..1: how clearly the best lag beats lags a few frames away
    int frames = 0;         // frames with a face that entered the correlation
};

// The best-lag Pearson correlation of `opening` (entries < 0: no face, left out) with
// `envelope`, over lags of -max_lag_ms..+max_lag_ms. Frames where both are constant give 0.
LagCorrelation bestLagCorrelation(const std::vector<double>& opening, const std::vector<double>& envelope,
                                  Rational fps, double max_lag_ms = 400);

// The same correlation at one fixed lag (frames), over frames [begin, end).
double correlationAtLag(const std::vector<double>& opening, const std::vector<double>& envelope, int lag_frames,
                        int64_t begin = 0, int64_t end = -1);

// r at `lag_frames` over a 2-s window centred on each second of the clip (NaN where no frame
// of the window has a face): the meter's per-second table, for the CLI and the editor lane.
std::vector<double> perSecondCorrelation(const std::vector<double>& opening, const std::vector<double>& envelope,
                                         int lag_frames, Rational fps);

struct OffsetEstimate {
    int64_t offset_samples = 0;  // apply as DubParams::offset_samples (> 0: the take starts later)
    double offset_ms = 0;
    double confidence = 0;       // normalised cross-correlation at the peak (0..1)
};

// Where `take` (the new speech) lines up with `reference` (the video's own speech): the
// shift that maximises the cross-correlation of their 100 Hz loudness envelopes within
// +-max_ms, refined to the sample by a parabola through the peak. Throws Error{BadInput}
// when either is shorter than 0.5 s or silent.
OffsetEstimate estimateSpeechOffset(const std::vector<float>& reference16k, const std::vector<float>& take16k,
                                    double max_ms = 1000);

// For a video without speech: the shift of `take` that best matches the mouth opening
// (bestLagCorrelation over +-max_ms), as an offset to apply. Coarser: one frame.
OffsetEstimate estimateOffsetFromMouth(const std::vector<double>& opening, Rational fps,
                                       const std::vector<float>& take16k, double max_ms = 1000);

// One video measured: the chosen face (the largest) followed through every frame, its
// opening and lip sharpness per frame (-1 / 0 without a face), its landmarks, and the
// video's own speech (empty when it has no audio stream).
struct VideoMeasure {
    Rational fps;
    std::vector<double> opening;
    std::vector<double> sharpness;
    std::vector<std::optional<std::array<cv::Point2f, 68>>> landmarks;
    std::vector<float> speech;
};

// Tracks the face of `video` (the dub's face path: detection every `detect_every` frames,
// tracking between) and measures every frame. With `at` (another video's measure of the
// same frames, e.g. the source of a dub), the sharpness is measured at `at`'s lip boxes.
VideoMeasure measureVideo(const std::filesystem::path& video, int detect_every = 5,
                          const VideoMeasure* at = nullptr, const ProgressFn& progress = {},
                          std::stop_token stop = {});

// The sync score of a measured video against a speech track (speechEnvelope with the
// offset, then bestLagCorrelation).
LagCorrelation syncScore(const VideoMeasure& video, const std::vector<float>& speech16k, int64_t offset_samples = 0,
                         double max_lag_ms = 400);

}  // namespace redub::core
