#include "models/sampler.hpp"

#include "redub/error.hpp"
#include "redub/job.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace redub::models {

Schedule Schedule::linear(int T) {
    if (T < 2) fail(ErrorKind::BadInput, "linear schedule needs at least 2 steps");
    Schedule s;
    const double scale = 1000.0 / T;
    const double b0 = scale * 1e-4, b1 = scale * 0.02;
    s.betas.resize(T);
    for (int i = 0; i < T; ++i) s.betas[i] = b0 + (b1 - b0) * static_cast<double>(i) / (T - 1);
    s.betas[T - 1] = b1;  // numpy.linspace ends exactly on the stop value
    s.alphas_cumprod.resize(T);
    double a = 1.0;
    for (int i = 0; i < T; ++i) s.alphas_cumprod[i] = a *= (1.0 - s.betas[i]);
    return s;
}

Schedule Schedule::cosine(int T) {
    if (T < 2) fail(ErrorKind::BadInput, "cosine schedule needs at least 2 steps");
    auto abar = [](double t) {
        const double c = std::cos((t + 0.008) / 1.008 * std::numbers::pi / 2);
        return c * c;
    };
    Schedule s;
    s.betas.resize(T);
    for (int i = 0; i < T; ++i)
        s.betas[i] = std::min(1.0 - abar((i + 1.0) / T) / abar(static_cast<double>(i) / T), 0.999);
    s.alphas_cumprod.resize(T);
    double a = 1.0;
    for (int i = 0; i < T; ++i) s.alphas_cumprod[i] = a *= (1.0 - s.betas[i]);
    return s;
}

Schedule Schedule::named(const std::string& name, int T) {
    if (name == "linear") return linear(T);
    if (name == "cosine") return cosine(T);
    fail(ErrorKind::BadInput, "unknown noise schedule '" + name + "' (use linear or cosine)");
}

std::vector<int> respace(int T, int steps, Spacing spacing) {
    if (steps < 1 || steps > T)
        fail(ErrorKind::BadInput, "sampling steps must be in [1, " + std::to_string(T) + "], got " +
                                      std::to_string(steps));
    std::vector<int> ts(steps);
    for (int i = 0; i < steps; ++i) {
        const int lead = static_cast<int>(static_cast<int64_t>(i) * T / steps);
        if (spacing == Spacing::Leading)
            ts[i] = lead;
        else
            ts[steps - 1 - i] = T - 1 - lead;
    }
    return ts;
}

Spacing parseSpacing(const std::string& name) {
    if (name == "leading") return Spacing::Leading;
    if (name == "trailing") return Spacing::Trailing;
    fail(ErrorKind::BadInput, "unknown timestep spacing '" + name + "' (use leading or trailing)");
}

std::vector<float> runSampler(const Schedule& schedule, const SamplerParams& params, int steps,
                              const SampleRequest& req, const EpsFn& eps_fn, const NoiseFn& noise_fn,
                              const StepFn& on_step, std::stop_token stop) {
    const size_t plane = static_cast<size_t>(req.size) * req.size;
    const size_t n = static_cast<size_t>(req.batch) * 3 * plane;
    if (!req.source || !req.mask || !req.noise || req.source->size() != n || req.noise->size() != n ||
        req.mask->size() != static_cast<size_t>(req.batch) * plane)
        fail(ErrorKind::Internal, "sampler: source/mask/noise sizes do not match the batch");
    if (params.eta < 0 || params.eta > 1) fail(ErrorKind::BadInput, "DDIM eta must be in [0, 1]");
    const std::vector<int> ts = respace(schedule.steps(), steps, params.spacing.empty() ? Spacing::Leading : parseSpacing(params.spacing));
    const auto& src = *req.source;
    const auto& msk = *req.mask;
    auto maskAt = [&](size_t i) { return msk[(i / (3 * plane)) * plane + i % plane]; };

    std::vector<float> x = *req.noise, eps(n), x0(n), noise;
    for (size_t i = 0; i < n; ++i) {  // the known region starts as the source
        const float m = maskAt(i);
        x[i] = m * x[i] + (1.0f - m) * src[i];
    }
    for (int k = steps - 1; k >= 0; --k) {
        throwIfCancelled(stop);
        const int t = ts[k];
        const double ab = schedule.alphas_cumprod[t];
        const double abp = k > 0 ? schedule.alphas_cumprod[ts[k - 1]] : 1.0;
        eps_fn(x, t, eps);
        if (eps.size() != n) fail(ErrorKind::Internal, "sampler: denoiser returned the wrong size");
        // Coefficients in float64, applied in float32 (as guided-diffusion does).
        const float recip = static_cast<float>(std::sqrt(1.0 / ab));
        const float recipm1 = static_cast<float>(std::sqrt(1.0 / ab - 1.0));
        for (size_t i = 0; i < n; ++i) {
            float v = recip * x[i] - recipm1 * eps[i];
            if (params.clip_x0) v = std::clamp(v, -1.0f, 1.0f);
            x0[i] = v;
            eps[i] = (recip * x[i] - v) / recipm1;
        }
        const bool need_noise =
            k > 0 && (params.kind == SamplerParams::Kind::Ddpm || params.eta > 0.0f);
        if (need_noise) {
            noise.assign(n, 0.0f);
            noise_fn(noise);
        }
        if (params.kind == SamplerParams::Kind::Ddim) {
            const float fab = static_cast<float>(ab), fabp = static_cast<float>(abp);
            const float sigma = params.eta * std::sqrt((1 - fabp) / (1 - fab)) * std::sqrt(1 - fab / fabp);
            const float c0 = std::sqrt(fabp), c1 = std::sqrt(std::max(0.0f, 1 - fabp - sigma * sigma));
            for (size_t i = 0; i < n; ++i) {
                float v = x0[i] * c0 + c1 * eps[i];
                if (need_noise) v += sigma * noise[i];
                x[i] = v;
            }
        } else {
            // Posterior q(x_{t'} | x_t, x0) of the respaced chain, fixed "small" variance.
            const double beta = 1.0 - ab / abp;
            const float coef1 = static_cast<float>(beta * std::sqrt(abp) / (1.0 - ab));
            const float coef2 = static_cast<float>((1.0 - abp) * std::sqrt(1.0 - beta) / (1.0 - ab));
            const float sd = static_cast<float>(std::sqrt(beta * (1.0 - abp) / (1.0 - ab)));
            for (size_t i = 0; i < n; ++i) {
                float v = coef1 * x0[i] + coef2 * x[i];
                if (need_noise) v += sd * noise[i];
                x[i] = v;
            }
        }
        for (size_t i = 0; i < n; ++i) {  // inpainting: reset the known region
            const float m = maskAt(i);
            x[i] = m * x[i] + (1.0f - m) * src[i];
            x0[i] = m * x0[i] + (1.0f - m) * src[i];
        }
        if (on_step) {
            StepInfo info;
            info.step = steps - k;
            info.total = steps;
            info.timestep = t;
            info.x0 = x0.data();
            on_step(info);
        }
    }
    throwIfCancelled(stop);
    for (size_t i = 0; i < n; ++i)
        if (maskAt(i) == 0.0f) x[i] = src[i];
    return x;
}

}  // namespace redub::models
