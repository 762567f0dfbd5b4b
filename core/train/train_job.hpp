// The training job (core glue around models::Trainer): datasets from folders or
// from videos (fine-tuning on the user's own footage), held-out loss, validation
// grids as PNG, progress with ETA.
#pragma once

#include "models/trainer.hpp"
#include "redub/job.hpp"

#include <filesystem>
#include <stop_token>
#include <vector>

namespace redub::core {

struct TrainJobParams {
    std::vector<std::filesystem::path> data;     // dataset folders/files (core::buildDatasetClip output)
    std::vector<std::filesystem::path> videos;   // videos with their own audio: built into a dataset first
    std::vector<std::filesystem::path> heldout;  // held-out dataset folders/files (optional)
    // >= 0 (and `heldout` empty): every clip is split in time - frames from this source frame
    // on are held out (validation loss, grids) instead of trained on.
    int64_t holdout_from_frame = -1;
    std::filesystem::path config_file;           // model config JSON (new model); empty: redubSmall()
    std::filesystem::path from;                  // start from this model; "default" = the bundled one
    std::filesystem::path out;                   // output model (.safetensors)
    std::filesystem::path grid_dir;              // validation PNGs (empty: "<out>.val/")
    models::TrainParams train = models::TrainParams::defaults();  // optimiser/loss settings (out/init/config are filled in)
    static TrainJobParams defaults() { return {}; }
};

models::TrainStats runTrainJob(const TrainJobParams& params, const ProgressFn& progress = {},
                               std::stop_token stop = {});

// Samples the first `count` frames of `data` with `model` (identity = the clip's
// first frame, no motion history) and returns rows {truth, generated} for a grid.
// `device` and `threads` as the training's (LibTorch's thread count is per process:
// a different count here would change the training's too).
std::vector<std::vector<float>> sampleValidationRows(const std::filesystem::path& model, const models::TrainData& data,
                                                     int count, int steps, models::DeviceKind device, int threads);

}  // namespace redub::core
