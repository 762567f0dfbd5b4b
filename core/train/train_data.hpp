// The dataset builder: videos with their own audio (synthesized clips or the
// user's footage) -> face crops, masks and aligned mel windows cached on disk,
// one safetensors file per clip, with exactly the preprocessing the dub job uses
// (crop policy, mask shape, mel windows from the model config).
//
//   auto p = core::DatasetParams::fromConfig(models::ModelConfig::redubSmall());
//   core::buildDatasetClip("clip.mp4", "data/clip.safetensors", p);
//   models::TrainData d = core::loadDataset({"data"});
#pragma once

#include "models/config.hpp"
#include "models/trainer.hpp"
#include "redub/job.hpp"

#include <filesystem>
#include <stop_token>
#include <vector>

namespace redub::core {

struct DatasetParams {
    models::ModelConfig config = models::ModelConfig::redubSmall();  // crop size/policy, mask, audio windows
    int frame_step = 1;      // use every n-th frame
    int64_t max_frames = 0;  // per clip (0: all)
    static DatasetParams defaults() { return {}; }
    static DatasetParams fromConfig(const models::ModelConfig& c) {
        DatasetParams p;
        p.config = c;
        return p;
    }
};

struct DatasetClipInfo {
    int64_t frames = 0;          // frames stored
    int64_t skipped = 0;         // frames without a detected face
};

// Decodes `video` (must have an audio track), detects the face in every frame and
// writes `out` (safetensors: crops, masks, audio, mouth_box; metadata: source, fps,
// config). Throws Error{BadInput} naming the video when it has no audio or no faces.
DatasetClipInfo buildDatasetClip(const std::filesystem::path& video, const std::filesystem::path& out,
                                 const DatasetParams& params, const ProgressFn& progress = {},
                                 std::stop_token stop = {});

// Loads every *.safetensors clip file of the given files/folders (sorted) into one
// TrainData. Throws Error{BadInput} when none is found or their shapes differ.
models::TrainData loadDataset(const std::vector<std::filesystem::path>& files_or_dirs);

// The same, keeping only the frames whose source frame index lies in [begin, end) (end < 0:
// to the clip's end): a clip split in time into a training and a held-out part. Throws
// Error{BadInput} when a clip has no frame index (built before it was stored) or when no
// frame is left.
models::TrainData loadDataset(const std::vector<std::filesystem::path>& files_or_dirs, int64_t begin, int64_t end);

// A PNG grid (rows of crops, each CHW in [-1, 1]) for validation images.
void writeCropGrid(const std::filesystem::path& png, const std::vector<std::vector<float>>& rows, int size);

}  // namespace redub::core
