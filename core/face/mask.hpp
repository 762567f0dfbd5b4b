// Masks in crop space: which crop pixels the model repaints, and the soft
// version the compositor blends through.
#pragma once

#include "core/face/crop.hpp"

#include <vector>

namespace redub::core {

enum class MaskShape {
    LowerHalf,  // rows from the middle down (Wav2Lip / Diff2Lip training masks)
    Landmarks,  // the region below the nose covering lips, cheeks next to them and the jaw, with room for an opening
                // mouth
};

// CV_32F crop.size x crop.size, 1 = repaint, 0 = keep (hard edges: what the
// model is trained with). Throws Error{BadInput} for an empty crop.
cv::Mat makeMask(const FaceDetection& face, const Crop& crop, MaskShape shape);

// The part of the model's region that is pasted back into the frame: the model mask
// limited to the face below the nose (the Landmarks region: jaw line pushed out, with room
// for an opening mouth). The model repaints a whole lower half, background and collar
// included; pasting only the face keeps those pixels the source's own instead of a blurred
// low-resolution guess (with the 48-px bundled model they came out as a pale halo).
cv::Mat pasteMask(const FaceDetection& face, const Crop& crop, MaskShape model_shape);

// Where compositing may put back the source's fine detail although the generated content
// differs (CompositeParams::texture): 1 on the skin, falling to 0 over an ellipse around
// the mouth (lips, teeth and where an opening lower lip goes), CV_32F crop size. Keeps
// stubble, pores and freckles of the 48-px generated lower face the person's own.
cv::Mat textureMask(const FaceDetection& face, const Crop& crop);

// The blend weight for a hard mask: 0 wherever the hard mask is 0 and on the
// crop's border (so nothing outside the mask or the crop changes), rising to 1
// over `feather_px` crop pixels inside the mask's edge. feather_px 0 returns
// the hard mask unchanged.
cv::Mat featherMask(const cv::Mat& hard_mask, int feather_px);

// The outline of where a composite through `hard_mask` changes the frame most
// (featherMask(hard_mask, feather_px) >= 0.5) as closed polygons in frame pixels:
// what the editor draws over a frame before anything is generated.
std::vector<std::vector<cv::Point2f>> maskOutline(const cv::Mat& hard_mask, const Crop& crop, int feather_px);

}  // namespace redub::core
