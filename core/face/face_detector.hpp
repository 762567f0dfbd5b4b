// Face detection and 68-point landmarks (dlib HOG frontal detector + dlib's
// shape predictor), behind a pimpl so dlib stays out of every other TU.
//
//   core::FaceDetector det;                       // loads the landmark model (~0.7 s) once
//   for (auto& f : det.detect(rgb)) use(f.box, f.landmarks, f.confidence);
//
// Landmark indices follow iBUG 300-W / dlib: 0-16 jaw (8 = chin), 17-26 brows,
// 27-35 nose (30 = tip, 33 = base), 36-41 and 42-47 eyes, 48-67 mouth.
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <filesystem>
#include <memory>
#include <vector>

namespace redub::core {

// One face in full-frame pixel coordinates.
struct FaceDetection {
    cv::Rect2f box;                         // dlib-convention face box (brows to chin)
    std::array<cv::Point2f, 68> landmarks;  // iBUG 68-point layout
    float confidence = 0;                   // HOG detector score (> 0: detected at dlib's default threshold)
};

struct DetectorParams {
    int max_side = 480;        // the frame is downscaled so its longer side is at most this for HOG (0 = never)
    int upsample = 0;          // extra 2x pyramid-up steps for small faces (each ~4x slower)
    float min_confidence = 0;  // HOG score threshold; negative finds more (and more false) faces
    int refits = 1;            // landmark refits in the box implied by the previous fit (steadier points, ~3 ms each)
    static DetectorParams defaults() { return {}; }
};

// Thread-compatible: one instance per thread (the model is loaded per instance).
class FaceDetector {
public:
    // Throws Error{BadInput} naming the file when the landmark model is missing
    // or not a dlib shape predictor. Empty path = core::landmarkModelPath().
    explicit FaceDetector(const DetectorParams& params = DetectorParams::defaults(),
                          std::filesystem::path landmark_model = {});
    ~FaceDetector();
    FaceDetector(FaceDetector&&) noexcept;
    FaceDetector& operator=(FaceDetector&&) noexcept;

    // Every face in an RGB (CV_8UC3) frame, full-frame coordinates, sorted by
    // decreasing box area; `box` is the HOG detector's own box. Throws
    // Error{BadInput} for an empty or non-8UC3 image.
    std::vector<FaceDetection> detect(const cv::Mat& rgb);

    // 68 landmarks for a known face box (tracking). Refitted in the box the
    // points imply (at least once), so a box a few pixels off still converges;
    // the returned box is boxFromLandmarks() of the result, confidence 0.
    FaceDetection landmarksIn(const cv::Mat& rgb, const cv::Rect2f& box);

    // The HOG detector run on a region only (tracking check): faces whose box
    // centre lies inside `region`, found with a threshold lowered by `slack`,
    // sorted by decreasing confidence. The region is rescaled so a face of
    // `expected_face_px` fills ~100 px, so this costs a few ms at any frame size.
    std::vector<FaceDetection> detectNear(const cv::Mat& rgb, const cv::Rect2f& region, float expected_face_px,
                                          float slack = 0.5f);

    const DetectorParams& params() const;
    const std::filesystem::path& modelPath() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The dlib-convention box implied by a set of landmarks (used by tracking to
// turn a landmark fit back into a detector box). Fixed ratios measured on
// dlib's own detections of frontal faces.
cv::Rect2f boxFromLandmarks(const std::array<cv::Point2f, 68>& landmarks);

}  // namespace redub::core
