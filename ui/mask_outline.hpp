// The outline of the region the dub will repaint on a face, drawn before anything is
// generated: the chosen model's crop and mask (core::computeCrop, pasteMask,
// maskOutline, as the dub job uses them) as a QPainterPath in frame pixels.
#pragma once

#include <QPainterPath>

#include <filesystem>
#include <memory>
#include <string>

namespace redub::core {
struct FaceDetection;
struct ModelGeometry;
}  // namespace redub::core

namespace redub::ui {

class MaskOutline {
public:
    // The outline on `face` for `model` (empty: the bundled default); empty when the
    // model file cannot be read or the face is degenerate. The model's geometry is read
    // once per model file.
    QPainterPath on(const core::FaceDetection& face, const std::filesystem::path& model);

private:
    std::shared_ptr<const core::ModelGeometry> geometry_;  // null when the model file cannot be read
    std::string geometry_for_;                             // the model file it was read from
};

}  // namespace redub::ui
