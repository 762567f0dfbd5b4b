// Photo -> talking video: the photo given natural small head motion and blinks by the
// synthesizer's renderer (mouth closed), then dubbed by the diffusion model with the speech
// (an audio file, or text spoken by an offline voice), autoregressively from the identity
// frame like any dub. One job with one progress callback and one stop token.
//
//   auto p = core::AnimateParams::defaults();
//   p.photo = "me.jpg"; p.text = "Hello world"; p.output = "me-talking.mp4";
//   core::AnimateReport r = core::runAnimate(p, onProgress, stop);
#pragma once

#include "core/dub/dub.hpp"

#include <filesystem>
#include <stop_token>
#include <string>

namespace redub::core {

struct AnimateParams {
    std::filesystem::path photo;   // a photo with a face (jpg, png, ...)
    std::filesystem::path speech;  // the speech: an audio file (or a video's audio track) ...
    std::string text;              // ... or text, spoken by `voice` at `rate` (speech empty)
    std::string voice = "slt";
    double rate = 1.0;
    std::filesystem::path output;  // the MP4 to write (temporary file + rename; nothing on failure)
    double fps = 25.0;             // output frame rate
    int width = 0, height = 0;     // output size (the photo scaled to cover it, centred); 0: the photo's,
    int max_side = 720;            //   downscaled so its longer side is at most max_side
    uint64_t seed = 1;             // head motion and blink timing
    DubParams dub = DubParams::defaults();  // model, steps, device, threads... (video/speech/output are set here)
    static AnimateParams defaults() { return {}; }
};

struct AnimateReport {
    DubReport dub;
    double speech_s = 0;  // length of the speech (= of the video)
    double render_s = 0;  // time spent rendering the moving still
};

// Throws redub::Error naming the file and the problem: no face in the photo, unreadable
// speech, text the voices cannot speak, unknown voice (all BadInput, before anything is
// written), Cancelled on stop. Temporary files are always removed.
AnimateReport runAnimate(const AnimateParams& params, const ProgressFn& progress = {}, std::stop_token stop = {});

}  // namespace redub::core
