// Model configuration: everything needed to build a denoiser network and its
// sampler, stored as JSON in the safetensors metadata ("redub_config").
// Torch-free: the core layer and the Qt UI include this header.
//
// Two families share one config-driven U-Net (docs/models.md):
//   "redub-a"  Redub's autoregressive denoiser: input = (noisy masked crop with the
//              known region = source, mask, identity frame, m motion frames); audio
//              windows -> embedding z; FiLM in every res block.
//   "diff2lip" the published Diff2Lip layout (guided-diffusion key names, legacy QKV,
//              audio as style added to the timestep embedding, 6 output channels).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace redub::models {

struct ModelConfig {
    std::string family = "redub-a";  // "redub-a" | "diff2lip"
    // ---- U-Net
    int image_size = 64;                        // square crop side in pixels
    int model_channels = 32;                    // base width; time embedding = 4x this
    std::vector<int> channel_mult = {1, 2, 2};  // width multiplier per level
    int num_res_blocks = 1;                     // res blocks per level (decoder: +1)
    std::vector<int> attention_resolutions = {16};  // feature-map sides (px) with self-attention
    int num_head_channels = 32;                 // channels per head (<= 0: use num_heads)
    int num_heads = 1;                          // heads when num_head_channels <= 0
    float dropout = 0.0f;                       // training only
    bool learn_sigma = false;                   // true: 6 output channels (eps + variance), DDIM uses eps
    // ---- conditioning inputs
    int motion_frames = 2;     // family A: previously generated crops given to the net
    bool motion_grey = false;  // family A: motion frames as 1-channel luma
    int n_mels = 80, audio_cols = 16, audio_neighbours = 2;  // audio input [2k+1, n_mels, cols]
    std::string window_anchor = "start";  // "start" | "centre" | "diff2lip" (mapped by core)
    std::string mask = "lower_half";      // "lower_half" | "landmarks"
    std::string crop = "similarity";      // "similarity" | "detector_box"
    // ---- audio encoder (family B: Diff2Lip's TFGAudioEncoder; family A: a conv encoder)
    int audio_model_channels = 32;                  // base width of the audio encoder
    std::vector<int> audio_channel_mult = {1, 2, 2};  // per level
    int audio_num_res_blocks = 1;                   // family B only
    int audio_init_dim = 64;                        // family B: Conv1d n_mels -> this many rows
    // ---- diffusion
    std::string schedule = "cosine";  // "linear" (1e-4..0.02) | "cosine"
    int diffusion_steps = 1000;       // T of training
    int default_sampling_steps = 10;  // respaced steps used when SamplerParams::steps == 0
    // Which timesteps a sampler of N < T steps visits: "trailing" ends on T-1 (the first step
    // sees the pure noise it is given; redub-a) or "leading" starts on 0 (guided-diffusion's
    // "ddimN", 0..T-T/N: what Diff2Lip was sampled with).
    std::string timestep_spacing = "trailing";

    // Derived sizes.
    int audioWindows() const { return 2 * audio_neighbours + 1; }
    int inChannels() const;        // channels of the network input tensor
    int outChannels() const { return learn_sigma ? 6 : 3; }
    int timeEmbedChannels() const { return 4 * model_channels; }
    bool isDiff2Lip() const { return family == "diff2lip"; }

    // Throws Error{BadInput} naming the first inconsistent field.
    void validate() const;

    nlohmann::json toJson() const;
    // Missing fields keep their defaults; wrong types/values throw Error{BadInput}
    // naming the field (`origin` names the file in messages).
    static ModelConfig fromJson(const nlohmann::json& j, const std::string& origin = "model config");
    std::string toJsonString() const;
    static ModelConfig fromJsonString(const std::string& text, const std::string& origin = "model config");
    static ModelConfig fromFile(const std::filesystem::path& json_file);

    // The published Diff2Lip network (128^2, ~101.7 M parameters).
    static ModelConfig diff2lip();
    // Redub's small CPU model (family A, 64^2, base 32): see docs/models.md for its speed.
    static ModelConfig redubSmall();

    bool operator==(const ModelConfig&) const = default;
};

}  // namespace redub::models
