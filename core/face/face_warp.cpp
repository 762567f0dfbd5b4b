#include "core/face/face_warp.hpp"

#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace redub::core::synth {
namespace {

cv::Point2f meanOf(const Landmarks68& lm, std::initializer_list<int> idx) {
    cv::Point2f s(0, 0);
    for (int i : idx) s += lm[size_t(i)];
    return s * (1.0f / float(idx.size()));
}

float dot(cv::Point2f a, cv::Point2f b) { return a.x * b.x + a.y * b.y; }
float len(cv::Point2f a) { return std::sqrt(dot(a, a)); }
cv::Point2f unit(cv::Point2f a) {
    const float l = len(a);
    return l > 1e-6f ? a * (1.0f / l) : cv::Point2f(0, 1);
}

// Thin-plate spline from control points `from` to values `to` (2-D).
class Tps {
public:
    Tps(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to, float scale)
        : ctrl_(from), scale_(scale) {
        const int n = int(from.size());
        cv::Mat a = cv::Mat::zeros(n + 3, n + 3, CV_64F);
        cv::Mat b = cv::Mat::zeros(n + 3, 2, CV_64F);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j)
                a.at<double>(i, j) = kernel(from[size_t(i)], from[size_t(j)]) + (i == j ? 1e-4 : 0.0);
            a.at<double>(i, n) = 1.0;
            a.at<double>(i, n + 1) = from[size_t(i)].x / scale_;
            a.at<double>(i, n + 2) = from[size_t(i)].y / scale_;
            a.at<double>(n, i) = 1.0;
            a.at<double>(n + 1, i) = from[size_t(i)].x / scale_;
            a.at<double>(n + 2, i) = from[size_t(i)].y / scale_;
            b.at<double>(i, 0) = (to[size_t(i)].x - from[size_t(i)].x) / scale_;
            b.at<double>(i, 1) = (to[size_t(i)].y - from[size_t(i)].y) / scale_;
        }
        if (!cv::solve(a, b, coef_, cv::DECOMP_SVD)) fail(ErrorKind::Internal, "thin-plate spline system is singular");
    }
    // Displacement (to - from) at p.
    cv::Point2f displacement(cv::Point2f p) const {
        const int n = int(ctrl_.size());
        double dx = coef_.at<double>(n, 0) + coef_.at<double>(n + 1, 0) * p.x / scale_ + coef_.at<double>(n + 2, 0) * p.y / scale_;
        double dy = coef_.at<double>(n, 1) + coef_.at<double>(n + 1, 1) * p.x / scale_ + coef_.at<double>(n + 2, 1) * p.y / scale_;
        for (int i = 0; i < n; ++i) {
            const double k = kernel(p, ctrl_[size_t(i)]);
            dx += coef_.at<double>(i, 0) * k;
            dy += coef_.at<double>(i, 1) * k;
        }
        return {float(dx * scale_), float(dy * scale_)};
    }

private:
    double kernel(cv::Point2f a, cv::Point2f b) const {
        const double dx = (a.x - b.x) / scale_, dy = (a.y - b.y) / scale_;
        const double r2 = dx * dx + dy * dy;
        return r2 > 1e-12 ? r2 * std::log(r2) : 0.0;
    }
    std::vector<cv::Point2f> ctrl_;
    float scale_;
    cv::Mat coef_;
};

// Fixes the border of `roi` (8 points a side) so the warp fades to nothing there.
void fixBorder(const cv::Rect& roi, std::vector<cv::Point2f>& from, std::vector<cv::Point2f>& to) {
    const int per_side = 7;
    for (int k = 0; k <= per_side; ++k) {
        const float a = float(k) / per_side;
        const cv::Point2f pts[4] = {{roi.x + a * roi.width, float(roi.y)},
                                     {roi.x + a * roi.width, float(roi.y + roi.height - 1)},
                                     {float(roi.x), roi.y + a * roi.height},
                                     {float(roi.x + roi.width - 1), roi.y + a * roi.height}};
        for (auto p : pts) {
            from.push_back(p);
            to.push_back(p);
        }
    }
}

// A spline's displacement sampled on a coarse grid over `roi` and interpolated bilinearly:
// map(q) = where output pixel q comes from (q itself outside the ROI).
class WarpGrid {
public:
    WarpGrid(const Tps& tps, const cv::Rect& roi) : roi_(roi), gw_(roi.width / kStep + 2), gh_(roi.height / kStep + 2) {
        dx_.create(gh_, gw_, CV_32F);
        dy_.create(gh_, gw_, CV_32F);
        for (int gy = 0; gy < gh_; ++gy)
            for (int gx = 0; gx < gw_; ++gx) {
                const cv::Point2f d = tps.displacement({float(roi.x + gx * kStep), float(roi.y + gy * kStep)});
                dx_.at<float>(gy, gx) = d.x;
                dy_.at<float>(gy, gx) = d.y;
            }
    }
    cv::Point2f map(cv::Point2f q) const {
        if (q.x < roi_.x || q.y < roi_.y || q.x >= roi_.x + roi_.width || q.y >= roi_.y + roi_.height) return q;
        const float fx = (q.x - roi_.x) / kStep, fy = (q.y - roi_.y) / kStep;
        return q + cv::Point2f(sample(dx_, fx, fy), sample(dy_, fx, fy));
    }

private:
    static constexpr int kStep = 4;
    float sample(const cv::Mat& g, float fx, float fy) const {
        const int x0 = std::clamp(int(fx), 0, gw_ - 2), y0 = std::clamp(int(fy), 0, gh_ - 2);
        const float ax = std::clamp(fx - x0, 0.0f, 1.0f), ay = std::clamp(fy - y0, 0.0f, 1.0f);
        return (g.at<float>(y0, x0) * (1 - ax) + g.at<float>(y0, x0 + 1) * ax) * (1 - ay) +
               (g.at<float>(y0 + 1, x0) * (1 - ax) + g.at<float>(y0 + 1, x0 + 1) * ax) * ay;
    }
    cv::Rect roi_;
    int gw_, gh_;
    cv::Mat dx_, dy_;
};

struct FaceFrame {
    cv::Point2f down, right;  // face axes
    float mouth_w;            // neutral mouth width, px
    float interocular;        // px
};

FaceFrame faceFrame(const Landmarks68& lm) {
    FaceFrame f;
    f.down = unit(lm[8] - lm[27]);
    cv::Point2f r = lm[54] - lm[48];
    r -= f.down * dot(r, f.down);
    f.right = unit(r);
    f.mouth_w = std::max(2.0f, len(lm[54] - lm[48]));
    f.interocular = std::max(2.0f, len(meanOf(lm, {42, 43, 44, 45, 46, 47}) - meanOf(lm, {36, 37, 38, 39, 40, 41})));
    return f;
}

cv::Point2f applyPose(cv::Point2f q, cv::Point2f c, const HeadPose& p) {
    const float a = p.rotation_deg * float(CV_PI / 180.0);
    const float ca = std::cos(a), sa = std::sin(a);
    const cv::Point2f d = q - c;
    return c + cv::Point2f(ca * d.x - sa * d.y, sa * d.x + ca * d.y) * p.scale + cv::Point2f(p.shift_x_px, p.shift_y_px);
}

cv::Point2f invertPose(cv::Point2f q, cv::Point2f c, const HeadPose& p) {
    const float a = -p.rotation_deg * float(CV_PI / 180.0);
    const float ca = std::cos(a), sa = std::sin(a);
    const cv::Point2f d = (q - c - cv::Point2f(p.shift_x_px, p.shift_y_px)) * (1.0f / p.scale);
    return c + cv::Point2f(ca * d.x - sa * d.y, sa * d.x + ca * d.y);
}

cv::Vec3f meanInMask(const cv::Mat& rgb, const cv::Mat& mask, cv::Vec3f fallback) {
    if (cv::countNonZero(mask) < 4) return fallback;
    const cv::Scalar m = cv::mean(rgb, mask);
    return {float(m[0]), float(m[1]), float(m[2])};
}

// Paints cavity, teeth and tongue inside the inner-lip polygon `inner` (output
// coordinates) into `frame`. Colours derive from the face's lips and skin.
void renderInterior(cv::Mat& frame, const std::vector<cv::Point2f>& inner, const std::vector<cv::Point2f>& outer,
                    const FaceFrame& ff, float gap_px, const MouthParams& mouth, float camera_blur_px = 0.f,
                    const InteriorStyle& style = {}) {
    if (gap_px < 1.0f) return;
    cv::Rect2f bb = cv::boundingRect(inner);
    cv::Rect box(int(std::floor(bb.x)) - 3, int(std::floor(bb.y)) - 3, int(std::ceil(bb.width)) + 7, int(std::ceil(bb.height)) + 7);
    box &= cv::Rect(0, 0, frame.cols, frame.rows);
    if (box.width < 3 || box.height < 3) return;

    // Colour references from the frame itself: lips (outer minus inner) and skin below the lip.
    cv::Mat lip_mask = cv::Mat::zeros(frame.size(), CV_8U);
    std::vector<cv::Point> op, ip;
    for (auto p : outer) op.emplace_back(cvRound(p.x), cvRound(p.y));
    for (auto p : inner) ip.emplace_back(cvRound(p.x), cvRound(p.y));
    cv::fillPoly(lip_mask, std::vector<std::vector<cv::Point>>{op}, 255);
    cv::fillPoly(lip_mask, std::vector<std::vector<cv::Point>>{ip}, 0);
    const cv::Vec3f lip = meanInMask(frame, lip_mask, {150, 80, 80});
    const float lum = 0.3f * lip[0] + 0.59f * lip[1] + 0.11f * lip[2];
    const float light = std::clamp(lum / 110.0f, 0.45f, 1.5f);

    // Sub-pixel polygon coverage (8x supersampled), local coordinates.
    const int ss = 8;
    cv::Mat cover_hi = cv::Mat::zeros(box.height * ss, box.width * ss, CV_8U);
    std::vector<cv::Point> poly;
    for (auto p : inner) poly.emplace_back(cvRound((p.x - box.x) * ss), cvRound((p.y - box.y) * ss));
    cv::fillPoly(cover_hi, std::vector<std::vector<cv::Point>>{poly}, 255, cv::LINE_AA);
    cv::Mat cover;
    cv::resize(cover_hi, cover, box.size(), 0, 0, cv::INTER_AREA);
    cover.convertTo(cover, CV_32F, 1.0 / 255.0);

    // Per column: top and bottom of the aperture (local rows), from the coverage.
    std::vector<float> top(size_t(box.width), -1), bot(size_t(box.width), -1);
    for (int x = 0; x < box.width; ++x) {
        for (int y = 0; y < box.height; ++y)
            if (cover.at<float>(y, x) > 0.5f) {
                if (top[size_t(x)] < 0) top[size_t(x)] = float(y);
                bot[size_t(x)] = float(y);
            }
    }
    const cv::Point2f c = (inner[0] + inner[4]) * 0.5f - cv::Point2f(float(box.x), float(box.y));
    const float half_w = std::max(1.0f, 0.5f * len(inner[4] - inner[0]));
    const float teeth_h = std::min(0.3f * gap_px, 0.1f * ff.mouth_w) * (0.6f + 0.4f * (1.0f - mouth.rounding));
    const float lower_teeth_h =
        style.lower_teeth ? std::clamp(mouth.opening - 0.35f, 0.0f, 1.0f) * 0.25f * gap_px : 0.0f;

    const cv::Vec3f cavity_col = cv::Vec3f(lip[0] * 0.22f, lip[1] * 0.08f, lip[2] * 0.08f);
    const cv::Vec3f tongue_col = cv::Vec3f(lip[0] * 0.95f, lip[1] * 0.55f, lip[2] * 0.6f) * style.tongue_light;
    const cv::Vec3f teeth_col = (cv::Vec3f(238, 226, 204) * 0.9f + lip * 0.1f) * std::clamp(0.85f * light, 0.5f, 1.0f);

    cv::Mat layer(box.size(), CV_32FC3);
    for (int y = 0; y < box.height; ++y) {
        for (int x = 0; x < box.width; ++x) {
            const float dx = (float(x) - c.x) / half_w;  // -1..1 across the mouth
            const float t = top[size_t(x)], b = bot[size_t(x)];
            cv::Vec3f col = cavity_col * (0.55f + 0.45f * std::min(1.0f, dx * dx));
            if (t >= 0) {
                const float h = std::max(1.0f, b - t + 1);
                const float v = (float(y) - t) / h;  // 0 at upper lip, 1 at lower lip
                // Tongue: a dome rising from the lower lip, lit from the front.
                const float tongue_top = 1.0f - style.tongue_rise * std::max(0.0f, 1.0f - dx * dx * 1.3f);
                if (v > tongue_top && mouth.opening > 0.2f) {
                    const float shade = 0.55f + 0.45f * std::clamp((v - tongue_top) / 0.3f, 0.0f, 1.0f);
                    const float a = std::clamp((mouth.opening - 0.2f) / 0.2f, 0.0f, 1.0f);
                    col = col * (1 - a) + tongue_col * (shade * (1.0f - 0.4f * std::abs(dx))) * a;
                }
                // Upper teeth hang from the upper lip; they recede into shadow toward the corners.
                const float from_top = float(y) - t;
                if (from_top < teeth_h && std::abs(dx) < 0.85f) {
                    const float side = 1.0f - std::pow(std::abs(dx) / 0.85f, 2.0f);
                    const float edge = std::clamp((teeth_h - from_top) / 1.5f, 0.0f, 1.0f);  // soft biting edge
                    const float lip_shadow = 0.7f + 0.3f * std::clamp(from_top / std::max(1.0f, 0.35f * teeth_h), 0.0f, 1.0f);
                    const float a = edge * std::clamp(side * 1.6f, 0.0f, 1.0f);
                    col = col * (1 - a) + teeth_col * (lip_shadow * (0.45f + 0.55f * side)) * a;
                }
                const float from_bot = b - float(y);
                if (lower_teeth_h > 0.5f && from_bot < lower_teeth_h && std::abs(dx) < 0.6f) {
                    const float side = 1.0f - std::pow(std::abs(dx) / 0.6f, 2.0f);
                    const float a = std::clamp(side * 1.5f, 0.0f, 1.0f) * 0.8f;
                    col = col * (1 - a) + teeth_col * (0.6f * side + 0.2f) * a;
                }
            }
            layer.at<cv::Vec3f>(y, x) = col;
        }
    }
    // Match the camera: slight blur and the frame's own noise level.
    const double sigma = std::max({0.5, 0.006 * ff.mouth_w, double(camera_blur_px)});
    cv::GaussianBlur(layer, layer, cv::Size(0, 0), sigma);
    cv::Mat roi = frame(box), roi_f;
    roi.convertTo(roi_f, CV_32FC3);
    cv::Mat smooth;
    cv::GaussianBlur(roi_f, smooth, cv::Size(0, 0), 1.0);
    cv::Mat hp = roi_f - smooth;
    cv::Scalar mu, sd;
    cv::meanStdDev(hp.reshape(1), mu, sd);
    cv::Mat noise(layer.size(), CV_32FC3);
    cv::randn(noise, 0.0, std::min(6.0, sd[0]));
    layer += noise;

    cv::Mat alpha;
    cv::GaussianBlur(cover, alpha, cv::Size(0, 0), std::max({0.5, 0.004 * ff.mouth_w, 0.7 * camera_blur_px}));
    for (int y = 0; y < box.height; ++y)
        for (int x = 0; x < box.width; ++x) {
            const float a = alpha.at<float>(y, x);
            cv::Vec3f& o = roi_f.at<cv::Vec3f>(y, x);
            // The inner lip edge is slightly shadowed where it meets the cavity.
            const float rim = a * (1 - a) * 4.0f;
            o = o * (1.0f - 0.25f * rim);
            o = o * (1 - a) + layer.at<cv::Vec3f>(y, x) * a;
        }
    roi_f.convertTo(roi, CV_8UC3);
}


// Piecewise-linear y of a polyline (sorted by x) at x; nullopt outside.
float polyY(const std::vector<cv::Point2f>& pts, float x) {
    for (size_t k = 0; k + 1 < pts.size(); ++k) {
        const float x0 = pts[k].x, x1 = pts[k + 1].x;
        if ((x >= x0 && x <= x1) || (x >= x1 && x <= x0)) {
            const float a = std::abs(x1 - x0) < 1e-4f ? 0.0f : (x - x0) / (x1 - x0);
            return pts[k].y + a * (pts[k + 1].y - pts[k].y);
        }
    }
    return pts.front().y;
}

// Lowers the upper eyelids: the lid skin between the brow area and the lid is
// stretched down to the closing line; the eye below that line stays as it was
// (the lid covers it). Continuous at the eye corners, where the lids meet.
void closeEyes(cv::Mat& frame, const Landmarks68& lm, float blink) {
    if (blink <= 0.01f) return;
    const int eyes[2][6] = {{36, 37, 38, 39, 40, 41}, {42, 43, 44, 45, 46, 47}};
    for (const auto& e : eyes) {
        std::vector<cv::Point2f> upper = {lm[size_t(e[0])], lm[size_t(e[1])], lm[size_t(e[2])], lm[size_t(e[3])]};
        std::vector<cv::Point2f> lower = {lm[size_t(e[0])], lm[size_t(e[5])], lm[size_t(e[4])], lm[size_t(e[3])]};
        const float x0 = std::min(upper.front().x, upper.back().x), x1 = std::max(upper.front().x, upper.back().x);
        const float ew = std::max(2.0f, x1 - x0);
        const float reach = 0.55f * ew;  // lid skin that gets stretched, above the lid
        const int bx0 = std::max(0, int(std::floor(x0))), bx1 = std::min(frame.cols - 1, int(std::ceil(x1)));
        float ymin = 1e9f, ymax = -1e9f;
        for (auto& p : upper) ymin = std::min(ymin, p.y);
        for (auto& p : lower) ymax = std::max(ymax, p.y);
        const int by0 = std::max(0, int(std::floor(ymin - reach)) - 1), by1 = std::min(frame.rows - 1, int(std::ceil(ymax)) + 1);
        if (bx1 <= bx0 || by1 <= by0) continue;
        cv::Mat src = frame.clone();
        for (int x = bx0; x <= bx1; ++x) {
            const float u = polyY(upper, float(x)), l = polyY(lower, float(x));
            const float c = u + std::clamp(blink, 0.0f, 1.0f) * 0.92f * std::max(0.0f, l - u);
            const float top = u - reach;
            for (int y = by0; y <= by1; ++y) {
                const float fy = float(y);
                if (fy < top || fy > c) continue;
                const float sy = top + (fy - top) * (u - top) / std::max(0.5f, c - top);
                const int y0 = std::clamp(int(std::floor(sy)), 0, frame.rows - 2);
                const float a = sy - float(y0);
                cv::Vec3f v = cv::Vec3f(src.at<cv::Vec3b>(y0, x)) * (1 - a) + cv::Vec3f(src.at<cv::Vec3b>(y0 + 1, x)) * a;
                // Lash line: a soft dark edge along the closing lid.
                const float d = c - fy;
                if (d < 2.0f) v *= 1.0f - 0.35f * blink * (1.0f - d / 2.0f);
                frame.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(v[0]), cv::saturate_cast<uchar>(v[1]),
                                                      cv::saturate_cast<uchar>(v[2]));
            }
        }
    }
}

}  // namespace

float measuredOpening(const Landmarks68& lm) {
    const FaceFrame f = faceFrame(lm);
    const float gap = (dot(lm[66] - lm[62], f.down) + dot(lm[67] - lm[61], f.down) + dot(lm[65] - lm[63], f.down)) / 3.0f;
    return std::max(0.0f, gap) / f.interocular;
}

Landmarks68 targetLandmarks(const Landmarks68& src, const FrameControls& ctl) {
    const FaceFrame f = faceFrame(src);
    const MouthParams& m = ctl.mouth;
    const float W = f.mouth_w;
    Landmarks68 t = src;

    const float g0 = std::max(0.0f, dot(meanOf(src, {65, 66, 67}) - meanOf(src, {61, 62, 63}), f.down));
    const float gap = std::clamp(m.opening, 0.0f, 1.2f) * 0.5f * W;
    const float dl = 0.8f * (gap - g0);  // lower lip moves with the jaw
    const float du = 0.2f * (gap - g0);  // upper lip lifts a little
    const float protrude = 0.06f * std::clamp(m.rounding, 0.0f, 1.0f) * W;

    // Jaw: the chin follows the lower lip; the effect fades toward the ears.
    const float jaw_w[17] = {0, 0, 0, 0.05f, 0.2f, 0.45f, 0.7f, 0.9f, 1.0f, 0.9f, 0.7f, 0.45f, 0.2f, 0.05f, 0, 0, 0};
    for (int i = 0; i < 17; ++i) t[size_t(i)] += f.down * (0.85f * dl * jaw_w[i]);

    struct Move {
        int idx;
        float lower, upper, corner;
    };
    const Move moves[] = {
        {48, 0, 0, 1}, {54, 0, 0, 1}, {60, 0, 0, 1}, {64, 0, 0, 1},
        {49, 0, 0.6f, 0}, {50, 0, 1, 0}, {51, 0, 1, 0}, {52, 0, 1, 0}, {53, 0, 0.6f, 0},
        {61, 0, 1, 0}, {62, 0, 1, 0}, {63, 0, 1, 0},
        {55, 0.6f, 0, 0}, {56, 0.95f, 0, 0}, {57, 1, 0, 0}, {58, 0.95f, 0, 0}, {59, 0.6f, 0, 0},
        {65, 1, 0, 0}, {66, 1, 0, 0}, {67, 1, 0, 0},
    };
    const cv::Point2f centre = (src[48] + src[54]) * 0.5f;
    // Corners: spread or pull in; opening wide narrows the mouth a little.
    const float corner_out = (0.10f * m.width - 0.04f * m.rounding - 0.05f * m.opening) * W;
    for (const Move& mv : moves) {
        cv::Point2f& p = t[size_t(mv.idx)];
        const bool outer = mv.idx < 60;
        p += f.down * (dl * mv.lower - du * mv.upper);
        if (outer) p += f.down * (protrude * mv.lower - protrude * mv.upper);
        // Corners drop a little with the jaw and lift a little when spreading.
        p += f.down * mv.corner * (0.3f * dl - 0.03f * m.width * W);
        // Horizontal scaling about the mouth centre.
        const float u = dot(src[size_t(mv.idx)] - centre, f.right) / (0.5f * W);
        p += f.right * (corner_out * u);
        if (!outer && mv.corner > 0) p -= f.right * (0.12f * m.rounding * W * (u > 0 ? 1.0f : -1.0f));
    }

    // Blink: upper lids come down to the lower lids; lower lids rise slightly.
    const float b = std::clamp(ctl.blink, 0.0f, 1.0f);
    if (b > 0) {
        const int pairs[4][2] = {{37, 41}, {38, 40}, {43, 47}, {44, 46}};
        for (auto& pr : pairs) {
            const cv::Point2f up = src[size_t(pr[0])], lo = src[size_t(pr[1])];
            t[size_t(pr[0])] = up + (lo - up) * (0.85f * b);
            t[size_t(pr[1])] = lo + (up - lo) * (0.1f * b);
        }
    }
    return t;
}

cv::Mat renderFrame(const cv::Mat& rgb, const Landmarks68& lm, const FrameControls& ctl, Landmarks68* out_landmarks) {
    if (rgb.empty() || rgb.type() != CV_8UC3) fail(ErrorKind::BadInput, "renderFrame needs an 8-bit RGB image");
    const FaceFrame f = faceFrame(lm);
    const Landmarks68 tgt = targetLandmarks(lm, ctl);

    // Region the warp may touch: the face box grown downward for the jaw.
    cv::Rect2f fb = cv::boundingRect(std::vector<cv::Point2f>(lm.begin(), lm.end()));
    const float grow = 0.35f * std::max(fb.width, fb.height);
    cv::Rect roi(int(fb.x - grow), int(fb.y - grow * 0.5f), int(fb.width + 2 * grow), int(fb.height + 2 * grow));
    roi &= cv::Rect(0, 0, rgb.cols, rgb.rows);

    // Control points: target landmark -> source landmark (backward map), ROI border fixed.
    std::vector<cv::Point2f> from, to;
    const float tgt_gap = dot(meanOf(tgt, {65, 66, 67}) - meanOf(tgt, {61, 62, 63}), f.down);
    for (int i = 0; i < 68; ++i) {
        // Coincident inner-lip targets with different sources would make the spline singular.
        if (i >= 60 && tgt_gap < 2.0f) continue;
        // Eyelids are handled by closeEyes(); the spline keeps the eyes fixed.
        if (i >= 36 && i <= 47) {
            from.push_back(lm[size_t(i)]);
            to.push_back(lm[size_t(i)]);
            continue;
        }
        if (i >= 17 && i <= 35) {
            // brows/nose are fixed; keep a few as anchors
            if (i % 2 == 0) continue;
        }
        from.push_back(tgt[size_t(i)]);
        to.push_back(lm[size_t(i)]);
    }
    fixBorder(roi, from, to);
    const WarpGrid grid(Tps(from, to, std::max(8.0f, f.interocular)), roi);

    const cv::Point2f centre = meanOf(lm, {27, 30, 33, 8});
    cv::Mat mapx(rgb.size(), CV_32F), mapy(rgb.size(), CV_32F);
    for (int y = 0; y < rgb.rows; ++y) {
        float* mx = mapx.ptr<float>(y);
        float* my = mapy.ptr<float>(y);
        for (int x = 0; x < rgb.cols; ++x) {
            const cv::Point2f q = grid.map(invertPose({float(x), float(y)}, centre, ctl.pose));
            mx[x] = q.x;
            my[x] = q.y;
        }
    }
    cv::Mat out;
    cv::remap(rgb, out, mapx, mapy, cv::INTER_LINEAR, cv::BORDER_REFLECT101);

    Landmarks68 posed;
    for (size_t i = 0; i < 68; ++i) posed[i] = applyPose(tgt[i], centre, ctl.pose);
    std::vector<cv::Point2f> inner(posed.begin() + 60, posed.begin() + 68);
    std::vector<cv::Point2f> outer(posed.begin() + 48, posed.begin() + 60);
    renderInterior(out, inner, outer, f, tgt_gap * ctl.pose.scale, ctl.mouth);
    Landmarks68 posed_src;
    for (size_t i = 0; i < 68; ++i) posed_src[i] = applyPose(lm[i], centre, ctl.pose);
    closeEyes(out, posed_src, ctl.blink);
    if (out_landmarks) *out_landmarks = posed;
    return out;
}

void renderMouthInterior(cv::Mat& frame, const Landmarks68& lm, float camera_blur_px, const InteriorStyle& style) {
    if (frame.empty() || frame.type() != CV_8UC3) fail(ErrorKind::BadInput, "renderMouthInterior needs an 8-bit RGB image");
    const FaceFrame f = faceFrame(lm);
    const float gap = dot(meanOf(lm, {65, 66, 67}) - meanOf(lm, {61, 62, 63}), f.down);
    MouthParams mouth;
    mouth.opening = std::clamp(gap / (0.5f * f.mouth_w), 0.0f, 1.2f);  // targetLandmarks()'s gap, inverted
    std::vector<cv::Point2f> inner(lm.begin() + 60, lm.begin() + 68);
    std::vector<cv::Point2f> outer(lm.begin() + 48, lm.begin() + 60);
    renderInterior(frame, inner, outer, f, gap, mouth, camera_blur_px, style);
}

cv::Mat warpFaceTo(const cv::Mat& rgb, const Landmarks68& lm, const Landmarks68& tgt, const cv::Rect& roi_in) {
    if (rgb.empty() || rgb.type() != CV_8UC3) fail(ErrorKind::BadInput, "warpFaceTo needs an 8-bit RGB image");
    const cv::Rect roi = roi_in & cv::Rect(0, 0, rgb.cols, rgb.rows);
    if (roi.width < 2 || roi.height < 2) return {};
    const FaceFrame f = faceFrame(lm);
    std::vector<cv::Point2f> from, to;
    // Targets closer than this to an earlier one are left out: two coincident targets with
    // different sources (a closed inner lip) would make the spline singular.
    const float min_sep = std::max(1.0f, 0.02f * f.mouth_w);
    for (int i = 0; i < 68; ++i) {
        const cv::Point2f t = tgt[size_t(i)];
        bool near = false;
        for (const cv::Point2f& q : from) near = near || len(q - t) < min_sep;
        if (near || !roi.contains(cv::Point(cvRound(t.x), cvRound(t.y)))) continue;
        from.push_back(t);
        to.push_back(lm[size_t(i)]);
    }
    fixBorder(roi, from, to);
    const WarpGrid grid(Tps(from, to, std::max(8.0f, f.interocular)), roi);
    cv::Mat mapx(roi.size(), CV_32F), mapy(roi.size(), CV_32F);
    for (int y = 0; y < roi.height; ++y) {
        float* mx = mapx.ptr<float>(y);
        float* my = mapy.ptr<float>(y);
        for (int x = 0; x < roi.width; ++x) {
            const cv::Point2f q = grid.map({float(roi.x + x), float(roi.y + y)});
            mx[x] = q.x;
            my[x] = q.y;
        }
    }
    // Bicubic: a bilinear fetch at half-pixel offsets would low-pass the skin, hair and lip
    // texture the warp exists to keep.
    cv::Mat out;
    cv::remap(rgb, out, mapx, mapy, cv::INTER_CUBIC, cv::BORDER_REFLECT101);
    return out;
}

}  // namespace redub::core::synth
