// Landmark-driven re-animation of a real face: moves the lips, jaw and eyelids
// of a photo or video frame to given mouth parameters with a thin-plate-spline
// warp, then renders the mouth interior (cavity, teeth, tongue) inside the new
// inner-lip contour with colours taken from the face's own lips and skin.
#pragma once

#include <opencv2/core.hpp>

#include <array>

namespace redub::core::synth {

using Landmarks68 = std::array<cv::Point2f, 68>;  // iBUG 68-point layout (dlib)

// The mouth shape a frame is rendered with (the synthesizer's ground truth, core/synth/visemes).
struct MouthParams {
    float opening = 0.0f;   // 0 = lips closed, 1 = widest "aa" (jaw drop + lip gap)
    float width = 0.0f;     // -1 = narrow, 0 = rest, +1 = spread ("ee")
    float rounding = 0.0f;  // 0 = none, 1 = fully rounded/protruded ("oo")
};

// Small rigid head motion applied to the whole frame (about the face centre).
struct HeadPose {
    float rotation_deg = 0.0f;
    float shift_x_px = 0.0f;
    float shift_y_px = 0.0f;
    float scale = 1.0f;
};

struct FrameControls {
    MouthParams mouth;
    float blink = 0.0f;  // 0 = eyes as in the source, 1 = closed
    HeadPose pose;
};

// Lip gap / mouth width measured on landmarks (0 for closed lips, ~0.5 wide open):
// the same measure evaluation applies to generated frames.
float measuredOpening(const Landmarks68& lm);

// Where the landmarks of `source` go for `controls` (before head pose).
Landmarks68 targetLandmarks(const Landmarks68& source, const FrameControls& controls);

// Renders one frame. `rgb` is CV_8UC3 RGB; `landmarks` are its 68 points.
// `out_landmarks` (optional) receives the landmarks of the rendered frame.
cv::Mat renderFrame(const cv::Mat& rgb, const Landmarks68& landmarks, const FrameControls& controls,
                    Landmarks68* out_landmarks = nullptr);

// How the inside of the mouth is painted. The synthesizer's (the defaults, its training data
// since session 1) lights a tongue that rises to 45 % of the opening in the lips' own colour,
// with lower teeth on wide openings. A landmark fit reads that lip-coloured tongue as the
// lower lip, so the opening it measures saturates (tests/core_face/test_source_lips).
struct InteriorStyle {
    float tongue_rise = 0.45f;  // how far the tongue's dome rises, fraction of the opening
    float tongue_light = 1.0f;  // its brightness, relative to the lit tongue
    bool lower_teeth = true;    // lower teeth on openings wider than 0.35

    // A low tongue in the mouth's shadow and no lower teeth: the lips' inner edge is the only
    // edge between lip and dark (used by the dub's own lips, core/dub/source_lips).
    static InteriorStyle inShadow() { return {0.2f, 0.5f, false}; }
};

// Paints cavity, teeth and tongue inside the inner-lip contour of `landmarks` (renderFrame's
// interior, its opening read from the contour's gap); nothing when the lips meet. It is
// blurred at least by `camera_blur_px` (the picture's own blur, so a soft video gets no
// crisper teeth than its lips).
void renderMouthInterior(cv::Mat& frame, const Landmarks68& landmarks, float camera_blur_px = 0.f,
                         const InteriorStyle& style = {});

// The face in `rgb` (landmarks `source`) warped so its landmarks sit at `target`: a
// thin-plate spline through the landmarks, the border of `roi` fixed. Returns the warped
// pixels of `roi` (clipped to the image; empty if nothing is left). Used by the dub to lay
// the speaker's own lips over a generated mouth shape (core/dub/source_lips.hpp).
cv::Mat warpFaceTo(const cv::Mat& rgb, const Landmarks68& source, const Landmarks68& target, const cv::Rect& roi);

}  // namespace redub::core::synth
