// Generator: loads weights into the LibTorch U-Net, runs the sampler, translates
// c10::Error into redub::Error{Model} at this boundary.
#include "models/generator.hpp"

#include "models/nets.hpp"
#include "models/pt_import.hpp"
#include "models/safetensors.hpp"
#include "models/sampler.hpp"
#include "redub/error.hpp"
#include "redub/job.hpp"
#include "redub/log.hpp"

#include <torch/torch.h>

#include <cstdlib>
#include <sstream>

namespace redub::models {

namespace {

std::string shapeText(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
    return r + "]";
}

torch::Device toDevice(DeviceKind k) {
    return resolveDevice(k) == DeviceKind::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

template <class F>
auto guardTorch(const std::string& what, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        fail(ErrorKind::Model, what + ": LibTorch error: " + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        fail(ErrorKind::Model, what + ": out of memory");
    }
}

// NHWC ("channels_last") convolutions. Debian's LibTorch (oneDNN 2.6) runs a 3x3 conv of 128
// channels at 128x128, batch 2, ~4x faster in NHWC than in NCHW on this project's machines
// (docs/performance.md), so Diff2Lip on the CPU uses it by default. Family A keeps NCHW by
// default so its seeded frames stay bit-identical to earlier releases (NHWC sums in another
// order: relative difference ~1e-7). REDUB_MEMORY_FORMAT=channels_last|contiguous overrides.
bool useChannelsLast(const ModelConfig& c, const torch::Device& device) {
    const char* v = std::getenv("REDUB_MEMORY_FORMAT");
    if (v && std::string(v) == "channels_last") return true;
    if (v && std::string(v) == "contiguous") return false;
    return c.isDiff2Lip() && device.is_cpu();
}

}  // namespace

struct Generator::Impl {
    ModelConfig config;
    std::shared_ptr<nets::DenoiserImpl> net;
    torch::Device device{torch::kCPU};
    Schedule schedule;
    std::string origin;
    double flops = 0;
    int64_t params = 0;

    torch::Tensor tensor(const std::vector<float>& v, std::vector<int64_t> shape) const {
        return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).to(device).clone();
    }

    void check(const FrameBatch& b) const {
        const auto& c = config;
        if (b.batch < 1) fail(ErrorKind::BadInput, origin + ": frame batch is empty");
        if (b.size != c.image_size)
            fail(ErrorKind::BadInput, origin + ": frame size " + std::to_string(b.size) +
                                          " does not match the model's image_size " + std::to_string(c.image_size));
        const size_t img = static_cast<size_t>(b.batch) * 3 * b.size * b.size;
        const size_t plane = static_cast<size_t>(b.batch) * b.size * b.size;
        auto need = [&](const std::vector<float>& v, size_t n, const char* name) {
            if (v.size() != n)
                fail(ErrorKind::BadInput, origin + ": FrameBatch." + name + " has " + std::to_string(v.size()) +
                                              " values, expected " + std::to_string(n));
        };
        need(b.source, img, "source");
        need(b.mask, plane, "mask");
        need(b.identity, img, "identity");
        const size_t motion = c.isDiff2Lip() ? 0 : plane * c.motion_frames * (c.motion_grey ? 1 : 3);
        need(b.motion, motion, "motion");
        need(b.audio, static_cast<size_t>(b.batch) * c.audioWindows() * c.n_mels * c.audio_cols, "audio");
    }

    nets::NetInputs inputs(const FrameBatch& b) const {
        const int64_t B = b.batch, S = b.size;
        const auto& c = config;
        nets::NetInputs in;
        in.source = tensor(b.source, {B, 3, S, S});
        in.mask = tensor(b.mask, {B, 1, S, S});
        in.identity = tensor(b.identity, {B, 3, S, S});
        if (!b.motion.empty())
            in.motion = tensor(b.motion, {B, static_cast<int64_t>(b.motion.size() / (B * S * S)), S, S});
        in.audio = tensor(b.audio, {B, c.audioWindows(), c.n_mels, c.audio_cols});
        return in;
    }

    // One denoiser call on tensors already on the device; returns [B,outC,S,S] there.
    torch::Tensor runNet(nets::NetInputs& in, const torch::Tensor& x, int t) {
        in.x = x;
        in.t = torch::full({x.size(0)}, static_cast<int64_t>(t), torch::TensorOptions().dtype(torch::kLong).device(device));
        return net->forward(in);
    }

    static std::vector<float> toHost(const torch::Tensor& t) {
        torch::Tensor c = t.to(torch::kCPU).contiguous();
        std::vector<float> r(c.numel());
        std::memcpy(r.data(), c.data_ptr<float>(), r.size() * sizeof(float));
        return r;
    }

    std::vector<float> run(nets::NetInputs& in, const std::vector<float>& x, int t, int B) {
        const int64_t S = config.image_size;
        return toHost(runNet(in, tensor(x, {B, 3, S, S}), t));
    }
};

Generator::Generator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Generator::~Generator() = default;

std::unique_ptr<Generator> Generator::fromWeights(const ModelConfig& config, const TensorMap& weights,
                                                  DeviceKind device, int threads, const std::string& origin) {
    setThreads(threads);
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->origin = origin;
    try {
        config.validate();
    } catch (const Error& e) {
        fail(ErrorKind::BadInput, origin + ": " + e.what());
    }
    impl->schedule = Schedule::named(config.schedule, config.diffusion_steps);
    guardTorch(origin, [&] {
        impl->net = nets::build(config);
        // Every key and shape must match; name what does not.
        std::vector<std::string> missing, wrong;
        torch::NoGradGuard ng;
        size_t used = 0;
        for (auto& p : impl->net->named_parameters()) {
            auto it = weights.find(p.key());
            if (it == weights.end()) {
                missing.push_back(p.key());
                continue;
            }
            const auto& t = it->second;
            if (t.shape != p.value().sizes().vec()) {
                wrong.push_back(p.key() + " " + shapeText(t.shape) + " (model expects " +
                                shapeText(p.value().sizes().vec()) + ")");
                continue;
            }
            p.value().copy_(torch::from_blob(const_cast<float*>(t.data.data()), t.shape, torch::kFloat32));
            ++used;
            impl->params += p.value().numel();
        }
        std::vector<std::string> unexpected;
        if (used + wrong.size() < weights.size()) {
            auto names = impl->net->named_parameters();
            for (const auto& [k, v] : weights)
                if (!names.contains(k)) unexpected.push_back(k);
        }
        if (!missing.empty() || !wrong.empty() || !unexpected.empty()) {
            std::ostringstream s;
            s << origin << ": the weights do not fit a " << config.family << " model of this config:";
            auto list = [&](const char* what, const std::vector<std::string>& v) {
                if (v.empty()) return;
                s << " " << v.size() << " " << what << " (";
                for (size_t i = 0; i < v.size() && i < 3; ++i) s << (i ? ", " : "") << v[i];
                s << (v.size() > 3 ? ", ...)" : ")") << ";";
            };
            list("missing", missing);
            list("with the wrong shape", wrong);
            list("unexpected", unexpected);
            fail(ErrorKind::Model, s.str());
        }
        impl->device = toDevice(device);
        if (impl->device.is_cpu()) retainFreedMemory();
        impl->net->to(impl->device);
        impl->net->eval();
        if (useChannelsLast(config, impl->device)) {
            torch::NoGradGuard no_grad;
            for (auto& p : impl->net->parameters())
                if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
        }
        // FLOPs of one forward at batch 1 (counted by the conv/linear/attention wrappers).
        {
            c10::InferenceMode guard;
            FrameBatch b;
            b.batch = 1;
            b.size = config.image_size;
            const size_t plane = static_cast<size_t>(b.size) * b.size;
            b.source.assign(3 * plane, 0.f);
            b.mask.assign(plane, 1.f);
            b.identity.assign(3 * plane, 0.f);
            if (!config.isDiff2Lip()) b.motion.assign(plane * config.motion_frames * (config.motion_grey ? 1 : 3), 0.f);
            b.audio.assign(static_cast<size_t>(config.audioWindows()) * config.n_mels * config.audio_cols, 0.f);
            auto in = impl->inputs(b);
            double flops = 0;
            {
                nets::FlopCount count(&flops);
                impl->run(in, b.source, 0, 1);
            }
            impl->flops = flops;
        }
        return 0;
    });
    log::models()->info("{}: {} model, {:.2f} M parameters, {:.2f} GFLOP per frame per step, on {}", origin,
                        config.family, impl->params / 1e6, impl->flops / 1e9, impl->device.str());
    return std::unique_ptr<Generator>(new Generator(std::move(impl)));
}

std::unique_ptr<Generator> Generator::load(const std::filesystem::path& file, DeviceKind device, int threads) {
    if (!std::filesystem::exists(file)) fail(ErrorKind::BadInput, file, "model file not found");
    const auto ext = file.extension().string();
    if (ext == ".pt" || ext == ".pth") {
        ModelConfig c = ModelConfig::diff2lip();
        return fromWeights(c, readTorchCheckpoint(file), device, threads, file.string());
    }
    SafetensorsFile st = readSafetensors(file);
    auto it = st.metadata.find("redub_config");
    if (it == st.metadata.end())
        fail(ErrorKind::BadInput, file, "no 'redub_config' in the safetensors metadata: not a Redub model "
                                        "(import a Diff2Lip .pt with `redub-cli model import`)");
    ModelConfig c = ModelConfig::fromJsonString(it->second, file.string());
    return fromWeights(c, st.tensors, device, threads, file.string());
}

const ModelConfig& Generator::config() const { return impl_->config; }
int64_t Generator::parameterCount() const { return impl_->params; }
double Generator::flopsPerStep() const { return impl_->flops; }
std::string Generator::deviceName() const { return impl_->device.str(); }

std::vector<float> Generator::forward(const FrameBatch& batch, const std::vector<float>& x_t, int timestep) {
    impl_->check(batch);
    if (x_t.size() != batch.source.size())
        fail(ErrorKind::BadInput, impl_->origin + ": x_t must have the shape of source [B,3,S,S]");
    if (timestep < 0 || timestep >= impl_->config.diffusion_steps)
        fail(ErrorKind::BadInput, impl_->origin + ": timestep out of range");
    return guardTorch(impl_->origin, [&] {
        c10::InferenceMode guard;
        auto in = impl_->inputs(batch);
        return impl_->run(in, x_t, timestep, batch.batch);
    });
}

namespace {
bool guidedBy(const ModelConfig& c, const SamplerParams& params) {
    return params.audio_guidance != 1.0f && !c.isDiff2Lip();
}
// With audio guidance each step runs the denoiser twice; its default is half the model's
// steps, so a dub costs what it did without guidance (measured: 5 guided steps follow the
// speech as well as 10, bench/lipsync-real.sh in the model card).
int stepsFor(const ModelConfig& c, const SamplerParams& params) {
    if (params.steps > 0) return params.steps;
    return guidedBy(c, params) ? std::max(1, c.default_sampling_steps / 2) : c.default_sampling_steps;
}
}  // namespace

int Generator::callsPerFrame(const SamplerParams& params) const {
    return stepsFor(impl_->config, params) * (guidedBy(impl_->config, params) ? 2 : 1);
}

std::vector<float> Generator::sample(const FrameBatch& batch, const SamplerParams& params, const StepFn& on_step,
                                     std::stop_token stop) {
    impl_->check(batch);
    const auto& c = impl_->config;
    const int steps = stepsFor(c, params);
    if (!(params.audio_guidance >= 0 && params.audio_guidance <= 20))
        fail(ErrorKind::BadInput, impl_->origin + ": audio guidance must be in [0, 20]");
    if (params.eta < 0 || params.eta > 1) fail(ErrorKind::BadInput, "DDIM eta must be in [0, 1]");
    const std::string spacing = params.spacing.empty() ? c.timestep_spacing : params.spacing;
    const std::vector<int> ts =
        respace(impl_->schedule.steps(), steps, spacing.empty() ? Spacing::Leading : parseSpacing(spacing));
    return guardTorch(impl_->origin, [&] {
        // The loop of runSampler (sampler.cpp, the torch-free reference) on tensors that stay
        // on the model's device from the first step to the last: the same float32 operations in
        // the same order, so on the CPU the result is bit-identical to runSampler fed by
        // forward() (test_models_engine: deviceLoopEqualsTheReferenceSamplerBitExactly). Only
        // a StepFn's x0 preview and the per-step noise of DDPM / eta > 0 (drawn from the CPU
        // generator, so a seed gives the same frames on every device) cross to/from the host.
        c10::InferenceMode guard;
        Impl& im = *impl_;
        const int64_t B = batch.batch, S = batch.size;
        const auto cpu = torch::TensorOptions().dtype(torch::kFloat32);
        // One seed -> one [1,3,S,S] noise (torch's CPU generator: same numbers as Python's
        // torch.manual_seed(seed); torch.randn(1,3,S,S)), shared by every item.
        auto gen = at::detail::createCPUGenerator(params.seed);
        torch::Tensor noise = torch::randn({1, 3, S, S}, gen, cpu).to(im.device).expand({B, 3, S, S});
        nets::NetInputs in = im.inputs(batch);
        const torch::Tensor src = in.source, m = in.mask;
        const torch::Tensor known = (1 - m) * src;  // (1-M)*source: the same product every step
        if (c.isDiff2Lip()) in.source = known + m * noise;  // cond = source (known) + shared noise (masked)
        const bool guided = guidedBy(c, params);
        if (guided) {  // the same items again, hearing silence: one forward of 2B
            auto twice = [](const torch::Tensor& v) { return v.defined() ? torch::cat({v, v}) : v; };
            in.source = twice(in.source);
            in.mask = twice(in.mask);
            in.identity = twice(in.identity);
            if (in.motion.defined()) in.motion = twice(in.motion);
            in.audio = torch::cat({in.audio, torch::full_like(in.audio, kSilentMel)});
        }
        // The audio path does not depend on x or t: once per call, not once per step.
        in.audio_cond = im.net->audioCondition(in.audio);
        const float g = params.audio_guidance;

        torch::Tensor x = m * noise + known;  // the known region starts as the source
        for (int k = steps - 1; k >= 0; --k) {
            throwIfCancelled(stop);
            const int t = ts[k];
            const double ab = im.schedule.alphas_cumprod[t];
            const double abp = k > 0 ? im.schedule.alphas_cumprod[ts[k - 1]] : 1.0;
            torch::Tensor out = im.runNet(in, guided ? torch::cat({x, x}) : x, t);
            torch::Tensor eps = out.narrow(0, 0, B).narrow(1, 0, 3);  // first 3 channels: eps
            if (guided) {
                torch::Tensor e0 = out.narrow(0, B, B).narrow(1, 0, 3);
                eps = e0 + (eps - e0) * g;
            }
            // Coefficients in float64, applied in float32 (as guided-diffusion does).
            const float recip = static_cast<float>(std::sqrt(1.0 / ab));
            const float recipm1 = static_cast<float>(std::sqrt(1.0 / ab - 1.0));
            torch::Tensor rx = x * recip;
            torch::Tensor x0 = rx - eps * recipm1;
            if (params.clip_x0) x0 = x0.clamp(-1.0, 1.0);
            eps = (rx - x0) / recipm1;
            const bool need_noise = k > 0 && (params.kind == SamplerParams::Kind::Ddpm || params.eta > 0.0f);
            torch::Tensor z;
            if (need_noise) z = torch::randn({B, 3, S, S}, gen, cpu).to(im.device);
            if (params.kind == SamplerParams::Kind::Ddim) {
                const float fab = static_cast<float>(ab), fabp = static_cast<float>(abp);
                const float sigma = params.eta * std::sqrt((1 - fabp) / (1 - fab)) * std::sqrt(1 - fab / fabp);
                const float c0 = std::sqrt(fabp), c1 = std::sqrt(std::max(0.0f, 1 - fabp - sigma * sigma));
                x = x0 * c0 + eps * c1;
                if (need_noise) x = x + z * sigma;
            } else {
                // Posterior q(x_{t'} | x_t, x0) of the respaced chain, fixed "small" variance.
                const double beta = 1.0 - ab / abp;
                const float coef1 = static_cast<float>(beta * std::sqrt(abp) / (1.0 - ab));
                const float coef2 = static_cast<float>((1.0 - abp) * std::sqrt(1.0 - beta) / (1.0 - ab));
                const float sd = static_cast<float>(std::sqrt(beta * (1.0 - abp) / (1.0 - ab)));
                x = x0 * coef1 + x * coef2;
                if (need_noise) x = x + z * sd;
            }
            x = m * x + known;  // inpainting: reset the known region
            if (on_step) {      // the preview is the only per-step copy to the host
                const std::vector<float> preview = Impl::toHost(m * x0 + known);
                StepInfo info;
                info.step = steps - k;
                info.total = steps;
                info.timestep = t;
                info.x0 = preview.data();
                on_step(info);
            }
        }
        throwIfCancelled(stop);
        return Impl::toHost(torch::where(m == 0, src, x));
    });
}

TensorMap Generator::runStep(const TensorMap& inputs) {
    const auto& c = impl_->config;
    auto get = [&](const char* name, bool required) -> const NamedTensor* {
        auto it = inputs.find(name);
        if (it == inputs.end()) {
            if (required) fail(ErrorKind::BadInput, std::string("run-step inputs: missing tensor '") + name + "'");
            return nullptr;
        }
        return &it->second;
    };
    const NamedTensor* x = get("x", true);
    if (x->shape.size() != 4 || x->shape[1] != 3)
        fail(ErrorKind::BadInput, "run-step inputs: 'x' must be [B,3,S,S], got " + shapeText(x->shape));
    const NamedTensor* t = get("t", true);
    if (t->data.empty()) fail(ErrorKind::BadInput, "run-step inputs: 't' is empty");
    for (float v : t->data)
        if (v != t->data[0]) fail(ErrorKind::Unsupported, "run-step inputs: all items must share one timestep");
    FrameBatch b;
    b.batch = static_cast<int>(x->shape[0]);
    b.size = static_cast<int>(x->shape[2]);
    b.source = get("source", true)->data;
    b.mask = get("mask", true)->data;
    b.identity = get("identity", true)->data;
    if (auto m = get("motion", !c.isDiff2Lip())) b.motion = m->data;
    b.audio = get("audio", true)->data;
    auto out = forward(b, x->data, static_cast<int>(t->data[0]));
    TensorMap r;
    r["eps"] = NamedTensor{{x->shape[0], c.outChannels(), x->shape[2], x->shape[3]}, std::move(out)};
    return r;
}

TensorMap Generator::weights() const {
    TensorMap m;
    for (auto& p : impl_->net->named_parameters()) {
        torch::Tensor v = p.value().detach().to(torch::kCPU).contiguous();
        NamedTensor t;
        t.shape = v.sizes().vec();
        t.data.assign(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
        m[p.key()] = std::move(t);
    }
    return m;
}

void writeModel(const ModelConfig& config, const TensorMap& weights, const std::filesystem::path& out) {
    writeSafetensors(out, weights, {{"redub_config", config.toJsonString()}, {"format", "redub-model-1"}});
}

void writeRandomModel(const ModelConfig& config, const std::filesystem::path& out, uint64_t seed) {
    config.validate();
    TensorMap m = guardTorch(out.string(), [&] {
        torch::manual_seed(seed);
        auto net = nets::build(config);
        TensorMap w;
        for (auto& p : net->named_parameters()) {
            torch::Tensor v = p.value().detach().contiguous();
            w[p.key()] = NamedTensor{v.sizes().vec(), std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel())};
        }
        return w;
    });
    writeModel(config, m, out);
}

int64_t importDiff2Lip(const std::filesystem::path& pt, const std::filesystem::path& out, const ModelConfig& config) {
    TensorMap w = readTorchCheckpoint(pt);
    // Building the generator checks every key and shape against the config.
    auto gen = Generator::fromWeights(config, w, DeviceKind::Cpu, 0, pt.string());
    writeModel(config, w, out);
    log::models()->warn("{}: Diff2Lip weights are licensed CC-BY-NC-4.0 (non-commercial use only)", pt.string());
    return gen->parameterCount();
}

}  // namespace redub::models
