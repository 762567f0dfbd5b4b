// The trainer for family-A ("redub-a") denoisers, behind a torch-free interface.
//
// Loss (docs/training.md): masked noise prediction
//   L = mean_mask (eps_hat - eps)^2 * (1 + mouth_weight * in_mouth_box)
//     + x0_weight * mean_mask (x0_hat - x0)^2
// with the known region (mask == 0) of x_t replaced by the clean source as at
// sampling time. AdamW, EMA of the weights, global-norm gradient clipping,
// periodic checkpoints and resume.
//
//   models::TrainData data = core::loadDataset(dir);          // core fills it
//   auto p = models::TrainParams::defaults(); p.out = "m.safetensors";
//   models::Trainer t(p);  t.run(data, &heldout, onProgress, stop);
#pragma once

#include "models/config.hpp"
#include "models/runtime.hpp"
#include "redub/job.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::models {

// Frames of many clips, in memory. All float32 NCHW; images in [-1, 1].
struct TrainData {
    int size = 0;                 // S (crop side)
    int audio_windows = 0;        // 2k+1
    int n_mels = 0, audio_cols = 0;
    std::vector<float> crops;     // [N,3,S,S] the ground-truth frame crops
    std::vector<float> masks;     // [N,1,S,S] 1 = region the model repaints
    std::vector<float> audio;     // [N,2k+1,n_mels,cols] mel windows of each frame and its neighbours
    std::vector<float> mouth_box; // [N,4] x0,y0,x1,y1 in crop pixels (for the mouth loss weight)
    std::vector<int> clip;        // [N] clip id (frames of one clip are consecutive, in order)
    int64_t count() const { return int64_t(clip.size()); }
    // Throws Error{BadInput} when the arrays disagree with count()/size.
    void validate(const std::string& origin) const;
};

struct TrainParams {
    ModelConfig config = ModelConfig::redubSmall();  // used when `init` is empty
    std::filesystem::path init;      // start from this model (fine-tuning); its config wins
    std::filesystem::path out;       // the EMA weights are written here (safetensors + config)
    int batch = 16;                  // frames per step
    double lr = 2e-4;                // AdamW learning rate (linear warm-up over warmup_steps)
    int warmup_steps = 100;
    double weight_decay = 0.01;      // AdamW decoupled weight decay
    double ema_decay = 0.999;        // EMA of the weights (the shipped weights)
    double grad_clip = 1.0;          // max global gradient norm (<= 0: off)
    double mouth_weight = 0.2;       // extra loss weight inside the mouth box (seed 003: 0.2)
    double x0_weight = 0.1;          // weight of the masked x0 reconstruction term (0: off)
    double motion_dropout = 0.5;     // probability that the motion frames are replaced by the identity frame
    bool augment_flip = true;        // mirror half of the batch items (all images of an item alike)
    double colour_jitter = 0.25;     // per item: gain 1 +- j, per-channel gain 1 +- 0.6 j, bias +- 0.4 j (0: off)
    double context_swap = 0.0;       // probability that the known region of the source is the identity frame's (still-photo case)
    double context_shift = 0.0;      // probability that it is another frame's within +-12 (0.5 s at 25 fps)
    double warp = 1.0;               // per item similarity: zoom 1 +- 0.08 w, rotation +- 5 w deg, shift +- 0.05 w side (0: off)
    double minutes = 0;              // stop after this wall time (0: no limit)
    int64_t max_steps = 0;           // stop after this many steps in total (0: no limit)
    double checkpoint_every_s = 300; // write out + the resume state this often
    int64_t validate_every = 0;      // steps between validation callbacks (0: only at the end)
    bool resume = true;              // continue from "<out>.state" when it exists
    DeviceKind device = DeviceKind::Auto;
    int threads = 0;                 // <= 0: one per core
    uint64_t seed = 1;
    static TrainParams defaults() { return {}; }
};

struct TrainStats {
    int64_t step = 0;            // total optimizer steps (including resumed ones)
    double loss = 0;             // running mean of the training loss (last ~50 steps)
    double val_loss = -1;        // last held-out loss (< 0: none)
    double seconds = 0;          // wall time of this run
    double seconds_per_step = 0;
    std::vector<double> history; // training loss per step of this run
};

// Called at every validation point with the current EMA model file written to
// `model_file` (so core can sample and draw grids with OpenCV).
using ValidateFn = std::function<void(const TrainStats&, const std::filesystem::path& model_file)>;

class Trainer {
public:
    explicit Trainer(const TrainParams& params);
    ~Trainer();
    // Trains until minutes/max_steps/stop. Writes params.out (EMA weights) at every
    // checkpoint and at the end, plus "<out>.state" (raw weights, EMA, AdamW moments,
    // step) for resume. Throws Error{BadInput} for data that does not fit the config.
    TrainStats run(const TrainData& train, const TrainData* heldout, const ProgressFn& progress = {},
                   const ValidateFn& on_validate = {}, std::stop_token stop = {});
    const ModelConfig& config() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redub::models
