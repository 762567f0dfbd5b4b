// Reader for PyTorch `torch.save` checkpoints (zip format) holding a state_dict,
// without Python or torch::pickle_load (which returns None for an OrderedDict in
// LibTorch 1.13): a bounds-checked zip directory reader (stored entries) and an
// interpreter for the pickle subset torch.save emits. Torch-free.
#pragma once

#include "models/generator.hpp"

#include <filesystem>
#include <string>

namespace redub::models {

// name -> float32 tensor of every tensor in the checkpoint's state_dict (a top-level
// (Ordered)Dict, or one nested under "state_dict"/"model"/"ema"). Float16/bfloat16/
// float64 storages are converted. Throws Error{BadInput} naming the file and the problem.
TensorMap readTorchCheckpoint(const std::filesystem::path& file);
TensorMap parseTorchCheckpoint(const std::string& bytes, const std::string& origin);

}  // namespace redub::models
