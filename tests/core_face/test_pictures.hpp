// Test pictures and small helpers shared by the face-geometry and compositing tests.
#pragma once

#include "core/face/crop.hpp"
#include "core/face/face_track.hpp"
#include "tests/core_face/synthetic_face.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace redub::test {

// A textured RGB picture (smooth gradients + a few shapes), deterministic.
inline cv::Mat texturedFrame(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar((x * 255) / w), uchar((y * 255) / h), uchar(((x + y) * 3) % 256));
    cv::circle(m, {w / 3, h / 2}, h / 5, cv::Scalar(200, 40, 90), cv::FILLED, cv::LINE_AA);
    cv::rectangle(m, cv::Rect(w / 2, h / 4, w / 5, h / 3), cv::Scalar(30, 180, 60), cv::FILLED);
    return m;
}

// Smooth mid-range content: no saturation when brightened, little resampling loss.
inline cv::Mat smoothFrame(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(120 + 50 * std::sin(x / 9.0)), uchar(120 + 50 * std::cos(y / 11.0)),
                                              uchar(60 + (x + y) / 6));
    return m;
}

inline core::TrackedFace tracked(int id, cv::Point2f c, float half) { return {id, syntheticFace(c, half), true}; }

// Variance of the Laplacian of the luma: the lip-sharpness measure of the sync meter.
inline double lapVar(const cv::Mat& rgb) {
    cv::Mat g, l;
    cv::cvtColor(rgb, g, cv::COLOR_RGB2GRAY);
    cv::Laplacian(g, l, CV_64F);
    cv::Scalar m, sd;
    cv::meanStdDev(l, m, sd);
    return sd[0] * sd[0];
}

inline cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }


// A crop of ~1:1 scale with the 320x240 test frame (the round trip loses little).
inline core::Crop cropAtFrameScale(const core::FaceDetection& f) {
    core::CropParams p;
    p.size = 192;
    return core::computeCrop(f, p);
}

}  // namespace redub::test
