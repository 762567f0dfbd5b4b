// What a model config means for the pixels and sounds fed to it - one place, so the
// dataset builder (training) and the dub job (inference) cannot drift apart.
#pragma once

#include "core/audio/align.hpp"
#include "core/audio/mel.hpp"
#include "core/face/crop.hpp"
#include "core/face/mask.hpp"
#include "models/config.hpp"

#include <opencv2/core.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace redub::core {

struct ModelGeometry {
    CropParams crop;   // policy + size from the config
    MaskShape mask = MaskShape::LowerHalf;
    MelParams mel;     // 80 bands: Wav2Lip constants; 256: seed 000
    WindowParams win;  // anchor, columns, neighbours
};

// Throws Error{Unsupported} naming `origin` (the model file) for values core cannot map.
ModelGeometry geometryFor(const models::ModelConfig& config, const std::string& origin);

// The geometry of a model file without loading its weights: the config in a Redub
// .safetensors header (only the header is read), or the published Diff2Lip config for
// a .pt/.pth checkpoint. Throws Error{BadInput} naming the file when it is missing or
// has no Redub config.
ModelGeometry modelGeometry(const std::filesystem::path& model_file);

// RGB CV_8UC3 (S x S) -> CHW floats in [-1, 1], appended to `out`.
void appendChw(std::vector<float>& out, const cv::Mat& rgb);
// RGB -> one luma channel in [-1, 1], appended (motion_grey models).
void appendGrey(std::vector<float>& out, const cv::Mat& rgb);
// CV_32F mask (S x S) -> floats, appended.
void appendMask(std::vector<float>& out, const cv::Mat& mask);
// Item `i` of CHW floats in [-1, 1] -> RGB CV_8UC3.
cv::Mat chwToRgb(const std::vector<float>& data, int i, int size);

}  // namespace redub::core
