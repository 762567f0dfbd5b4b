// A plausible 68-point layout (iBUG order) built from simple curves, for
// geometry tests that must not load dlib.
#pragma once

#include "core/face/face_detector.hpp"

#include <cmath>

namespace redub::test {

// Face of half-width `half` px centred at `c`, rotated by `angle_deg` (clockwise on screen).
inline core::FaceDetection syntheticFace(cv::Point2f c, float half, float angle_deg = 0) {
    core::FaceDetection f;
    auto& p = f.landmarks;
    const float pi = 3.14159265f;
    for (int i = 0; i <= 16; ++i) {  // jaw: lower half-ellipse from the left ear to the right
        const float t = pi * float(i) / 16.f;
        p[size_t(i)] = {-std::cos(t), -0.1f + std::sin(t)};
    }
    for (int i = 0; i < 5; ++i) {  // brows
        p[size_t(17 + i)] = {-0.75f + 0.15f * float(i), -0.55f};
        p[size_t(22 + i)] = {0.15f + 0.15f * float(i), -0.55f};
    }
    for (int i = 0; i < 4; ++i) p[size_t(27 + i)] = {0.f, -0.4f + 0.15f * float(i)};   // bridge to tip
    for (int i = 0; i < 5; ++i) p[size_t(31 + i)] = {-0.2f + 0.1f * float(i), 0.15f};  // nose base
    for (int i = 0; i < 6; ++i) {                                                      // eyes
        const float t = 2 * pi * float(i) / 6.f;
        p[size_t(36 + i)] = {-0.4f - 0.15f * std::cos(t), -0.3f - 0.06f * std::sin(t)};
        p[size_t(42 + i)] = {0.4f - 0.15f * std::cos(t), -0.3f - 0.06f * std::sin(t)};
    }
    for (int i = 0; i < 12; ++i) {  // outer lips; 48 and 54 are the corners
        const float t = 2 * pi * float(i) / 12.f;
        p[size_t(48 + i)] = {-0.35f * std::cos(t), 0.45f - 0.12f * std::sin(t)};
    }
    for (int i = 0; i < 8; ++i) {  // inner lips
        const float t = 2 * pi * float(i) / 8.f;
        p[size_t(60 + i)] = {-0.25f * std::cos(t), 0.45f - 0.05f * std::sin(t)};
    }
    const float a = angle_deg * pi / 180.f, ca = std::cos(a), sa = std::sin(a);
    for (auto& q : p) q = c + half * cv::Point2f(ca * q.x - sa * q.y, sa * q.x + ca * q.y);
    f.box = cv::Rect2f(c.x - half, c.y - 0.8f * half, 2 * half, 2 * half);
    f.confidence = 1;
    return f;
}

}  // namespace redub::test
