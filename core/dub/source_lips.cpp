#include "core/dub/source_lips.hpp"

#include "core/face/face_detector.hpp"
#include "core/face/face_warp.hpp"
#include "core/face/mask.hpp"
#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace redub::core {

namespace {
float dist(cv::Point2f a, cv::Point2f b) { return float(cv::norm(a - b)); }

// Landmarks whose place the generated mouth decides: the lips and the lower jaw line.
constexpr double kLipsWeightGain = 3.0;

bool followsModel(int i) { return (i >= 48 && i <= 67) || (i >= 4 && i <= 12); }

std::vector<cv::Point> polygon(const Landmarks68& lm, int first, int last, cv::Point2f origin, int shift) {
    std::vector<cv::Point> p;
    const float s = float(1 << shift);
    for (int i = first; i <= last; ++i)
        p.emplace_back(cvRound((lm[size_t(i)].x - origin.x) * s), cvRound((lm[size_t(i)].y - origin.y) * s));
    return p;
}

// Mean vertical gap of the inner lips (points 61-63 vs 67-65), px.
float innerGap(const Landmarks68& lm) {
    return ((lm[67].y - lm[61].y) + (lm[66].y - lm[62].y) + (lm[65].y - lm[63].y)) / 3.f;
}

// The fit on a soft generated mouth finds the opening (inner lips) and the corners well but
// places the outer contour loosely (a lower lip grown twice as thick): the outer lips follow
// the inner ones at the source's own thickness instead.
void keepLipThickness(const Landmarks68& src, Landmarks68& tgt) {
    auto off = [&](int i) { return tgt[size_t(i)] - src[size_t(i)]; };
    const cv::Point2f o48 = off(48), o54 = off(54), o61 = off(61), o62 = off(62), o63 = off(63), o65 = off(65),
                      o66 = off(66), o67 = off(67);
    const std::pair<int, cv::Point2f> outer[] = {
        {49, (o48 + o61) * 0.5f}, {50, o61}, {51, o62}, {52, o63}, {53, (o54 + o63) * 0.5f},
        {55, (o54 + o65) * 0.5f}, {56, o65}, {57, o66}, {58, o67}, {59, (o48 + o67) * 0.5f},
    };
    for (const auto& [i, o] : outer) tgt[size_t(i)] = src[size_t(i)] + o;
}

// How far the jaw line's points 4..12 follow a move of the lower lip: the chin fully, less
// towards the ears.
constexpr float kJawFalloff[9] = {0.f, 0.25f, 0.55f, 0.85f, 1.f, 0.85f, 0.55f, 0.25f, 0.f};

// Articulation: the generated opening (inner-lip gap, measured across the mouth) times `gain`,
// by moving the lower lip and the chin as a jaw would; the upper lip and the corners stay.
void scaleOpening(Landmarks68& lm, float gain) {
    if (std::abs(gain - 1.f) < 1e-4f) return;
    const cv::Point2f across = lm[54] - lm[48];
    const float len = std::max(1e-3f, float(cv::norm(across)));
    const cv::Point2f down(-across.y / len, across.x / len);
    const int pairs[3][2] = {{61, 67}, {62, 66}, {63, 65}};
    float mean_extra = 0.f;
    for (const auto& pr : pairs) {
        const float gap = std::max(0.f, (lm[size_t(pr[1])] - lm[size_t(pr[0])]).dot(down));
        const float extra = (gain - 1.f) * gap;
        lm[size_t(pr[1])] += down * extra;
        mean_extra += extra / 3.f;
    }
    // The chin follows the lower lip; the jaw line less towards the ears.
    for (int i = 4; i <= 12; ++i) lm[size_t(i)] += down * (mean_extra * kJawFalloff[i - 4]);
}

}  // namespace

// The picture's own blur (a Gaussian's sigma, px) at its strongest edges in `grey` (CV_32F):
// re-blurring a Gaussian edge of sigma s by sigma b lowers its gradient peak by
// R = sqrt(s^2 + b^2) / s, so s = b / sqrt(R^2 - 1), read at the 5 % strongest gradients.
// The 3x3 Sobel adds its own width: on ideal edges blurred by 0 / 0.5 / 1 / 2 px the ratio
// reads 0.94 / 1.06 / 1.38 / 2.20, i.e. s^2 + 0.88 (test cameraBlurReadsAKnownBlur).
float cameraBlur(const cv::Mat& grey) {
    constexpr double kReblur = 1.0;
    constexpr float kSobelVariance = 0.88f;
    cv::Mat gx, gy, mag, rb, rgx, rgy, rmag;
    cv::Sobel(grey, gx, CV_32F, 1, 0, 3);
    cv::Sobel(grey, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, mag);
    cv::GaussianBlur(grey, rb, cv::Size(0, 0), kReblur);
    cv::Sobel(rb, rgx, CV_32F, 1, 0, 3);
    cv::Sobel(rb, rgy, CV_32F, 0, 1, 3);
    cv::magnitude(rgx, rgy, rmag);
    std::vector<float> m(mag.begin<float>(), mag.end<float>());
    if (m.size() < 64) return 0.f;
    const size_t k = m.size() - m.size() / 20;
    std::nth_element(m.begin(), m.begin() + long(k), m.end());
    const float thresh = std::max(m[k], 8.f);  // Sobel units: no edge below a few levels
    std::vector<float> sig;
    for (int y = 0; y < mag.rows; ++y)
        for (int x = 0; x < mag.cols; ++x) {
            const float a = mag.at<float>(y, x), b = rmag.at<float>(y, x);
            if (a < thresh || b <= 1e-3f) continue;
            const float r = a / b;
            sig.push_back(r > 1.02f ? float(kReblur / std::sqrt(r * r - 1.0)) : 5.f);
        }
    if (sig.size() < 8) return 0.f;
    std::nth_element(sig.begin(), sig.begin() + long(sig.size() / 2), sig.end());
    const float s = sig[sig.size() / 2];
    return std::min(std::sqrt(std::max(0.f, s * s - kSobelVariance)), 5.f);
}
SourceLips::SourceLips(const SourceLipsParams& params, const std::filesystem::path& landmark_model)
    : params_(params), det_(std::make_unique<FaceDetector>(DetectorParams::defaults(), landmark_model)) {}

SourceLips::~SourceLips() = default;

void SourceLips::setArticulation(float articulation) {
    std::lock_guard lock(mutex_);
    params_.articulation = articulation;
}

bool SourceLips::apply(cv::Mat& frame, const cv::Mat& source, const Landmarks68& tracked, const Crop& crop,
                       const cv::Mat& paste, int feather_px, Landmarks68* target) {
    if (frame.type() != CV_8UC3 || source.type() != CV_8UC3 || frame.size() != source.size())
        fail(ErrorKind::BadInput, "source lips: frame and source must be 8-bit RGB of one size");
    std::lock_guard lock(mutex_);
    const cv::Rect roi = cropFrameBounds(crop, 1, frame.size());
    if (roi.width < 8 || roi.height < 8) return false;

    // The source's own mouth fitted on this very frame (the track's landmarks are smoothed
    // over frames: an open mouth they miss by a pixel would show its teeth through the warp),
    // and the generated mouth, fitted on the composited frame in the same box.
    const cv::Rect2f box = boxFromLandmarks(tracked);
    const Landmarks68 src = det_->landmarksIn(source, box).landmarks;
    const Landmarks68 gen = det_->landmarksIn(frame, box).landmarks;
    const float mouth_w = std::max(2.f, dist(src[48], src[54]));
    const float gen_w = dist(gen[48], gen[54]);
    bool ok = gen_w > 0.6f * mouth_w && gen_w < 1.5f * mouth_w;
    for (int i = 0; i < 68 && ok; ++i) {
        const float d = dist(gen[size_t(i)], src[size_t(i)]);
        // Above the mask the frame is the source's own: a fit that misses the nose and eyes
        // there found no face (a shape predictor always returns some shape).
        if (i >= 27 && i <= 47) ok = d < params_.max_upper_offset * mouth_w;
        else if (followsModel(i)) ok = d < params_.max_offset * mouth_w;
    }
    if (!ok) {
        ++skipped_;
        return false;
    }
    // Target = the source's landmarks with the lips and jaw where the generated mouth has
    // them. No temporal filter: on bench/lipsync-real.sh a filter of weight 0.35 lowered the
    // sync of a moving clip (+0.594 -> +0.545) and left the stills' within noise; without
    // state, a frame's composite depends on that frame alone (preview = export).
    Landmarks68 tgt = src;
    for (int i = 0; i < 68; ++i)
        if (followsModel(i)) tgt[size_t(i)] = gen[size_t(i)];
    scaleOpening(tgt, params_.articulation);
    keepLipThickness(src, tgt);

    // The source with its own mouth interior filled from the lips around it: a warp that
    // closes or moves an open source mouth then cannot carry its teeth or gap along.
    cv::Mat from = source;
    const cv::Point2f origin(float(roi.x), float(roi.y));
    if (innerGap(src) > 1.f) {
        from = source.clone();
        cv::Mat hole = cv::Mat::zeros(roi.size(), CV_8U);
        cv::fillPoly(hole, std::vector<std::vector<cv::Point>>{polygon(src, 60, 67, origin, 0)}, 255);
        const int grow = std::max(2, cvRound(0.04f * mouth_w));
        cv::dilate(hole, hole, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow + 1, 2 * grow + 1)));
        cv::Mat patch = from(roi);
        cv::Mat filled;
        cv::inpaint(patch, hole, filled, 3, cv::INPAINT_TELEA);
        filled.copyTo(patch);
    }
    cv::Mat warped = synth::warpFaceTo(from, src, tgt, roi);
    if (warped.empty()) return false;

    // Weight: the paste mask's support, rising three times as fast as composite() blends it
    // (its soft edge is ~1/6 of the crop, the upper lip lies in it): where the composite is
    // still part generated (weight w), the warped source takes 3w - at most 1/12 of the soft
    // generated mouth is left, only in the outer third of the edge.
    cv::Mat weight = featherMask(paste, feather_px);
    weight = cv::min(weight * float(kLipsWeightGain), 1.0);
    const cv::Matx23d& m = crop.to_crop;
    const cv::Matx23d q2c(m(0, 0), m(0, 1), m(0, 0) * roi.x + m(0, 1) * roi.y + m(0, 2),  //
                          m(1, 0), m(1, 1), m(1, 0) * roi.x + m(1, 1) * roi.y + m(1, 2));
    cv::Mat w;
    cv::warpAffine(weight, w, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                   cv::Scalar(0));
    if (params_.render_interior) {
        Landmarks68 local = tgt;
        for (auto& q : local) q -= origin;
        cv::Mat grey;
        cv::cvtColor(source(roi), grey, cv::COLOR_RGB2GRAY);
        grey.convertTo(grey, CV_32F);
        synth::renderMouthInterior(warped, local, cameraBlur(grey), synth::InteriorStyle::inShadow());
    } else if (innerGap(tgt) > 0.5f) {
        constexpr int kShift = 3;  // sub-pixel polygon
        cv::Mat inside = cv::Mat::zeros(roi.size(), CV_8U);
        cv::fillPoly(inside, std::vector<std::vector<cv::Point>>{polygon(tgt, 60, 67, origin, kShift)}, 255,
                     cv::LINE_AA, kShift);
        cv::Mat in_f;
        inside.convertTo(in_f, CV_32F, 1.0 / 255.0);
        cv::GaussianBlur(in_f, in_f, cv::Size(0, 0), std::max(0.6, 0.01 * mouth_w));
        w = w.mul(1.f - in_f);
    }
    cv::Mat out = frame(roi);
    for (int y = 0; y < roi.height; ++y) {
        const float* wr = w.ptr<float>(y);
        const cv::Vec3b* sr = warped.ptr<cv::Vec3b>(y);
        cv::Vec3b* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < roi.width; ++x) {
            const float a = wr[x];
            if (a <= 0.f) continue;
            for (int c = 0; c < 3; ++c) o[x][c] = cv::saturate_cast<uchar>(o[x][c] + a * (float(sr[x][c]) - o[x][c]));
        }
    }
    if (target) *target = tgt;
    ++applied_;
    return true;
}

}  // namespace redub::core
