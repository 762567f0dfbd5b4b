#include "ui/mask_outline.hpp"

#include "core/dub/composite.hpp"
#include "core/dub/dub.hpp"
#include "core/dub/model_inputs.hpp"
#include "core/face/mask.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

namespace redub::ui {

QPainterPath MaskOutline::on(const core::FaceDetection& face, const std::filesystem::path& model) {
    const std::string model_file = (model.empty() ? core::defaultModelPath() : model).string();
    if (model_file != geometry_for_) {
        geometry_for_ = model_file;
        geometry_.reset();
        try {
            geometry_ = std::make_shared<core::ModelGeometry>(core::modelGeometry(model_file));
        } catch (const std::exception& e) {
            log::ui()->debug("no mask outline: {}", e.what());
        }
    }
    QPainterPath outline;
    if (!geometry_) return outline;
    try {
        const core::Crop crop = core::computeCrop(face, geometry_->crop);
        const cv::Mat hard = core::pasteMask(face, crop, geometry_->mask);
        for (const auto& poly : core::maskOutline(hard, crop, core::CompositeParams::defaults().feather_px)) {
            // + 0.5: core puts pixel centres at integers, QPainter at half pixels.
            outline.moveTo(poly[0].x + 0.5, poly[0].y + 0.5);
            for (size_t i = 1; i < poly.size(); ++i) outline.lineTo(poly[i].x + 0.5, poly[i].y + 0.5);
            outline.closeSubpath();
        }
    } catch (const Error& e) {  // a degenerate face: no outline
        log::ui()->debug("no mask outline: {}", e.what());
    }
    return outline;
}

}  // namespace redub::ui
