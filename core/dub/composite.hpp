// Putting a generated face crop back into the frame without a seam.
#pragma once

#include "core/face/crop.hpp"

namespace redub::core {

struct CompositeParams {
    int feather_px = 8;         // width of the soft edge inside the mask, in crop pixels
    bool colour_match = false;  // shift the generated colours so its skin matches the source's (see colourOffset)
    // Where the generated crop equals the (resampled) source, put back the source's own
    // detail that the crop's resolution lost; fades out where the content differs by
    // more than detail_tolerance levels, so a changed mouth never shows the old one.
    bool restore_detail = true;
    float detail_tolerance = 6.f;
    // Optional CV_32F crop-size map in [0, 1] (textureMask()): where the source's fine detail
    // (skin texture the crop's resolution lost) comes back whatever the generated content,
    // i.e. everywhere but around the mouth. Empty: only the tolerance rule above.
    cv::Mat texture;
    // Where the generated content moved (the mouth opened or closed, the jaw followed it), the
    // source's detail moves with it instead of being lost: a dense optical flow maps each
    // output pixel to where the same content sits in the source (both seen at the crop's
    // resolution), and the source's detail from there comes back wherever the two agree
    // within motion_tolerance levels of luma. The shape stays the generated one (the flow
    // only carries texture: lip edges, lip lines, skin); what has no counterpart in the
    // source (an open mouth's interior over a closed source mouth) stays as generated.
    bool detail_follows_motion = true;
    float motion_tolerance = 12.f;
    // Where the content changed and no source detail maps onto it (an opening mouth's lip
    // edges and interior), the detail the crop's resolution lost is predicted from the
    // generated content itself: out += a1 * band1(gen) + a2 * band2(gen), two band-pass
    // layers at the crop pixel's scale, with a1, a2 the least-squares fit of the source's
    // own lost detail (src - its crop round trip) from the same bands of the round trip,
    // over the mask in this frame. The fit is what a deblur of this face at this crop size
    // can recover; on a round trip of the source it is the best two-band estimate of
    // the source. Test edgeRestorationRecoversLostDetail.
    bool restore_edges = true;
    static CompositeParams defaults() { return {}; }
};

// Warps `generated_crop_rgb` (CV_8UC3, crop.size square) back into
// `frame_rgb` (CV_8UC3) and blends it through featherMask(mask). Pixels whose
// blend weight is 0 - everything outside the mask and the crop - are
// bit-identical to the source; with restore_detail, a generated crop equal to
// extractCrop(frame) gives the frame back exactly. Throws Error{BadInput} on
// mismatched sizes/types.
void composite(cv::Mat& frame_rgb, const cv::Mat& generated_crop_rgb, const Crop& crop, const cv::Mat& mask,
               const CompositeParams& params = CompositeParams::defaults());

}  // namespace redub::core
