// Lip-sync evaluation on synthesized clips with ground truth (docs/training.md):
// dubs each clip with its own speech and with an unrelated clip's speech, measures
// the mouth opening on the output frames (dlib landmarks, synth::measuredOpening)
// and correlates it with the ground-truth opening; mouth-region SSIM of the
// reconstruction against the clip's true frames.
#pragma once

#include "core/audio/correlation.hpp"  // pearson, pearsonHighPass (the evaluation's measures)
#include "core/face/face_detector.hpp"
#include "core/face/face_track.hpp"     // followFace
#include "redub/job.hpp"

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::core {

struct EvalParams {
    std::filesystem::path model;               // model to evaluate (empty: the bundled default)
    std::vector<std::filesystem::path> clips;  // synthesized clips (clip.mp4 with clip.json beside it)
    int steps = 0;                             // sampler steps (0: the model's default)
    int chunks = 4;                            // family A: chunks generated side by side
    std::string device = "auto";
    static EvalParams defaults() { return {}; }
};

struct ClipEval {
    std::string clip;
    int64_t frames = 0;
    double r_truth = 0;      // measured opening of the clip itself vs its ground truth (measurement ceiling)
    double r_own = 0;        // output driven by its own speech vs its ground truth
    double r_still = 0;      // the clip's first frame held still, dubbed with its speech, vs its ground truth:
                             // the motion comes from the audio alone (the headline lip-sync figure)
    double r_still_unrelated = 0;  // the same still frame dubbed with the OTHER clip's speech, vs this clip's
                                   // ground truth: must be clearly below r_still (near r_chance)
    double r_still_follow = 0;     // ... and vs the other clip's ground truth (the still face follows that speech)
    double r_unrelated = 0;  // output driven by another clip's speech vs this clip's ground truth
    // Reading r_unrelated: two utterances correlate by themselves (silence at both ends,
    // similar rhythm), so even a perfect model scores r_chance there, not 0.
    double r_chance = 0;     // the other clip's ground truth vs this clip's (frames of both)
    double r_follow = 0;     // output driven by the other clip's speech vs the OTHER clip's ground truth
    double ssim_mouth = 0;   // mean SSIM (luma) of the mouth box, own-speech output vs true frames
    // The same correlations on the fast part of the openings (pearsonHighPass, kFastWindow
    // frames): two sentences no longer correlate by their shared envelope (chance ~0.03).
    double fast_truth = 0, fast_still = 0, fast_still_unrelated = 0, fast_chance = 0;
};

struct EvalReport {
    std::vector<ClipEval> clips;
    ClipEval mean;  // averages over clips
};

// Clip averages (frames summed) named `name`.
ClipEval meanOf(const std::vector<ClipEval>& clips, const std::string& name);
// One mean per group of clips, a group being the file name up to its last '-'
// ("astronaut-3.mp4" -> "astronaut"; a name without '-' is its own group), in order of
// first appearance. Empty when every clip is in one group (the overall mean says it all).
std::vector<ClipEval> groupMeans(const std::vector<ClipEval>& clips);

EvalReport evaluateLipSync(const EvalParams& params, const ProgressFn& progress = {}, std::stop_token stop = {});

}  // namespace redub::core
