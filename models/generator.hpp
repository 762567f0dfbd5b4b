// The denoiser + sampler the dub job calls, behind a torch-free interface.
//
//   auto gen = models::Generator::load("model.safetensors");   // or an imported Diff2Lip file
//   models::FrameBatch b; b.batch = n; b.size = gen->config().image_size; ... fill tensors ...
//   auto p = models::SamplerParams::defaults();                 // DDIM, config's step count, seed 7
//   std::vector<float> crops = gen->sample(b, p, onStep, stop_token);   // [B,3,S,S] in [-1,1]
//
// Load once, reuse for every frame; sample() is synchronous and must be called from one
// thread at a time (it opens c10::InferenceMode itself).
#pragma once

#include "models/config.hpp"
#include "models/runtime.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::models {

// One batch of frames to generate. All float32, NCHW, images in [-1, 1], masks 1 = repaint.
struct FrameBatch {
    int batch = 0;                // B
    int size = 0;                 // S, must equal config().image_size
    std::vector<float> source;    // [B,3,S,S] current frame crop (its known region is kept)
    std::vector<float> mask;      // [B,1,S,S] 1 = generate, 0 = keep source
    std::vector<float> identity;  // [B,3,S,S] reference frame of the same person (Diff2Lip: "ref")
    std::vector<float> motion;    // [B,m,C,S,S] previously generated crops (family A; C = 1 if grey), empty for diff2lip
    std::vector<float> audio;     // [B,2k+1,n_mels,cols] mel windows of the frame and its +-k neighbours
};

// The normalised mel value of silence (the dB floor maps below -4 and is clipped there).
inline constexpr float kSilentMel = -4.0f;

struct SamplerParams {
    enum class Kind { Ddim, Ddpm };
    Kind kind = Kind::Ddim;  // DDIM (eta settable) or DDPM ancestral sampling
    int steps = 0;           // respaced steps; 0 = config().default_sampling_steps (half of it with audio guidance)
    float eta = 0.0f;        // DDIM stochasticity (0 = deterministic)
    uint64_t seed = 7;       // initial noise (and per-step noise when eta > 0 / DDPM)
    bool clip_x0 = true;     // clamp the predicted x0 to [-1, 1] every step
    std::string spacing;     // "leading" | "trailing"; empty = the model config's timestep_spacing
    // Audio guidance (family A): eps = eps(silence) + g * (eps(audio) - eps(silence)), the
    // denoiser run a second time with the mel of silence (every value at the floor, -4) in
    // the same batch. g > 1 strengthens what the speech does to the mouth against what the
    // face around it suggests; 1 = off (one denoiser call per step). With guidance and
    // steps = 0 the default is half the config's steps: the same denoiser calls in all.
    float audio_guidance = 1.0f;
    static SamplerParams defaults() { return {}; }
};

struct StepInfo {
    int step = 0, total = 0;     // step in [1, total] just finished
    int timestep = 0;            // the model timestep of that step (original 0..T-1 scale)
    const float* x0 = nullptr;   // [B,3,S,S] current x0 estimate (known region = source); valid during the call
};
// Reporting only; cancel through sample()'s stop token.
using StepFn = std::function<void(const StepInfo&)>;

// Named float tensors (shape + row-major data), e.g. the inputs/outputs of `model run-step`.
struct NamedTensor {
    std::vector<int64_t> shape;
    std::vector<float> data;
};
using TensorMap = std::map<std::string, NamedTensor>;

class Generator {
public:
    // Loads a .safetensors model (config in metadata "redub_config") or a Diff2Lip .pt
    // checkpoint (published config). threads <= 0: one per core. Throws Error{BadInput|Model|Unsupported}.
    static std::unique_ptr<Generator> load(const std::filesystem::path& file, DeviceKind device = DeviceKind::Auto,
                                           int threads = 0);
    // A model built from weights already in memory (names as in the safetensors file).
    static std::unique_ptr<Generator> fromWeights(const ModelConfig& config, const TensorMap& weights,
                                                  DeviceKind device = DeviceKind::Auto, int threads = 0,
                                                  const std::string& origin = "model");
    ~Generator();
    Generator(const Generator&) = delete;
    Generator& operator=(const Generator&) = delete;

    const ModelConfig& config() const;
    int64_t parameterCount() const;
    double flopsPerStep() const;  // per frame per denoiser call (multiply-add = 2 FLOPs)
    // Denoiser calls per frame that sample() makes with `params`: its steps (the model's
    // default when 0), twice each with audio guidance.
    int callsPerFrame(const SamplerParams& params) const;
    std::string deviceName() const;

    // The same initial noise (from seed, shape [1,3,S,S]) is used for every item and call,
    // so consecutive frames do not flicker. Returns [B,3,S,S] in [-1,1]; where mask == 0
    // the result equals `source` bit-exactly.
    std::vector<float> sample(const FrameBatch& batch, const SamplerParams& params, const StepFn& on_step = {},
                              std::stop_token stop = {});

    // One raw denoiser forward: x_t [B,3,S,S] at the same timestep t for every item.
    // Returns [B,outC,S,S]. Diff2Lip: `source` is used verbatim as its cond image.
    std::vector<float> forward(const FrameBatch& batch, const std::vector<float>& x_t, int timestep);

    // `model run-step`: inputs x [B,3,S,S], t [B] or [1], source, mask, identity, motion, audio
    // (FrameBatch field names); output "eps" [B,outC,S,S].
    TensorMap runStep(const TensorMap& inputs);

    // The weights by safetensors name (for export / tests).
    TensorMap weights() const;

    struct Impl;

private:
    explicit Generator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Writes a randomly initialised model of `config` (for tests, the trainer and bundling).
void writeRandomModel(const ModelConfig& config, const std::filesystem::path& out, uint64_t seed);

// Writes a model file (safetensors + config metadata) from named weights.
void writeModel(const ModelConfig& config, const TensorMap& weights, const std::filesystem::path& out);

// Imports a Diff2Lip checkpoint (readTorchCheckpoint, pt_import.hpp) into a Redub model file:
// every key and shape must match `config` (default: the published Diff2Lip network), checked
// by building the generator. Returns the parameter count.
int64_t importDiff2Lip(const std::filesystem::path& pt, const std::filesystem::path& out,
                       const ModelConfig& config = ModelConfig::diff2lip());

}  // namespace redub::models
