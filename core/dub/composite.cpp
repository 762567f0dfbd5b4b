#include "core/dub/composite.hpp"

#include "core/face/mask.hpp"
#include "redub/error.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
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
cv::Mat luma(const cv::Mat& rgb_f) {
    cv::Mat g;
    cv::cvtColor(rgb_f, g, cv::COLOR_RGB2GRAY);
    return g;
}

// The source's detail carried along with the content's motion (CompositeParams::
// detail_follows_motion), in ROI pixels: `gen` and `back` are the generated and the source
// crop warped to the ROI (both at the crop's resolution), `detail` = source - back.
// Fills `moved` (the detail fetched from where each generated pixel's content sits in the
// source), `agree` (0..1: how well the source content there matches the generated) and
// `still` (1 where the content did not move, falling to 0 at 2 px of motion).
// `crop_px` is the size of one crop pixel in ROI pixels: the generated content has no motion
// finer than that, so the flow is smoothed over it.
void detailAlongMotion(const cv::Mat& gen, const cv::Mat& back, const cv::Mat& detail, float tolerance,
                       double crop_px, cv::Mat& moved, cv::Mat& agree, cv::Mat& still) {
    // The flow is smooth (both images are low-pass): estimate it, and how well the moved
    // source agrees with the generated, at <= 256 px; only the detail is moved at full size.
    const double s = std::min(1.0, 192.0 / std::max(gen.cols, gen.rows));
    cv::Mat gl = luma(gen), bl = luma(back);
    if (s < 1.0) {
        cv::resize(gl, gl, cv::Size(), s, s, cv::INTER_AREA);
        cv::resize(bl, bl, cv::Size(), s, s, cv::INTER_AREA);
    }
    // Both lumas stretched together to the full 8-bit range (the flow works on 8-bit images;
    // low-contrast skin would otherwise lose its gradients to rounding).
    double lo0, hi0, lo1, hi1;
    cv::minMaxLoc(gl, &lo0, &hi0);
    cv::minMaxLoc(bl, &lo1, &hi1);
    const double lo = std::min(lo0, lo1), span = std::max(1.0, std::max(hi0, hi1) - lo);
    cv::Mat g8, b8;
    gl.convertTo(g8, CV_8U, 255.0 / span, -lo * 255.0 / span);
    bl.convertTo(b8, CV_8U, 255.0 / span, -lo * 255.0 / span);
    cv::Mat flow;
    auto dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
    dis->setFinestScale(0);  // to the working resolution's own pixels
    dis->calc(g8, b8, flow);  // gen(p) ~ back(p + flow(p))
    cv::GaussianBlur(flow, flow, cv::Size(0, 0), std::max(1.0, crop_px * s));
    // Flow under 1 px (ROI pixels) on unchanged content is estimation noise: such pixels stay
    // where they are (ramping in from 1 to 2 px), so unchanged skin keeps its detail in place.
    auto ramp = [](const cv::Mat& f, double px_per_unit, cv::Mat& map, cv::Mat* st) {
        map.create(f.size(), CV_32FC2);
        if (st) st->create(f.size(), CV_32F);
        for (int y = 0; y < f.rows; ++y) {
            const cv::Vec2f* fr = f.ptr<cv::Vec2f>(y);
            cv::Vec2f* m = map.ptr<cv::Vec2f>(y);
            for (int x = 0; x < f.cols; ++x) {
                const float len = std::sqrt(fr[x][0] * fr[x][0] + fr[x][1] * fr[x][1]) * float(px_per_unit);
                const float k = std::clamp(len - 1.f, 0.f, 1.f);
                m[x] = cv::Vec2f(float(x) + k * fr[x][0], float(y) + k * fr[x][1]);
                if (st) st->at<float>(y, x) = 1.f - k;
            }
        }
    };
    // Agreement at the working size: the source luma fetched along the flow vs the generated.
    cv::Mat map_small, bl_moved;
    ramp(flow, 1.0 / s, map_small, nullptr);
    cv::remap(bl, bl_moved, map_small, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat d = (gl - bl_moved) * (1.f / tolerance);
    cv::multiply(d, d, d);
    cv::exp(-d, agree);
    if (s < 1.0) {
        cv::resize(agree, agree, gen.size(), 0, 0, cv::INTER_LINEAR);
        cv::resize(flow, flow, gen.size(), 0, 0, cv::INTER_LINEAR);
        flow *= 1.0 / s;
    }
    cv::Mat map;
    ramp(flow, 1.0, map, &still);
    cv::remap(detail, moved, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
}
// Two band-pass layers of `img` (float, any channels) at the crop pixel's scale (ROI pixels):
// fine = img - blur(s1), coarse = blur(s1) - blur(s2).
void bands(const cv::Mat& img, double crop_px, cv::Mat& fine, cv::Mat& coarse) {
    const double s1 = std::max(0.6, 0.5 * crop_px), s2 = std::max(1.2, 1.0 * crop_px);
    cv::Mat b1, b2;
    cv::GaussianBlur(img, b1, cv::Size(0, 0), s1);
    cv::GaussianBlur(img, b2, cv::Size(0, 0), s2);
    fine = img - b1;
    coarse = b1 - b2;
}

// The least-squares gains (a1, a2) that best predict the source's lost detail
// (luma of `detail` = src - back) from the bands of `back`, over `region` (CV_8U). Clamped to
// [0, 4]: the fit adds detail, never removes it. {0, 0} when the region is too small.
cv::Vec2d fitEdgeGains(const cv::Mat& back, const cv::Mat& detail, const cv::Mat& region, double crop_px) {
    if (cv::countNonZero(region) < 64) return {0, 0};
    cv::Mat f, c;
    bands(luma(back), crop_px, f, c);
    const cv::Mat d = luma(detail);
    double ff = 0, fc = 0, cc = 0, fd = 0, cd = 0;
    for (int y = 0; y < d.rows; ++y) {
        const uchar* m = region.ptr<uchar>(y);
        const float *fr = f.ptr<float>(y), *cr = c.ptr<float>(y), *dr = d.ptr<float>(y);
        for (int x = 0; x < d.cols; ++x) {
            if (!m[x]) continue;
            ff += double(fr[x]) * fr[x];
            fc += double(fr[x]) * cr[x];
            cc += double(cr[x]) * cr[x];
            fd += double(fr[x]) * dr[x];
            cd += double(cr[x]) * dr[x];
        }
    }
    const double det = ff * cc - fc * fc;
    if (!(det > 1e-9 * std::max(1.0, ff * cc))) return {0, 0};
    const double a1 = (fd * cc - cd * fc) / det, a2 = (cd * ff - fd * fc) / det;
    return {std::clamp(a1, 0.0, 4.0), std::clamp(a2, 0.0, 4.0)};
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
    // With detail_follows_motion, keep is limited to content that did not move, and the
    // rest of the region gets the detail carried along the content's motion:
    // + (1 - keep) * agree * moved_detail.
    cv::Mat detail, keep, moved, agree, back;
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
        const bool follow = params.detail_follows_motion && params.motion_tolerance > 0;
        if (!params.texture.empty() && !follow) cv::max(k, params.texture, k);
        cv::warpAffine(k, keep, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                       cv::Scalar(0));
        cv::warpAffine(src_crop, back, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
        frame(roi).convertTo(detail, CV_32FC3);
        detail -= back;
        if (follow) {
            cv::Mat still;
            detailAlongMotion(g, back, detail, params.motion_tolerance, 1.0 / std::max(1e-6, crop.scale()), moved,
                              agree, still);
            // Content that moved takes its detail from where it came from, even where the
            // moved content happens to match what was there before (the inside of a lip band
            // that slid down over itself): the unmoved detail would show the old texture.
            keep = keep.mul(still);
            if (!params.texture.empty()) {  // the skin keeps its (moved) detail whatever the content
                cv::Mat t;
                cv::warpAffine(params.texture, t, q2c, roi.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                               cv::BORDER_CONSTANT, cv::Scalar(0));
                cv::max(agree, t, agree);
            }
        }
    }

    // Edge restoration: the detail predicted from the generated content, where neither the
    // unmoved nor the moved source detail applies (weight (1 - keep)(1 - agree)).
    cv::Mat edges;
    if (params.restore_edges && !detail.empty()) {
        const double crop_px = 1.0 / std::max(1e-6, crop.scale());
        const cv::Vec2d a = fitEdgeGains(back, detail, w > 0.5f, crop_px);
        if (a[0] > 0 || a[1] > 0) {
            cv::Mat f, c;
            bands(g, crop_px, f, c);
            edges = f * a[0] + c * a[1];
        }
    }

    cv::Mat out = frame(roi);
    for (int y = 0; y < roi.height; ++y) {
        const float* wr = w.ptr<float>(y);
        const cv::Vec3f* gr = g.ptr<cv::Vec3f>(y);
        const cv::Vec3f* dr = detail.empty() ? nullptr : detail.ptr<cv::Vec3f>(y);
        const float* kr = keep.empty() ? nullptr : keep.ptr<float>(y);
        const cv::Vec3f* mr = moved.empty() ? nullptr : moved.ptr<cv::Vec3f>(y);
        const float* ar = agree.empty() ? nullptr : agree.ptr<float>(y);
        const cv::Vec3f* er = edges.empty() ? nullptr : edges.ptr<cv::Vec3f>(y);
        cv::Vec3b* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < roi.width; ++x) {
            const float a = wr[x];
            if (a <= 0.f) continue;  // untouched: bit-identical to the source
            for (int c = 0; c < 3; ++c) {
                const float s = o[x][c];
                float v = dr ? gr[x][c] + kr[x] * dr[x][c] : gr[x][c];
                if (mr) v += (1.f - kr[x]) * ar[x] * mr[x][c];
                if (er) v += (1.f - kr[x]) * (1.f - (ar ? ar[x] : 0.f)) * er[x][c];
                o[x][c] = cv::saturate_cast<uchar>(s + a * (v - s));
            }
        }
    }
}

}  // namespace redub::core
