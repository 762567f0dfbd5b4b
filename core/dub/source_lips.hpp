// The speaker's own lips laid over the generated mouth shape: the model decides where the
// lips are (its mouth is measured with the 68-point fit on the composited frame), the pixels
// of the lips, chin and cheeks come from the source frame warped to that shape. The low-res
// model paints soft lips; the speaker's own lips, moved, are as sharp as the source. What has
// no counterpart in the source - the inside of an opening mouth - stays as generated, and
// the source's own mouth interior (an open mouth, teeth) is filled from the lips around it
// before the warp, so the old mouth cannot show through.
#pragma once

#include "core/face/crop.hpp"

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

namespace redub::core {

class FaceDetector;

struct SourceLipsParams {
    // A fit whose mouth point lies further than this many mouth widths from the source's
    // (a failed fit) is not used: that frame keeps the generated mouth.
    float max_offset = 0.6f;
    // ...or whose nose and eyes (unchanged by the dub) lie further than this from the source's.
    float max_upper_offset = 0.15f;
    // The inside of the new mouth: painted by the landmark renderer (cavity, teeth, tongue in
    // the face's own lip colours, blurred like the picture) - for models whose crop is too
    // small to paint teeth - or left as the model generated it.
    bool render_interior = true;
    // The generated opening times this (1: as generated): >1 opens the mouth wider on every
    // syllable (the lower lip and chin move, as a jaw would), <1 calmer.
    float articulation = 1.0f;
    static SourceLipsParams defaults() { return {}; }
};

using Landmarks68 = std::array<cv::Point2f, 68>;

// Thread-safe (one frame at a time). Loads the landmark model once (~0.7 s).

// The picture's own blur, as a Gaussian's sigma in pixels, read at the strongest edges of
// `grey` (CV_32F): the rendered mouth interior is blurred as much, so a soft webcam video
// gets no crisper teeth than its lips.
float cameraBlur(const cv::Mat& grey);

class SourceLips {
public:
    explicit SourceLips(const SourceLipsParams& params = SourceLipsParams::defaults(),
                        const std::filesystem::path& landmark_model = {});
    ~SourceLips();
    SourceLips(const SourceLips&) = delete;
    SourceLips& operator=(const SourceLips&) = delete;

    // `frame`: the composited frame (changed in place, only where `paste` (crop-size CV_32F,
    // feathered by feather_px like composite()) reaches); `source`: the same frame before
    // compositing, whose face was tracked with landmarks `tracked` (refitted on `source`
    // itself). Returns false (frame untouched) when the mouth could not be fitted. `target`
    // (optional) receives the landmarks the lips were moved to. Depends on this frame alone.
    bool apply(cv::Mat& frame, const cv::Mat& source, const Landmarks68& tracked, const Crop& crop,
               const cv::Mat& paste, int feather_px, Landmarks68* target = nullptr);

    // SourceLipsParams::articulation for the frames applied from now on.
    void setArticulation(float articulation);

    // Frames given the source lips / left as generated (no fit) so far.
    int64_t applied() const { return applied_; }
    int64_t skipped() const { return skipped_; }

private:
    SourceLipsParams params_;
    std::unique_ptr<FaceDetector> det_;
    std::mutex mutex_;
    int64_t applied_ = 0, skipped_ = 0;
};

}  // namespace redub::core
