// Noise schedules and the DDIM / DDPM sampling loop as plain math (torch-free), so
// they are testable without a network. runSampler is the reference: Generator::sample runs
// the same float32 operations in the same order on tensors that stay on the model's device,
// and test_models_sampling requires the two to agree bit for bit on the CPU.
#pragma once

#include "models/generator.hpp"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::models {

// Cumulative products of (1 - beta) over T training steps, in float64.
struct Schedule {
    std::vector<double> betas;           // [T]
    std::vector<double> alphas_cumprod;  // [T]
    int steps() const { return static_cast<int>(betas.size()); }
    // beta = linspace(1e-4 * 1000/T, 0.02 * 1000/T, T) (Ho et al., scaled as guided-diffusion).
    static Schedule linear(int T);
    // Nichol & Dhariwal: abar(t) = cos^2(((t/T + 0.008)/1.008) * pi/2), beta clipped at 0.999.
    static Schedule cosine(int T);
    static Schedule named(const std::string& name, int T);  // "linear" | "cosine"
};

// The respaced timesteps used by a sampler of `steps` steps, ascending.
// Leading: floor(i*T/steps), i = 0..steps-1 (Diff2Lip/guided-diffusion "ddimN": T=1000,
// N=25 -> 0, 40, ..., 960). Trailing: T-1 - floor(i*T/steps) reversed (N=10 -> 99, 199, ...,
// 999): the first step is at the noise level of the pure noise it starts from (with leading
// spacing a cosine model starts at abar(900) = 0.024 and its samples drift to grey).
enum class Spacing { Leading, Trailing };
std::vector<int> respace(int T, int steps, Spacing spacing = Spacing::Leading);
Spacing parseSpacing(const std::string& name);  // "leading" | "trailing"

// Predicts eps (first 3 channels used) for x_t [B,3,S,S] at model timestep t into eps [B,3,S,S].
using EpsFn = std::function<void(const std::vector<float>& x_t, int t, std::vector<float>& eps)>;
// Fills `out` with standard normal noise (DDPM / eta > 0 steps).
using NoiseFn = std::function<void(std::vector<float>& out)>;

struct SampleRequest {
    int batch = 0, size = 0;
    const std::vector<float>* source = nullptr;  // [B,3,S,S] known pixels
    const std::vector<float>* mask = nullptr;    // [B,1,S,S] 1 = generate
    const std::vector<float>* noise = nullptr;   // [B,3,S,S] initial x_T
};

// Runs the sampler: x = noise; for t in respaced steps descending: eps = f(x, t);
// x0 = (x - sqrt(1-abar) eps)/sqrt(abar) (clamped, eps re-derived); x <- DDIM/DDPM update;
// known region reset to source after every step. Returns the final x with the known region
// copied bit-exactly from `source`. Calls on_step after each step (cancel -> Error{Cancelled}).
std::vector<float> runSampler(const Schedule& schedule, const SamplerParams& params, int steps,
                              const SampleRequest& req, const EpsFn& eps_fn, const NoiseFn& noise_fn,
                              const StepFn& on_step, std::stop_token stop);

}  // namespace redub::models
