// Geometric augmentation of training batches (torch; used by the trainer and its tests).
//
// One random similarity transform (scale, rotation, shift) per batch item, applied
// alike to every image of the item (target, identity, motion frames) and to its
// mask and loss weight: the crops of a new face sit a little differently in the
// 48-px box (face shape, landmark error), and the two training identities alone do
// not show that.
//
//   Tensor theta = randomSimilarity(B, {0.08, 5, 0.05}, rng);
//   x0 = warpItems(x0, theta, false);  mask = warpItems(mask, theta, true);
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

}  // namespace redub::models
