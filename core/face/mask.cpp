#include "core/face/mask.hpp"

#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace redub::core {

cv::Mat makeMask(const FaceDetection& face, const Crop& crop, MaskShape shape) {
    if (crop.size < 1) fail(ErrorKind::BadInput, "face mask: crop size is 0 (use computeCrop)");
    const int n = crop.size;
    cv::Mat m8 = cv::Mat::zeros(n, n, CV_8U);
    if (shape == MaskShape::LowerHalf) {
        m8.rowRange(n / 2, n).setTo(255);
    } else {
        const auto& lm = face.landmarks;
        cv::Point2f mouth(0, 0);
        for (int i = 48; i < 68; ++i) mouth += crop.apply(lm[size_t(i)]);
        mouth *= 1.f / 20.f;
        // Jaw 2..14 pushed out from the mouth centre (cheeks move when talking) and
        // down (an opening mouth drops the chin), then the nose base 35..31.
        const float drop = 0.05f * float(n);
        std::vector<cv::Point> poly;
        for (int i = 2; i <= 14; ++i) {
            const cv::Point2f p = crop.apply(lm[size_t(i)]);
            cv::Point2f q = mouth + 1.12f * (p - mouth);
            const float below = std::clamp((q.y - mouth.y) / std::max(1.f, float(n) * 0.2f), 0.f, 1.f);
            q.y += drop * below;
            poly.emplace_back(int(std::lround(q.x)), int(std::lround(q.y)));
        }
        for (int i = 35; i >= 31; --i) {
            const cv::Point2f p = crop.apply(lm[size_t(i)]);
            poly.emplace_back(int(std::lround(p.x)), int(std::lround(p.y)));
        }
        cv::fillPoly(m8, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255), cv::LINE_8);
    }
    cv::Mat m;
    m8.convertTo(m, CV_32F, 1.0 / 255.0);
    return m;
}

cv::Mat pasteMask(const FaceDetection& face, const Crop& crop, MaskShape model_shape) {
    cv::Mat m = makeMask(face, crop, model_shape);
    if (model_shape != MaskShape::Landmarks) cv::min(m, makeMask(face, crop, MaskShape::Landmarks), m);
    return m;
}

cv::Mat textureMask(const FaceDetection& face, const Crop& crop) {
    if (crop.size < 1) fail(ErrorKind::BadInput, "texture mask: crop size is 0 (use computeCrop)");
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (int i = 48; i < 68; ++i) {
        const cv::Point2f q = crop.apply(face.landmarks[size_t(i)]);
        x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
    }
    const cv::Rect2f b(x0, y0, x1 - x0, y1 - y0);
    const float w = std::max(2.f, b.width);
    // The ellipse reaches 0.3 w above the upper lip, 0.55 w below the lower lip (an
    // opening mouth drops it) and 0.4 w beside the corners; 1 outside after a soft edge.
    const cv::Point2f centre(b.x + b.width / 2, (b.y - 0.3f * w + b.y + b.height + 0.55f * w) / 2);
    const cv::Size2f axes(b.width / 2 + 0.4f * w, (b.height + 0.85f * w) / 2);
    cv::Mat m(crop.size, crop.size, CV_32F);
    const float soft = 0.35f;  // fraction of the radius over which it rises 0 -> 1
    for (int y = 0; y < crop.size; ++y) {
        float* row = m.ptr<float>(y);
        for (int x = 0; x < crop.size; ++x) {
            const float dx = (float(x) - centre.x) / axes.width, dy = (float(y) - centre.y) / axes.height;
            const float r = std::sqrt(dx * dx + dy * dy);
            row[x] = std::clamp((r - 1.f) / soft + 1.f, 0.f, 1.f);
        }
    }
    return m;
}

cv::Mat featherMask(const cv::Mat& hard, int feather_px) {
    if (hard.empty() || hard.type() != CV_32F) fail(ErrorKind::BadInput, "face mask: expected a CV_32F mask");
    if (feather_px < 0) fail(ErrorKind::BadInput, "face mask: feather_px must be >= 0");
    if (feather_px == 0) return hard.clone();
    // Shrink by half the feather, then blur over the other half: the soft edge
    // stays strictly inside the hard mask (the outermost mask pixel is already
    // 0), and the crop's border counts as outside.
    const int b = std::max(1, feather_px / 4);  // radius of each of two box passes
    const int r = 2 * b + 1;                    // erosion radius: more than the blur's reach
    cv::Mat bin = hard > 0.5f;
    cv::Mat eroded;
    cv::erode(bin, eroded, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1)),
              cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::Mat w;
    eroded.convertTo(w, CV_32F, 1.0 / 255.0);
    cv::Mat soft;
    cv::blur(w, soft, cv::Size(2 * b + 1, 2 * b + 1), cv::Point(-1, -1), cv::BORDER_CONSTANT);
    cv::blur(soft, soft, cv::Size(2 * b + 1, 2 * b + 1), cv::Point(-1, -1), cv::BORDER_CONSTANT);
    // Box sums in float leave ~1e-7 residue where the true value is 0 or 1.
    cv::threshold(soft, soft, 1e-4, 0, cv::THRESH_TOZERO);
    cv::min(soft, 1.0, soft);
    soft.setTo(0, hard <= 0.5f);
    return soft;
}

std::vector<std::vector<cv::Point2f>> maskOutline(const cv::Mat& hard_mask, const Crop& crop, int feather_px) {
    const cv::Mat weight = featherMask(hard_mask, feather_px);
    cv::Mat bin = weight >= 0.5f;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(bin, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const cv::Matx23d to_frame = crop.toFrame();
    std::vector<std::vector<cv::Point2f>> out;
    for (const auto& c : contours) {
        if (c.size() < 3) continue;
        std::vector<cv::Point2f> poly;
        poly.reserve(c.size());
        for (const cv::Point& q : c)
            poly.emplace_back(float(to_frame(0, 0) * q.x + to_frame(0, 1) * q.y + to_frame(0, 2)),
                              float(to_frame(1, 0) * q.x + to_frame(1, 1) * q.y + to_frame(1, 2)));
        out.push_back(std::move(poly));
    }
    return out;
}

}  // namespace redub::core
