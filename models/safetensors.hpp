// safetensors reader/writer (https://github.com/huggingface/safetensors format):
// u64 little-endian header length N, N bytes of JSON {name: {dtype, shape,
// data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the data.
// Torch-free. The reader bounds-checks everything: a hostile file gives
// Error{BadInput} naming the file and the problem, never a crash or an over-read.
#pragma once

#include "models/generator.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace redub::models {

struct SafetensorsFile {
    TensorMap tensors;                            // converted to float32 (F32/F16/BF16/F64/I64/I32/I16/I8/U8/BOOL)
    std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Limits for hostile input.
inline constexpr uint64_t kMaxSafetensorsHeader = 100ull << 20;  // 100 MB of JSON

SafetensorsFile readSafetensors(const std::filesystem::path& file);
// Parses an in-memory image (`origin` names it in errors).
SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& origin);

// Writes F32 tensors + metadata to `file` via a temporary file renamed on success.
void writeSafetensors(const std::filesystem::path& file, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata);

}  // namespace redub::models
