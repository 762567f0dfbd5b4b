#include "core/audio/sync_meter.hpp"

#include "core/audio/correlation.hpp"
#include "core/face/face_track.hpp"
#include "core/face/face_tracker.hpp"
#include "core/face/face_warp.hpp"
#include "media/audio_reader.hpp"
#include "media/video_reader.hpp"
#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace redub::core {

namespace fs = std::filesystem;

std::vector<float> loadSpeech16k(const fs::path& file, std::stop_token stop) {
    return media::readAudio(file, kSyncRate, 1, stop).samples;
}

namespace {

// RMS of speech[a, b) (clipped to the signal; outside is silence) mapped from [-60, 0] dBFS to [0, 1].
double loudness(const std::vector<float>& s, int64_t a, int64_t b) {
    const int64_t n = std::max<int64_t>(1, b - a);
    double sum = 0;
    for (int64_t i = std::max<int64_t>(0, a); i < std::min<int64_t>(int64_t(s.size()), b); ++i)
        sum += double(s[size_t(i)]) * s[size_t(i)];
    const double db = 10.0 * std::log10(std::max(sum / double(n), 1e-12));
    return std::clamp((db + 60.0) / 60.0, 0.0, 1.0);
}

// 100 Hz loudness (20 ms windows, 10 ms hop), zero-mean.
std::vector<double> envelope100(const std::vector<float>& s) {
    const int64_t hop = kSyncRate / 100, win = 2 * hop;
    std::vector<double> e;
    for (int64_t c = 0; c < int64_t(s.size()); c += hop) e.push_back(loudness(s, c - win / 2, c + win / 2));
    return e;
}

}  // namespace

std::vector<double> speechEnvelope(const std::vector<float>& speech, Rational fps, int64_t frames,
                                   int64_t offset_samples) {
    if (!fps.valid() || fps.num <= 0) fail(ErrorKind::BadInput, "speech envelope: invalid frame rate " + fps.toString());
    std::vector<double> env(size_t(std::max<int64_t>(0, frames)));
    const int64_t min_len = kSyncRate * 40 / 1000;
    for (int64_t i = 0; i < frames; ++i) {
        // Frame i is shown during [i, i+1) / fps; in speech samples, minus the offset.
        const int64_t a = mulDivFloor(i, int64_t(kSyncRate) * fps.den, fps.num) - offset_samples;
        const int64_t b = mulDivFloor(i + 1, int64_t(kSyncRate) * fps.den, fps.num) - offset_samples;
        const int64_t grow = std::max<int64_t>(0, (min_len - (b - a)) / 2);
        env[size_t(i)] = loudness(speech, a - grow, b + grow);
    }
    return env;
}

double mouthOpening(const FaceDetection& face) { return synth::measuredOpening(face.landmarks); }

double lipSharpness(const cv::Mat& rgb, const std::array<cv::Point2f, 68>& lm) {
    if (rgb.empty() || rgb.type() != CV_8UC3) fail(ErrorKind::BadInput, "lip sharpness: the frame must be 8-bit RGB");
    float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
    for (int i = 48; i < 68; ++i) {
        x0 = std::min(x0, lm[size_t(i)].x), x1 = std::max(x1, lm[size_t(i)].x);
        y0 = std::min(y0, lm[size_t(i)].y), y1 = std::max(y1, lm[size_t(i)].y);
    }
    const float gx = 0.15f * (x1 - x0), gy = 0.15f * (y1 - y0);
    const cv::Rect box = cv::Rect(cv::Point(int(std::floor(x0 - gx)), int(std::floor(y0 - gy))),
                                  cv::Point(int(std::ceil(x1 + gx)) + 1, int(std::ceil(y1 + gy)) + 1)) &
                         cv::Rect(0, 0, rgb.cols, rgb.rows);
    if (box.width < 3 || box.height < 3) return 0;
    cv::Mat grey, lap;
    cv::cvtColor(rgb(box), grey, cv::COLOR_RGB2GRAY);
    cv::Laplacian(grey, lap, CV_64F);
    cv::Scalar mean, sd;
    cv::meanStdDev(lap, mean, sd);
    return sd[0] * sd[0];
}

double correlationAtLag(const std::vector<double>& opening, const std::vector<double>& envelope, int lag,
                        int64_t begin, int64_t end) {
    if (end < 0 || end > int64_t(opening.size())) end = int64_t(opening.size());
    std::vector<double> a, b;
    for (int64_t i = std::max<int64_t>(0, begin); i < end; ++i) {
        const int64_t j = i - lag;  // the mouth at i follows the sound at i - lag
        if (opening[size_t(i)] < 0 || j < 0 || j >= int64_t(envelope.size())) continue;
        a.push_back(opening[size_t(i)]);
        b.push_back(envelope[size_t(j)]);
    }
    return pearson(a, b);
}

std::vector<double> perSecondCorrelation(const std::vector<double>& opening, const std::vector<double>& envelope,
                                         int lag_frames, Rational fps) {
    std::vector<double> out;
    const double rate = fps.toDouble();
    const int64_t n = int64_t(opening.size());
    for (int64_t s = 0; rate > 0 && double(s) * rate < double(n); ++s) {
        const int64_t a = std::max<int64_t>(0, std::llround((double(s) - 0.5) * rate));
        const int64_t b = std::min<int64_t>(n, std::llround((double(s) + 1.5) * rate));
        const bool face = std::any_of(opening.begin() + a, opening.begin() + b, [](double v) { return v >= 0; });
        out.push_back(face ? correlationAtLag(opening, envelope, lag_frames, a, b)
                           : std::numeric_limits<double>::quiet_NaN());
    }
    return out;
}

LagCorrelation bestLagCorrelation(const std::vector<double>& opening, const std::vector<double>& envelope,
                                  Rational fps, double max_lag_ms) {
    LagCorrelation best;
    const int max_lag = int(std::floor(max_lag_ms * fps.toDouble() / 1000.0));
    std::vector<double> rs;
    best.r = -2;
    for (int lag = -max_lag; lag <= max_lag; ++lag) {
        const double r = correlationAtLag(opening, envelope, lag);
        rs.push_back(r);
        if (r > best.r + 1e-12 || (std::abs(r - best.r) <= 1e-12 && std::abs(lag) < std::abs(best.lag_frames))) {
            best.r = r;
            best.lag_frames = lag;
        }
    }
    best.lag_ms = best.lag_frames * 1000.0 / fps.toDouble();
    best.frames = int(std::count_if(opening.begin(), opening.end(), [](double v) { return v >= 0; }));
    // Confidence: the peak against the best lag at least 3 frames (~120 ms) away.
    double other = -1;
    for (int k = 0; k < int(rs.size()); ++k)
        if (std::abs(k - max_lag - best.lag_frames) >= 3) other = std::max(other, rs[size_t(k)]);
    best.confidence = best.r > 0 ? std::clamp((best.r - std::max(0.0, other)) / best.r, 0.0, 1.0) : 0.0;
    if (best.r < -1) best.r = 0;
    return best;
}

OffsetEstimate estimateSpeechOffset(const std::vector<float>& ref, const std::vector<float>& take, double max_ms) {
    if (ref.size() < size_t(kSyncRate / 2) || take.size() < size_t(kSyncRate / 2))
        fail(ErrorKind::BadInput, "speech alignment needs at least 0.5 s of each speech track");
    std::vector<double> a = envelope100(ref), b = envelope100(take);
    auto centre = [](std::vector<double>& v) {
        const double m = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
        double ss = 0;
        for (double& x : v) x -= m, ss += x * x;
        return ss;
    };
    if (centre(a) < 1e-9 || centre(b) < 1e-9) fail(ErrorKind::BadInput, "speech alignment: a speech track is silent");
    const int max_lag = int(max_ms / 10.0);
    // c(d) = normalised correlation of a[n] with b[n - d] over the overlap.
    auto corr = [&](int d) {
        double sab = 0, saa = 0, sbb = 0;
        for (int64_t n = std::max<int64_t>(0, d); n < int64_t(a.size()) && n - d < int64_t(b.size()); ++n) {
            const double x = a[size_t(n)], y = b[size_t(n - d)];
            sab += x * y, saa += x * x, sbb += y * y;
        }
        return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
    };
    std::vector<double> c;
    int best = 0;
    for (int d = -max_lag; d <= max_lag; ++d) {
        c.push_back(corr(d));
        if (c.back() > c[size_t(best)]) best = int(c.size()) - 1;
    }
    double frac = 0;
    if (best > 0 && best + 1 < int(c.size())) {
        const double y0 = c[size_t(best - 1)], y1 = c[size_t(best)], y2 = c[size_t(best + 1)];
        const double den = y0 - 2 * y1 + y2;
        if (den < 0) frac = std::clamp(0.5 * (y0 - y2) / den, -0.5, 0.5);
    }
    OffsetEstimate e;
    const double hops = double(best - max_lag) + frac;
    e.offset_samples = std::llround(hops * (kSyncRate / 100));
    e.offset_ms = double(e.offset_samples) * 1000.0 / kSyncRate;
    e.confidence = std::clamp(c[size_t(best)], 0.0, 1.0);
    return e;
}

OffsetEstimate estimateOffsetFromMouth(const std::vector<double>& opening, Rational fps,
                                       const std::vector<float>& take, double max_ms) {
    const auto env = speechEnvelope(take, fps, int64_t(opening.size()), 0);
    // Natural speech: the mouth leads the sound by about a frame; an offset of d makes the
    // sound at frame i - d play at frame i, which is what the lag measures.
    const LagCorrelation lc = bestLagCorrelation(opening, env, fps, max_ms);
    OffsetEstimate e;
    e.offset_samples = mulDivFloor(lc.lag_frames, int64_t(kSyncRate) * fps.den, fps.num);
    e.offset_ms = double(e.offset_samples) * 1000.0 / kSyncRate;
    e.confidence = lc.r > 0 ? lc.r * lc.confidence : 0.0;
    return e;
}

VideoMeasure measureVideo(const fs::path& video, int detect_every, const VideoMeasure* at, const ProgressFn& progress,
                          std::stop_token stop) {
    media::VideoReader reader(video);
    VideoMeasure m;
    m.fps = reader.frameRate();
    const int64_t total = reader.frameCount();
    FaceDetector det;
    TrackerParams tp = TrackerParams::defaults();
    tp.detect_every = std::max(1, detect_every);
    FaceTracker tracker(det, tp);
    media::VideoFrame f;
    std::optional<cv::Rect2f> prev;
    while (reader.next(f, stop)) {
        throwIfCancelled(stop);
        auto faces = tracker.push(f.rgb);
        // The face followed from frame to frame (IoU), the largest at the start.
        std::vector<FaceDetection> dets;
        for (auto& t : faces) dets.push_back(t.face);
        if (!prev && !dets.empty()) {
            auto it = std::max_element(dets.begin(), dets.end(),
                                       [](const auto& a, const auto& b) { return a.box.area() < b.box.area(); });
            std::rotate(dets.begin(), it, it + 1);
            prev = dets.front().box;
        }
        const FaceDetection* face = followFace(dets, prev);
        const size_t i = m.opening.size();
        m.opening.push_back(face ? mouthOpening(*face) : -1.0);
        if (face)
            m.landmarks.push_back(face->landmarks);
        else
            m.landmarks.push_back(std::nullopt);
        const auto& where = at && i < at->landmarks.size() ? at->landmarks[i] : m.landmarks.back();
        m.sharpness.push_back(where ? lipSharpness(f.rgb, *where) : 0.0);
        if (progress) {
            Progress p;
            p.stage = "measure";
            p.done = int64_t(i) + 1;
            p.total = total;
            p.fraction = total > 0 ? double(i + 1) / double(total) : 0;
            progress(p);
        }
    }
    if (m.opening.empty()) fail(ErrorKind::BadInput, video, "has no decodable video frames");
    if (reader.mediaInfo().audio) m.speech = loadSpeech16k(video, stop);
    return m;
}

LagCorrelation syncScore(const VideoMeasure& video, const std::vector<float>& speech, int64_t offset_samples,
                         double max_lag_ms) {
    const auto env = speechEnvelope(speech, video.fps, int64_t(video.opening.size()), offset_samples);
    return bestLagCorrelation(video.opening, env, video.fps, max_lag_ms);
}

}  // namespace redub::core
