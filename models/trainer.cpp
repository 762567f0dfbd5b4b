#include "models/trainer.hpp"

#include "models/augment.hpp"
#include "models/generator.hpp"
#include "models/nets.hpp"
#include "models/safetensors.hpp"
#include "models/sampler.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <random>

namespace redub::models {
namespace fs = std::filesystem;
using torch::Tensor;

void TrainData::validate(const std::string& origin) const {
    const size_t n = size_t(count());
    const size_t s2 = size_t(size) * size_t(size);
    if (n == 0) fail(ErrorKind::BadInput, origin + ": no training frames");
    if (crops.size() != n * 3 * s2 || masks.size() != n * s2 ||
        audio.size() != n * size_t(audio_windows) * size_t(n_mels) * size_t(audio_cols) || mouth_box.size() != n * 4)
        fail(ErrorKind::BadInput, origin + ": training arrays disagree in size");
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kContextShiftFrames = 12;  // --context-shift: up to this many frames away (0.5 s at 25 fps)

template <class F>
auto guard(const std::string& what, F&& f) {
    try {
        return f();
    } catch (const c10::Error& e) {
        throw Error(ErrorKind::Model, what + ": " + e.what_without_backtrace());
    }
}

// Index tables so a batch can pick neighbours of a frame within its clip.
struct ClipIndex {
    std::vector<int64_t> start;  // first frame of the clip of each frame
    std::vector<int64_t> end;    // one past the last
    explicit ClipIndex(const TrainData& d) {
        const int64_t n = d.count();
        start.resize(size_t(n));
        end.resize(size_t(n));
        int64_t s = 0;
        for (int64_t i = 1; i <= n; ++i)
            if (i == n || d.clip[size_t(i)] != d.clip[size_t(i - 1)]) {
                for (int64_t k = s; k < i; ++k) start[size_t(k)] = s, end[size_t(k)] = i;
                s = i;
            }
    }
};

struct Batch {
    nets::NetInputs in;
    Tensor x0, eps, mask, weight;
    Tensor valid;  // [B,1,S,S] 1 where the (warped) target is real pixels; undefined: all
};

}  // namespace

struct Trainer::Impl {
    TrainParams p;
    ModelConfig cfg;
    torch::Device device{torch::kCPU};
    std::shared_ptr<nets::DenoiserImpl> net;
    std::vector<Tensor> ema;
    std::unique_ptr<torch::optim::AdamW> opt;
    Tensor ab;  // alphas_cumprod [T]
    int64_t step = 0;
    std::mt19937_64 rng;

    fs::path statePath() const { return fs::path(p.out).concat(".state"); }

    void init() {
        if (p.out.empty()) fail(ErrorKind::BadInput, "train: no output model path given");
        if (!(p.context_swap >= 0 && p.context_shift >= 0 && p.context_swap + p.context_shift <= 1))
            fail(ErrorKind::BadInput, "train: context swap and shift are probabilities of one draw (each >= 0, sum <= 1)");
        TensorMap start;
        if (!p.init.empty()) {
            auto st = readSafetensors(p.init);
            auto it = st.metadata.find("redub_config");
            if (it == st.metadata.end()) fail(ErrorKind::BadInput, p.init, "has no Redub model config (not a Redub model)");
            cfg = ModelConfig::fromJsonString(it->second, p.init.string());
            start = std::move(st.tensors);
        } else {
            cfg = p.config;
        }
        cfg.validate();
        if (cfg.isDiff2Lip()) fail(ErrorKind::Unsupported, "train: only family-A (redub-a) models can be trained");
        device = resolveDevice(p.device) == DeviceKind::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
        setThreads(p.threads);
        torch::manual_seed(p.seed);
        rng.seed(p.seed);
        guard("train", [&] {
            net = nets::build(cfg);
            if (!start.empty()) {
                torch::NoGradGuard ng;
                for (auto& kv : net->named_parameters()) {
                    auto it = start.find(kv.key());
                    if (it == start.end() || it->second.shape != kv.value().sizes().vec())
                        fail(ErrorKind::BadInput, p.init, "weight '" + kv.key() + "' missing or of another shape");
                    kv.value().copy_(torch::from_blob(it->second.data.data(), it->second.shape, torch::kFloat32));
                }
            }
            net->to(device);
            net->train();
            for (auto& t : net->parameters()) ema.push_back(t.detach().clone());
            opt = std::make_unique<torch::optim::AdamW>(
                net->parameters(), torch::optim::AdamWOptions(p.lr).weight_decay(p.weight_decay).betas({0.9, 0.999}));
            const Schedule sch = Schedule::named(cfg.schedule, cfg.diffusion_steps);
            ab = torch::tensor(sch.alphas_cumprod, torch::kFloat64).to(torch::kFloat32).to(device);
            return 0;
        });
        if (p.resume && fs::exists(statePath())) loadState();
    }

    void saveState() {
        guard("train: saving " + statePath().string(), [&] {
            torch::serialize::OutputArchive a;
            auto params = net->named_parameters();
            for (auto& kv : params) a.write("w." + kv.key(), kv.value());
            for (size_t i = 0; i < ema.size(); ++i) a.write("ema." + std::to_string(i), ema[i]);
            a.write("step", torch::tensor(step));
            torch::serialize::OutputArchive oa;
            opt->save(oa);
            a.write("optimizer", oa);
            writeFileAtomically(statePath(), [&](std::ostream& o) { a.save_to(o); });
            return 0;
        });
    }

    void loadState() {
        guard("train: resuming from " + statePath().string(), [&] {
            torch::serialize::InputArchive a;
            a.load_from(statePath().string(), device);
            torch::NoGradGuard ng;
            for (auto& kv : net->named_parameters()) {
                Tensor t;
                a.read("w." + kv.key(), t);
                if (t.sizes() != kv.value().sizes())
                    fail(ErrorKind::BadInput, statePath(), "resume state is for another model shape; delete it to start over");
                kv.value().copy_(t);
            }
            for (size_t i = 0; i < ema.size(); ++i) {
                Tensor t;
                a.read("ema." + std::to_string(i), t);
                ema[i].copy_(t);
            }
            Tensor s;
            a.read("step", s);
            step = s.item<int64_t>();
            torch::serialize::InputArchive oa;
            a.read("optimizer", oa);
            opt->load(oa);
            return 0;
        });
        log::models()->info("train: resumed {} at step {}", statePath().string(), step);
    }

    TensorMap emaWeights() {
        TensorMap out;
        auto params = net->named_parameters();
        size_t i = 0;
        for (auto& kv : params) {
            Tensor t = ema[i++].to(torch::kCPU).contiguous();
            NamedTensor nt;
            nt.shape = t.sizes().vec();
            nt.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
            out[kv.key()] = std::move(nt);
        }
        return out;
    }

    void writeOut() {
        writeModel(cfg, emaWeights(), p.out);  // writeSafetensors: temporary file + rename
    }

    Batch makeBatch(const TrainData& d, const ClipIndex& ci, int B, std::mt19937_64& g, bool augment = true) {
        const int S = d.size;
        const int64_t img = 3LL * S * S, plane = int64_t(S) * S;
        const int64_t aud = int64_t(d.audio_windows) * d.n_mels * d.audio_cols;
        const int m = cfg.motion_frames;
        const int mc = cfg.motion_grey ? 1 : 3;
        std::vector<float> x0(size_t(B * img)), src(size_t(B * img)), src_mask(size_t(B * plane)), idn(size_t(B * img)),
            mot(size_t(B) * m * mc * plane), au(size_t(B * aud)), w(size_t(B * plane), 1.0f);
        std::uniform_int_distribution<int64_t> pick(0, d.count() - 1);
        std::uniform_real_distribution<double> u(0, 1);
        bool other_context = false;  // some item's known region is not its own frame's
        // Augmentation, the same for every image of one batch item: a horizontal flip and a
        // per-channel gain/bias (new identities and lighting from the few faces there are).
        bool flip = false;
        float gain[3] = {1, 1, 1}, bias[3] = {0, 0, 0};
        auto px = [&](int64_t i) { return flip ? (i / S) * S + (S - 1 - i % S) : i; };
        auto copyImg = [&](float* dst, int64_t frame, bool grey) {
            const float* s = d.crops.data() + frame * img;
            float v[3];
            for (int64_t i = 0; i < plane; ++i) {
                const int64_t j = px(i);
                for (int c = 0; c < 3; ++c)
                    v[c] = std::clamp(gain[c] * (s[c * plane + j] + 1.0f) - 1.0f + bias[c], -1.0f, 1.0f);
                if (grey)
                    dst[i] = 0.299f * v[0] + 0.587f * v[1] + 0.114f * v[2];
                else
                    for (int c = 0; c < 3; ++c) dst[c * plane + i] = v[c];
            }
        };
        const float jitter = augment ? float(std::max(0.0, p.colour_jitter)) : 0.0f;
        for (int b = 0; b < B; ++b) {
            flip = augment && p.augment_flip && u(g) < 0.5;
            if (jitter > 0) {
                const float common = 1.0f + jitter * float(2 * u(g) - 1);
                for (int c = 0; c < 3; ++c) {
                    gain[c] = common * (1.0f + 0.6f * jitter * float(2 * u(g) - 1));
                    bias[c] = 0.4f * jitter * float(2 * u(g) - 1);
                }
            }
            const int64_t f = pick(g);
            const int64_t cs = ci.start[size_t(f)], ce = ci.end[size_t(f)];
            copyImg(x0.data() + b * img, f, false);
            for (int64_t i = 0; i < plane; ++i) src_mask[size_t(b * plane + i)] = d.masks[size_t(f * plane + px(i))];
            std::copy(d.audio.data() + f * aud, d.audio.data() + (f + 1) * aud, au.data() + b * aud);
            // Identity: another frame of the same clip (so the mouth cannot simply be copied).
            int64_t idf = std::uniform_int_distribution<int64_t>(cs, ce - 1)(g);
            copyImg(idn.data() + b * img, idf, false);
            // Context swap: the known (unmasked) part of the source is the identity frame's,
            // as on a still photo, where the identity frame IS every source frame. The
            // cheeks and head pose then say nothing of this frame's mouth; only the audio does.
            // Context shift: the known part from a frame up to half a second away, so on a
            // talking video too the cheeks and jaw around the mask say little of this mouth.
            const double cu = augment && p.context_swap + p.context_shift > 0 ? u(g) : 1.0;  // no draw: the default stream as before
            if (cu < p.context_swap) {
                std::copy_n(idn.data() + b * img, img, src.data() + b * img);
                other_context = true;
            } else if (cu < p.context_swap + p.context_shift) {
                std::uniform_int_distribution<int64_t> near(std::max(cs, f - kContextShiftFrames),
                                                            std::min(ce - 1, f + kContextShiftFrames));
                copyImg(src.data() + b * img, near(g), false);
                other_context = true;
            } else {
                std::copy_n(x0.data() + b * img, img, src.data() + b * img);
            }
            const bool drop = u(g) < p.motion_dropout;
            for (int k = 0; k < m; ++k) {
                const int64_t prev = f - (m - k);  // oldest first
                const int64_t src = (drop || prev < cs) ? idf : prev;
                copyImg(mot.data() + (size_t(b) * m + k) * mc * plane, src, cfg.motion_grey);
            }
            const float* bx = d.mouth_box.data() + f * 4;
            const float bx0 = flip ? float(S) - bx[2] : bx[0], bx1 = flip ? float(S) - bx[0] : bx[2];
            for (int y = std::max(0, int(bx[1])); y < std::min(S, int(std::ceil(bx[3]))); ++y)
                for (int x = std::max(0, int(bx0)); x < std::min(S, int(std::ceil(bx1))); ++x)
                    w[size_t(b * plane + y * S + x)] += float(p.mouth_weight);
        }
        auto T = [&](std::vector<float>& v, std::vector<int64_t> shape) {
            return torch::from_blob(v.data(), shape, torch::kFloat32).clone().to(device);
        };
        Batch bt;
        bt.x0 = T(x0, {B, 3, S, S});
        if (other_context) bt.in.source = T(src, {B, 3, S, S});
        bt.mask = T(src_mask, {B, 1, S, S});
        bt.weight = T(w, {B, 1, S, S});
        bt.in.identity = T(idn, {B, 3, S, S});
        if (m > 0) bt.in.motion = T(mot, {B, m * mc, S, S});
        const WarpParams wp{0.08 * p.warp, 5.0 * p.warp, 0.05 * p.warp};
        if (augment && wp.active()) {
            // Every image of an item moves alike (as a differently placed crop would); the
            // lower-half mask is fixed to the crop, so it stays (a landmark mask follows the face).
            const Tensor theta = randomSimilarity(B, wp, g).to(device);
            bt.x0 = warpItems(bt.x0, theta, false);
            if (other_context) bt.in.source = warpItems(bt.in.source, theta, false);
            if (cfg.mask != "lower_half") bt.mask = warpItems(bt.mask, theta, true);
            bt.weight = warpItems(bt.weight, theta, false);
            bt.valid = coverage(theta, S);
            bt.in.identity = warpItems(bt.in.identity, theta, false);
            if (m > 0) bt.in.motion = warpItems(bt.in.motion, theta, false);
        }
        if (!other_context) bt.in.source = bt.x0;  // the usual case: its own frame, no second copy
        bt.in.mask = bt.mask;
        bt.in.audio = T(au, {B, d.audio_windows, d.n_mels, d.audio_cols});
        return bt;
    }

    // Loss of one batch; fills eps/x_t with a random timestep per item.
    Tensor loss(Batch& bt, std::mt19937_64& g) {
        const int64_t B = bt.x0.size(0);
        std::vector<int64_t> ts(static_cast<size_t>(B));
        std::uniform_int_distribution<int> tdist(0, cfg.diffusion_steps - 1);
        for (auto& t : ts) t = tdist(g);
        Tensor t = torch::tensor(ts, torch::kInt64).to(device);
        Tensor a = ab.index_select(0, t).view({B, 1, 1, 1});
        Tensor eps = torch::randn_like(bt.x0);
        bt.in.x = a.sqrt() * bt.x0 + (1 - a).sqrt() * eps;
        bt.in.t = t;
        Tensor out = net->forward(bt.in).narrow(1, 0, 3);
        // Pixels a warp filled from outside the crop are not real: out of the loss.
        const Tensor m = bt.valid.defined() ? bt.mask * bt.valid : bt.mask;
        Tensor mw = m * bt.weight;
        Tensor denom = m.sum() * 3 + 1e-6;
        Tensor l = ((out - eps).pow(2) * mw).sum() / denom;
        if (p.x0_weight > 0) {
            Tensor x0_hat = ((bt.in.x - (1 - a).sqrt() * out) / a.sqrt()).clamp(-1, 1);
            l = l + p.x0_weight * ((x0_hat - bt.x0).pow(2) * m).sum() / denom;
        }
        return l;
    }

    double heldoutLoss(const TrainData& d) {
        ClipIndex ci(d);
        std::mt19937_64 g(12345);  // the same batches every time: comparable numbers
        torch::NoGradGuard ng;
        // Evaluate the EMA weights.
        std::vector<Tensor> raw;
        auto params = net->parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            raw.push_back(params[i].detach().clone());
            params[i].detach().copy_(ema[i]);
        }
        net->eval();
        double sum = 0;
        const int reps = 4;
        for (int r = 0; r < reps; ++r) {
            Batch bt = makeBatch(d, ci, std::min<int>(16, int(d.count())), g, /*augment=*/false);
            sum += loss(bt, g).item<double>();
        }
        for (size_t i = 0; i < params.size(); ++i) params[i].detach().copy_(raw[i]);
        net->train();
        return sum / reps;
    }
};

Trainer::Trainer(const TrainParams& params) : impl_(std::make_unique<Impl>()) {
    impl_->p = params;
    impl_->init();
}
Trainer::~Trainer() = default;
const ModelConfig& Trainer::config() const { return impl_->cfg; }

TrainStats Trainer::run(const TrainData& train, const TrainData* heldout, const ProgressFn& progress,
                        const ValidateFn& on_validate, std::stop_token stop) {
    Impl& d = *impl_;
    train.validate("training data");
    if (heldout) heldout->validate("held-out data");
    const ModelConfig& c = d.cfg;
    if (train.size != c.image_size || train.audio_windows != c.audioWindows() || train.n_mels != c.n_mels ||
        train.audio_cols != c.audio_cols)
        fail(ErrorKind::BadInput, "training data was built for another model config (crop " + std::to_string(train.size) +
                                      ", model " + std::to_string(c.image_size) + "): rebuild the dataset");
    ClipIndex ci(train);
    TrainStats st;
    const auto t0 = Clock::now();
    auto last_ckpt = t0;
    const int64_t first = d.step;
    std::deque<double> recent;
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    auto validate = [&] {
        d.writeOut();
        if (heldout) st.val_loss = d.heldoutLoss(*heldout);
        st.step = d.step;
        if (on_validate) on_validate(st, d.p.out);
    };
    while (true) {
        if (stop.stop_requested()) break;
        if (d.p.max_steps > 0 && d.step >= d.p.max_steps) break;
        if (d.p.minutes > 0 && elapsed() >= d.p.minutes * 60) break;
        guard("train step", [&] {
            const double lr = d.p.lr * std::min(1.0, double(d.step + 1) / std::max(1, d.p.warmup_steps));
            for (auto& grp : d.opt->param_groups()) static_cast<torch::optim::AdamWOptions&>(grp.options()).lr(lr);
            Batch bt = d.makeBatch(train, ci, d.p.batch, d.rng);
            Tensor l = d.loss(bt, d.rng);
            d.opt->zero_grad();
            l.backward();
            if (d.p.grad_clip > 0) torch::nn::utils::clip_grad_norm_(d.net->parameters(), d.p.grad_clip);
            d.opt->step();
            {
                torch::NoGradGuard ng;
                auto params = d.net->parameters();
                const double k = std::min(d.p.ema_decay, (1.0 + d.step) / (10.0 + d.step));
                for (size_t i = 0; i < params.size(); ++i) d.ema[i].mul_(k).add_(params[i].detach(), 1 - k);
            }
            const double lv = l.item<double>();
            if (!std::isfinite(lv)) fail(ErrorKind::Model, "train: the loss became non-finite at step " + std::to_string(d.step));
            st.history.push_back(lv);
            recent.push_back(lv);
            if (recent.size() > 50) recent.pop_front();
            return 0;
        });
        ++d.step;
        double sum = 0;
        for (double v : recent) sum += v;
        st.loss = sum / double(recent.size());
        st.step = d.step;
        st.seconds = elapsed();
        st.seconds_per_step = st.seconds / double(d.step - first);
        if (progress) {
            double frac = 0, eta = -1;
            int64_t total = 0;
            if (d.p.max_steps > 0) {
                total = d.p.max_steps;
                frac = double(d.step) / double(total);
                eta = st.seconds_per_step * double(total - d.step);
            }
            if (d.p.minutes > 0) {
                const double f2 = st.seconds / (d.p.minutes * 60);
                if (f2 > frac) frac = f2, eta = d.p.minutes * 60 - st.seconds;
            }
            progress({"train", d.step, total, std::min(1.0, frac), eta});
        }
        if (d.p.validate_every > 0 && d.step % d.p.validate_every == 0) validate();
        if (std::chrono::duration<double>(Clock::now() - last_ckpt).count() >= d.p.checkpoint_every_s) {
            d.writeOut();
            d.saveState();
            last_ckpt = Clock::now();
        }
    }
    validate();
    d.saveState();
    st.seconds = elapsed();
    return st;
}

}  // namespace redub::models
