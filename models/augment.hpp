// Geometric augmentation of training batches. Not a public header (it includes torch):
// include only from models/*.cpp and the models tests.
//
// One random similarity transform (scale, rotation, shift) per batch item, applied
// alike to every image of the item (target, identity, motion frames) and to its loss
// weight: a new face sits a little differently in the 48-px crop (face shape, landmark
// error) while the crop-fixed lower-half mask stays where it is. Pixels that the warp
// fills from outside the crop (edge repeats) are left out of the loss (`coverage`).
//
//   Tensor theta = randomSimilarity(B, {0.08, 5, 0.05}, rng);
//   x0 = warpItems(x0, theta, false);  Tensor valid = coverage(theta, S);
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <random>

namespace redub::models {

struct WarpParams {
    double scale = 0.08;      // zoom 1 +- scale
    double rotate_deg = 5.0;  // rotation +- degrees
    double shift = 0.05;      // translation +- this fraction of the crop side
    bool active() const { return scale > 0 || rotate_deg > 0 || shift > 0; }
};

// [B,2,3] float: the output-to-input maps of torch's affine_grid (normalised coordinates).
torch::Tensor randomSimilarity(int64_t batch, const WarpParams& p, std::mt19937_64& g);

// Resamples x [B,C,S,S] by theta (bilinear, edge pixels repeated outside). With `binary`
// the result is thresholded at 0.5 (masks stay 0/1).
torch::Tensor warpItems(const torch::Tensor& x, const torch::Tensor& theta, bool binary);

// [B,1,S,S]: 1 where every bilinear tap of the warped pixel lies inside the crop, else 0.
torch::Tensor coverage(const torch::Tensor& theta, int64_t size);

}  // namespace redub::models
