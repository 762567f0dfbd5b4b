// Putting a generated face crop back into the frame without a seam.
#pragma once

#include "core/crop.hpp"

namespace redub::core {

struct CompositeParams {
    int feather_px = 8;         // width of the soft edge inside the mask, in crop pixels
    bool colour_match = false;  // shift the generated colours so the skin just outside the mask matches the source
    static CompositeParams defaults() { return {}; }
};

// Warps `generated_crop_rgb` (CV_8UC3, crop.size square) back into
// `frame_rgb` (CV_8UC3) and blends it through featherMask(mask). Pixels whose
// blend weight is 0 - everything outside the mask and the crop - are
// bit-identical to the source. Throws Error{BadInput} on mismatched sizes/types.
void composite(cv::Mat& frame_rgb, const cv::Mat& generated_crop_rgb, const Crop& crop, const cv::Mat& mask,
               const CompositeParams& params = CompositeParams::defaults());

}  // namespace redub::core
