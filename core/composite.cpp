#include "core/composite.hpp"

#include "core/mask.hpp"
#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace redub::core {

namespace {
void check(const cv::Mat& frame, const cv::Mat& gen, const Crop& crop, const cv::Mat& mask) {
    if (frame.empty() || frame.type() != CV_8UC3)
        fail(ErrorKind::BadInput, "compositing: the frame must be a non-empty 8-bit RGB image");
    if (crop.size < 1) fail(ErrorKind::BadInput, "compositing: crop size is 0 (use computeCrop)");
    const cv::Size n(crop.size, crop.size);
    if (gen.type() != CV_8UC3 || gen.size() != n)
        fail(ErrorKind::BadInput, "compositing: the generated crop must be 8-bit RGB " + std::to_string(crop.size) +
                                      "x" + std::to_string(crop.size) + ", got " + std::to_string(gen.cols) + "x" +
                                      std::to_string(gen.rows));
    if (mask.type() != CV_32F || mask.size() != n)
        fail(ErrorKind::BadInput,
             "compositing: the mask must be CV_32F " + std::to_string(crop.size) + "x" + std::to_string(crop.size));
}

// Per-channel offset that makes the generated skin match the source's skin (the model's
// global colour drift): over the skin the texture map marks inside the mask (cheeks and
// chin around the mouth, whose colour does not change when the mouth moves), or without
// a texture map over a band just outside the mask.
cv::Vec3f colourOffset(const cv::Mat& frame, const cv::Mat& gen, const Crop& crop, const cv::Mat& mask,
                       const cv::Mat& texture, int feather_px) {
    const cv::Mat src = extractCrop(frame, crop);
    cv::Mat inside = mask > 0.5f;
    cv::Mat band;
    if (!texture.empty()) band = inside & (texture > 0.5f);
    if (band.empty() || cv::countNonZero(band) < 16) {
        cv::Mat grown;
        const int r = std::max(2, feather_px);
        cv::dilate(inside, grown, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1)));
        band = grown & ~inside;
    }
    if (cv::countNonZero(band) < 16) return {0, 0, 0};
    const cv::Scalar ms = cv::mean(src, band), mg = cv::mean(gen, band);
    return {float(ms[0] - mg[0]), float(ms[1] - mg[1]), float(ms[2] - mg[2])};
}
}  // namespace

void composite(cv::Mat& frame, const cv::Mat& gen, const Crop& crop, const cv::Mat& mask,
               const CompositeParams& params) {
    check(frame, gen, crop, mask);
    if (params.feather_px < 0) fail(ErrorKind::BadInput, "compositing: feather_px must be >= 0");
    if (!params.texture.empty() && (params.texture.type() != CV_32F || params.texture.size() != mask.size()))
        fail(ErrorKind::BadInput, "compositing: the texture map must be CV_32F like the mask");
    const cv::Mat weight = featherMask(mask, params.feather_px);

    // The frame region the crop covers.
    const cv::Rect roi = cropFrameBounds(crop, 1, frame.size());
    if (roi.empty()) return;

    // ROI pixel q -> crop pixel: to_crop (q + roi origin).
    const cv::Matx23d& m = crop.to_crop;
    const cv::Matx23d q2c(m(0, 0), m(0, 1), m(0, 0) * roi.x + m(0, 1) * roi.y + m(0, 2),  //
                          m(1, 0), m(1, 1), m(1, 0) * roi.x + m(1, 1) * roi.y + m(1, 2));
    cv::Mat w, g;
    cv::warpAffine(weight, w, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                   cv::Scalar(0));
    cv::Mat gen_f;
    gen.convertTo(gen_f, CV_32FC3);
    if (params.colour_match) {
        const cv::Vec3f off = colourOffset(frame, gen, crop, mask, params.texture, params.feather_px);
        gen_f += cv::Scalar(off[0], off[1], off[2]);
    }
    cv::warpAffine(gen_f, g, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);

    // Detail restoration: out = warp(gen) + keep * (src - warp(crop(src))), where
    // keep ~ 1 where gen matches the source crop. The second term is exactly the
    // detail the crop round trip loses, so unchanged content comes back exact.
    cv::Mat detail, keep;
    if (params.restore_detail && params.detail_tolerance > 0) {
        cv::Mat src_crop;
        extractCrop(frame, crop).convertTo(src_crop, CV_32FC3);
        cv::Mat d;
        cv::absdiff(gen_f, src_crop, d);
        d = d.reshape(1, crop.size * crop.size);
        cv::Mat dmax;
        cv::reduce(d, dmax, 1, cv::REDUCE_MAX);
        dmax = dmax.reshape(1, crop.size);
        cv::Mat k = dmax * (1.f / params.detail_tolerance);
        cv::multiply(k, k, k);
        cv::exp(-k, k);
        if (!params.texture.empty()) cv::max(k, params.texture, k);
        cv::warpAffine(k, keep, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                       cv::Scalar(0));
        cv::Mat back;
        cv::warpAffine(src_crop, back, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
        frame(roi).convertTo(detail, CV_32FC3);
        detail -= back;
    }

    cv::Mat out = frame(roi);
    for (int y = 0; y < roi.height; ++y) {
        const float* wr = w.ptr<float>(y);
        const cv::Vec3f* gr = g.ptr<cv::Vec3f>(y);
        const cv::Vec3f* dr = detail.empty() ? nullptr : detail.ptr<cv::Vec3f>(y);
        const float* kr = keep.empty() ? nullptr : keep.ptr<float>(y);
        cv::Vec3b* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < roi.width; ++x) {
            const float a = wr[x];
            if (a <= 0.f) continue;  // untouched: bit-identical to the source
            for (int c = 0; c < 3; ++c) {
                const float s = o[x][c];
                const float v = dr ? gr[x][c] + kr[x] * dr[x][c] : gr[x][c];
                o[x][c] = cv::saturate_cast<uchar>(s + a * (v - s));
            }
        }
    }
}

}  // namespace redub::core
