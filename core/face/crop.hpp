// The face crop the model sees: a 2x3 affine map from full-frame pixels to a
// square crop, chosen by the model config's crop policy.
#pragma once

#include "core/face/face_detector.hpp"

#include <opencv2/core.hpp>

namespace redub::core {

struct CropParams {
    enum class Policy {
        DetectorBox,  // Diff2Lip/Wav2Lip: the (padded) detector box resized to size x size, aspect not kept
        Similarity,   // rotation + uniform scale from eyes and mouth: upright face, steadier across frames
    } policy = Policy::Similarity;
    int size = 128;           // crop side in pixels
    float padding = 0.1f;     // margin added on every side, as a fraction of the face box / face extent
    float pad_bottom = 0.1f;  // DetectorBox only: extra margin below the box (chin), fraction of box height
    static CropParams defaults() { return {}; }
};

struct Crop {
    cv::Matx23d to_crop = cv::Matx23d(1, 0, 0, 0, 1, 0);  // frame pixel -> crop pixel (pixel centres at integers)
    int size = 0;

    cv::Matx23d toFrame() const;                    // the inverse map
    cv::Point2f apply(cv::Point2f frame_px) const;  // frame -> crop
    double scale() const;                           // crop pixels per frame pixel (geometric mean of the axes)
};

// The frame pixels the crop covers, grown by `margin` px and clipped to the frame.
cv::Rect cropFrameBounds(const Crop& crop, int margin, cv::Size frame_size);

// Throws Error{BadInput} for size < 8 or a degenerate face.
Crop computeCrop(const FaceDetection& face, const CropParams& params);

// The crop as CV_8UC3 size x size. Parts outside the frame repeat the edge.
// Strong downscaling is area-filtered first (no aliasing).
cv::Mat extractCrop(const cv::Mat& frame_rgb, const Crop& crop);

}  // namespace redub::core
