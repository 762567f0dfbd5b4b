#include "core/face/crop.hpp"

#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace redub::core {

namespace {
cv::Point2f mean(const std::array<cv::Point2f, 68>& lm, int from, int to) {  // [from, to]
    cv::Point2f s(0, 0);
    for (int i = from; i <= to; ++i) s += lm[size_t(i)];
    return s * (1.f / float(to - from + 1));
}
float norm(cv::Point2f p) { return std::hypot(p.x, p.y); }
}  // namespace

cv::Matx23d Crop::toFrame() const {
    cv::Matx23d inv;
    cv::invertAffineTransform(to_crop, inv);
    return inv;
}

cv::Point2f Crop::apply(cv::Point2f p) const {
    const auto& m = to_crop;
    return {float(m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2)), float(m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2))};
}

double Crop::scale() const {
    return std::sqrt(std::abs(to_crop(0, 0) * to_crop(1, 1) - to_crop(0, 1) * to_crop(1, 0)));
}

Crop computeCrop(const FaceDetection& face, const CropParams& params) {
    if (params.size < 8) fail(ErrorKind::BadInput, "face crop: size must be at least 8 pixels");
    if (params.padding < 0 || params.pad_bottom < 0) fail(ErrorKind::BadInput, "face crop: padding must be >= 0");
    Crop c;
    c.size = params.size;
    const double n = params.size;
    if (params.policy == CropParams::Policy::DetectorBox) {
        const cv::Rect2f& b = face.box;
        if (!(b.width >= 2 && b.height >= 2)) fail(ErrorKind::BadInput, "face crop: face box is empty");
        // The box is the pixel range [x, x+w) like Diff2Lip's img[y1:y2, x1:x2];
        // mapped the way cv::resize maps pixel centres.
        const double x0 = b.x - params.padding * b.width, x1 = b.x + b.width * (1 + params.padding);
        const double y0 = b.y - params.padding * b.height,
                     y1 = b.y + b.height * (1 + params.padding + params.pad_bottom);
        const double sx = n / (x1 - x0), sy = n / (y1 - y0);
        c.to_crop = cv::Matx23d(sx, 0, (0.5 - x0) * sx - 0.5, 0, sy, (0.5 - y0) * sy - 0.5);
        return c;
    }
    // Similarity: the FFHQ alignment's axis (eye line blended with the
    // perpendicular of the eye-to-mouth vector), centred between eyes and mouth,
    // sized from both distances so a turned or tilted head keeps its size.
    const auto& lm = face.landmarks;
    const cv::Point2f eye_l = mean(lm, 36, 41), eye_r = mean(lm, 42, 47);
    const cv::Point2f eye_avg = 0.5f * (eye_l + eye_r);
    const cv::Point2f e2e = eye_r - eye_l;
    // The mouth must not steer the crop: if it did, an opening mouth would move and
    // scale the crop, and the model would read the old mouth from the unmasked upper
    // half (training showed exactly that leak). The eye-to-mouth vector is estimated
    // from the rigid nose base instead: eye-to-mouth = 1.84 x eye-to-nostrils (mean
    // over the bundled sample's 138 frames, sd 0.045).
    const cv::Point2f e2m = 1.84f * (mean(lm, 31, 35) - eye_avg);
    if (norm(e2e) < 2 || norm(e2m) < 2) fail(ErrorKind::BadInput, "face crop: degenerate landmarks");
    cv::Point2f x = e2e - cv::Point2f(-e2m.y, e2m.x);
    x *= 1.f / norm(x);
    const cv::Point2f y(-x.y, x.x);
    const double extent = std::max(2.4 * norm(e2e), 2.5 * norm(e2m));  // ~ the detector box side
    const double side = extent * (1 + 2 * params.padding);
    const cv::Point2f centre = eye_avg + 0.4f * e2m;
    const double k = n / side;
    const double h = (n - 1) / 2;
    // u = k * [x y]^T (p - centre) + h
    c.to_crop = cv::Matx23d(k * x.x, k * x.y, h - k * (x.x * centre.x + x.y * centre.y),  //
                            k * y.x, k * y.y, h - k * (y.x * centre.x + y.y * centre.y));
    return c;
}

cv::Rect cropFrameBounds(const Crop& crop, int margin, cv::Size frame_size) {
    const cv::Matx23d inv = crop.toFrame();
    std::vector<cv::Point2f> corners;
    for (double u : {-0.5, crop.size - 0.5})
        for (double v : {-0.5, crop.size - 0.5})
            corners.emplace_back(float(inv(0, 0) * u + inv(0, 1) * v + inv(0, 2)),
                                 float(inv(1, 0) * u + inv(1, 1) * v + inv(1, 2)));
    const cv::Rect r = cv::boundingRect(corners);
    return cv::Rect(r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin) &
           cv::Rect(0, 0, frame_size.width, frame_size.height);
}

cv::Mat extractCrop(const cv::Mat& frame, const Crop& crop) {
    if (frame.empty() || frame.type() != CV_8UC3)
        fail(ErrorKind::BadInput, "face crop: the frame must be a non-empty 8-bit RGB image");
    if (crop.size < 1) fail(ErrorKind::BadInput, "face crop: crop size is 0 (use computeCrop)");
    const cv::Size out_size(crop.size, crop.size);
    const cv::Matx23d& m = crop.to_crop;
    // Crop pixels per frame pixel along each frame axis.
    const double fx = std::hypot(m(0, 0), m(1, 0)), fy = std::hypot(m(0, 1), m(1, 1));
    cv::Mat out;
    if (fx >= 0.8 && fy >= 0.8) {
        cv::warpAffine(frame, out, m, out_size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        return out;
    }
    // Area-filter the region first so a large face is not aliased into the crop.
    const cv::Rect roi = cropFrameBounds(crop, 2, frame.size());
    if (roi.width < 2 || roi.height < 2) {
        cv::warpAffine(frame, out, m, out_size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        return out;
    }
    cv::Mat small;
    cv::resize(frame(roi), small,
               cv::Size(std::max(1, int(std::lround(roi.width * std::min(1.0, fx)))),
                        std::max(1, int(std::lround(roi.height * std::min(1.0, fy))))),
               0, 0, cv::INTER_AREA);
    const double dx = double(small.cols) / roi.width, dy = double(small.rows) / roi.height;
    // frame p = D^-1 (q + 0.5) - 0.5 + o   (cv::resize's pixel-centre mapping)
    const double px0 = 0.5 / dx - 0.5 + roi.x, py0 = 0.5 / dy - 0.5 + roi.y;
    const cv::Matx23d mq(m(0, 0) / dx, m(0, 1) / dy, m(0, 0) * px0 + m(0, 1) * py0 + m(0, 2),  //
                         m(1, 0) / dx, m(1, 1) / dy, m(1, 0) * px0 + m(1, 1) * py0 + m(1, 2));
    cv::warpAffine(small, out, mq, out_size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
}

}  // namespace redub::core
