#include "models/config.hpp"

#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace redub::models {

namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
    fail(ErrorKind::BadInput, origin + ": " + what);
}

template <class T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& origin) {
    auto it = j.find(key);
    if (it == j.end()) return;
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        bad(origin, std::string("field '") + key + "' has the wrong type (" + it->dump() + ")");
    }
}

bool isPow2Divisor(int size, int levels) { return size > 0 && size % (1 << (levels - 1)) == 0; }

}  // namespace

int ModelConfig::inChannels() const {
    if (isDiff2Lip()) return 9;  // x_t (masked), cond, reference
    return 3 + 1 + 3 + motion_frames * (motion_grey ? 1 : 3);
}

void ModelConfig::validate() const {
    const std::string o = "model config";
    if (family != "redub-a" && family != "diff2lip")
        bad(o, "unknown family '" + family + "' (expected redub-a or diff2lip)");
    if (image_size < 8 || image_size > 1024) bad(o, "image_size must be in [8, 1024]");
    if (model_channels < 32 || model_channels % 32 != 0)
        bad(o, "model_channels must be a positive multiple of 32 (GroupNorm uses 32 groups)");
    if (channel_mult.empty() || channel_mult.size() > 8) bad(o, "channel_mult needs 1 to 8 levels");
    for (int m : channel_mult)
        if (m < 1 || m > 16) bad(o, "channel_mult entries must be in [1, 16]");
    if (!isPow2Divisor(image_size, static_cast<int>(channel_mult.size())))
        bad(o, "image_size must be divisible by 2^(levels-1)");
    if (num_res_blocks < 1 || num_res_blocks > 8) bad(o, "num_res_blocks must be in [1, 8]");
    for (int r : attention_resolutions)
        if (r < 1 || image_size % r != 0) bad(o, "attention_resolutions must divide image_size");
    for (int m : channel_mult) {
        const int ch = m * model_channels;
        if (num_head_channels > 0 && ch % num_head_channels != 0)
            bad(o, "every level width must be divisible by num_head_channels");
    }
    if (num_head_channels <= 0 && num_heads < 1) bad(o, "num_heads must be >= 1");
    if (dropout < 0 || dropout >= 1) bad(o, "dropout must be in [0, 1)");
    if (motion_frames < 0 || motion_frames > 8) bad(o, "motion_frames must be in [0, 8]");
    if (n_mels < 8 || n_mels > 512 || audio_cols < 1 || audio_cols > 256) bad(o, "n_mels/audio_cols out of range");
    if (audio_neighbours < 0 || audio_neighbours > 8) bad(o, "audio_neighbours must be in [0, 8]");
    if (window_anchor != "start" && window_anchor != "centre" && window_anchor != "diff2lip")
        bad(o, "window_anchor must be start, centre or diff2lip");
    if (mask != "lower_half" && mask != "landmarks") bad(o, "mask must be lower_half or landmarks");
    if (crop != "similarity" && crop != "detector_box") bad(o, "crop must be similarity or detector_box");
    if (audio_model_channels < 32 || audio_model_channels % 32 != 0)
        bad(o, "audio_model_channels must be a positive multiple of 32");
    if (audio_channel_mult.empty() || audio_channel_mult.size() > 8) bad(o, "audio_channel_mult needs 1 to 8 levels");
    for (int m : audio_channel_mult)
        if (m < 1 || m > 16) bad(o, "audio_channel_mult entries must be in [1, 16]");
    if (audio_num_res_blocks < 1 || audio_num_res_blocks > 8) bad(o, "audio_num_res_blocks must be in [1, 8]");
    if (isDiff2Lip()) {
        if (audio_neighbours != 0) bad(o, "diff2lip takes one audio window (audio_neighbours 0)");
        if (motion_frames != 0) bad(o, "diff2lip has no motion frames (motion_frames 0)");
        if (audio_init_dim < 1 || (audio_init_dim >> (audio_channel_mult.size() - 1)) < 1)
            bad(o, "audio_init_dim too small for the audio encoder levels");
        // Every down-sampling step halves the rows, and also the columns once rows <= cols.
        int rows = audio_init_dim, cols = audio_cols;
        for (size_t l = 0; l + 1 < audio_channel_mult.size(); ++l) {
            if (rows <= cols) cols /= 2;
            rows /= 2;
            if (rows < 1 || cols < 1) bad(o, "audio encoder down-samples the mel window to nothing");
        }
    }
    if (schedule != "linear" && schedule != "cosine") bad(o, "schedule must be linear or cosine");
    if (timestep_spacing != "leading" && timestep_spacing != "trailing")
        bad(o, "timestep_spacing must be leading or trailing");
    if (diffusion_steps < 2 || diffusion_steps > 100000) bad(o, "diffusion_steps must be in [2, 100000]");
    if (default_sampling_steps < 1 || default_sampling_steps > diffusion_steps)
        bad(o, "default_sampling_steps must be in [1, diffusion_steps]");
}

nlohmann::json ModelConfig::toJson() const {
    return nlohmann::json{
        {"family", family},
        {"image_size", image_size},
        {"model_channels", model_channels},
        {"channel_mult", channel_mult},
        {"num_res_blocks", num_res_blocks},
        {"attention_resolutions", attention_resolutions},
        {"num_head_channels", num_head_channels},
        {"num_heads", num_heads},
        {"dropout", dropout},
        {"learn_sigma", learn_sigma},
        {"motion_frames", motion_frames},
        {"motion_grey", motion_grey},
        {"n_mels", n_mels},
        {"audio_cols", audio_cols},
        {"audio_neighbours", audio_neighbours},
        {"window_anchor", window_anchor},
        {"mask", mask},
        {"crop", crop},
        {"audio_model_channels", audio_model_channels},
        {"audio_channel_mult", audio_channel_mult},
        {"audio_num_res_blocks", audio_num_res_blocks},
        {"audio_init_dim", audio_init_dim},
        {"schedule", schedule},
        {"diffusion_steps", diffusion_steps},
        {"default_sampling_steps", default_sampling_steps},
        {"timestep_spacing", timestep_spacing},
    };
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) bad(origin, "model config must be a JSON object");
    static const char* known[] = {"family", "image_size", "model_channels", "channel_mult", "num_res_blocks",
                                  "attention_resolutions", "num_head_channels", "num_heads", "dropout",
                                  "learn_sigma", "motion_frames", "motion_grey", "n_mels", "audio_cols",
                                  "audio_neighbours", "window_anchor", "mask", "crop", "audio_model_channels",
                                  "audio_channel_mult", "audio_num_res_blocks", "audio_init_dim", "schedule",
                                  "diffusion_steps", "default_sampling_steps", "timestep_spacing"};
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool ok = false;
        for (const char* k : known) ok = ok || it.key() == k;
        if (!ok) bad(origin, "unknown model config field '" + it.key() + "'");
    }
    ModelConfig c;
    // A family change re-bases the defaults so a short JSON describes a full model.
    if (j.contains("family") && j["family"].is_string() && j["family"] == "diff2lip") c = diff2lip();
    read(j, "family", c.family, origin);
    read(j, "image_size", c.image_size, origin);
    read(j, "model_channels", c.model_channels, origin);
    read(j, "channel_mult", c.channel_mult, origin);
    read(j, "num_res_blocks", c.num_res_blocks, origin);
    read(j, "attention_resolutions", c.attention_resolutions, origin);
    read(j, "num_head_channels", c.num_head_channels, origin);
    read(j, "num_heads", c.num_heads, origin);
    read(j, "dropout", c.dropout, origin);
    read(j, "learn_sigma", c.learn_sigma, origin);
    read(j, "motion_frames", c.motion_frames, origin);
    read(j, "motion_grey", c.motion_grey, origin);
    read(j, "n_mels", c.n_mels, origin);
    read(j, "audio_cols", c.audio_cols, origin);
    read(j, "audio_neighbours", c.audio_neighbours, origin);
    read(j, "window_anchor", c.window_anchor, origin);
    read(j, "mask", c.mask, origin);
    read(j, "crop", c.crop, origin);
    read(j, "audio_model_channels", c.audio_model_channels, origin);
    read(j, "audio_channel_mult", c.audio_channel_mult, origin);
    read(j, "audio_num_res_blocks", c.audio_num_res_blocks, origin);
    read(j, "audio_init_dim", c.audio_init_dim, origin);
    read(j, "schedule", c.schedule, origin);
    read(j, "diffusion_steps", c.diffusion_steps, origin);
    read(j, "default_sampling_steps", c.default_sampling_steps, origin);
    read(j, "timestep_spacing", c.timestep_spacing, origin);
    try {
        c.validate();
    } catch (const Error& e) {
        // validate() names "model config"; say which file it came from.
        bad(origin, e.what());
    }
    return c;
}

std::string ModelConfig::toJsonString() const { return toJson().dump(); }

ModelConfig ModelConfig::fromJsonString(const std::string& text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number that overflows
        bad(origin, std::string("model config is not valid JSON: ") + e.what());
    }
    return fromJson(j, origin);
}

ModelConfig ModelConfig::fromFile(const std::filesystem::path& json_file) {
    std::ifstream in(json_file, std::ios::binary);
    if (!in) fail(ErrorKind::BadInput, json_file, "cannot open the model config file");
    std::stringstream ss;
    ss << in.rdbuf();
    return fromJsonString(ss.str(), json_file.string());
}

ModelConfig ModelConfig::diff2lip() {
    ModelConfig c;
    c.family = "diff2lip";
    c.image_size = 128;
    c.model_channels = 128;
    c.channel_mult = {1, 1, 2, 3, 4};
    c.num_res_blocks = 2;
    c.attention_resolutions = {32, 16, 8};
    c.num_head_channels = 64;
    c.num_heads = 1;
    c.dropout = 0.0f;
    c.learn_sigma = true;
    c.motion_frames = 0;
    c.motion_grey = false;
    c.n_mels = 80;
    c.audio_cols = 16;
    c.audio_neighbours = 0;
    c.window_anchor = "diff2lip";
    c.mask = "lower_half";
    c.crop = "detector_box";
    c.audio_model_channels = 32;
    c.audio_channel_mult = {1, 2, 3, 4};
    c.audio_num_res_blocks = 2;
    c.audio_init_dim = 64;
    c.schedule = "linear";
    c.diffusion_steps = 1000;
    c.default_sampling_steps = 25;
    c.timestep_spacing = "leading";
    return c;
}

ModelConfig ModelConfig::redubSmall() {
    ModelConfig c;
    c.family = "redub-a";
    c.image_size = 64;
    c.model_channels = 32;
    c.channel_mult = {1, 1, 2, 2};  // 1.55 GFLOP/step; {1,2,2} cost 2.5 (its 64^2 up-block was 64 wide)
    c.num_res_blocks = 1;
    c.attention_resolutions = {16, 8};
    c.num_head_channels = 32;
    c.motion_frames = 2;
    c.motion_grey = false;
    c.audio_neighbours = 2;
    c.audio_model_channels = 32;
    c.audio_channel_mult = {1, 2, 2};
    c.schedule = "cosine";
    c.default_sampling_steps = 10;
    return c;
}

}  // namespace redub::models
