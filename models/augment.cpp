#include "models/augment.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace redub::models {

torch::Tensor randomSimilarity(int64_t batch, const WarpParams& p, std::mt19937_64& g) {
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<float> th(size_t(batch) * 6);
    for (int64_t b = 0; b < batch; ++b) {
        const double z = 1 + p.scale * u(g);
        const double a = p.rotate_deg * std::numbers::pi / 180 * u(g);
        // shift is a fraction of the side; normalised coordinates span 2 per side.
        const double tx = 2 * p.shift * u(g), ty = 2 * p.shift * u(g);
        float* t = th.data() + b * 6;
        t[0] = float(std::cos(a) / z), t[1] = float(-std::sin(a) / z), t[2] = float(tx);
        t[3] = float(std::sin(a) / z), t[4] = float(std::cos(a) / z), t[5] = float(ty);
    }
    return torch::from_blob(th.data(), {batch, 2, 3}, torch::kFloat32).clone();
}

torch::Tensor warpItems(const torch::Tensor& x, const torch::Tensor& theta, bool binary) {
    namespace F = torch::nn::functional;
    const torch::Tensor th = theta.to(x.device(), x.scalar_type());
    const torch::Tensor grid = F::affine_grid(th, x.sizes(), /*align_corners=*/false);
    torch::Tensor y = F::grid_sample(
        x, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
    if (binary) y = (y > 0.5).to(x.scalar_type());
    return y;
}

torch::Tensor coverage(const torch::Tensor& theta, int64_t size) {
    namespace F = torch::nn::functional;
    const torch::Tensor ones = torch::ones({theta.size(0), 1, size, size}, theta.options());
    const torch::Tensor grid = F::affine_grid(theta, ones.sizes(), /*align_corners=*/false);
    const torch::Tensor y = F::grid_sample(
        ones, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false));
    return (y > 0.999).to(theta.scalar_type());
}

}  // namespace redub::models
