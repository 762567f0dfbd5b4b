// The talking-face synthesizer job: a real face (photo or video) + text ->
// an MP4 whose lips, jaw and eyelids move with flite speech (the audio track),
// and a JSON file with the per-frame ground-truth mouth parameters.
//
//   auto p = core::synth::SynthParams::defaults();
//   p.face = "grace_hopper.jpg"; p.text = "Hello there."; p.voice = "slt";
//   auto r = core::synth::synthesizeClip(p, "clip.mp4", onProgress, stop);
//   // clip.mp4 + clip.json (r.json_path)
#pragma once

#include "core/face/face_warp.hpp"
#include "core/synth/tts.hpp"
#include "core/synth/visemes.hpp"
#include "redub/job.hpp"

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::core::synth {

struct SynthParams {
    std::filesystem::path face;  // photo (jpg/png/...) or video (its frames are used in order)
    std::string text;            // what the face says; empty: a "moving still" of `duration_s`
                                 // (mouth closed, head motion and blinks, no audio, no JSON)
    double duration_s = 0;       // length of a moving still (text empty)
    double rate = 1.0;           // speaking rate (synthesize())
    std::string voice = "slt";   // flite voice (availableVoices())
    double fps = 25.0;           // output frame rate
    int max_side = 640;          // frames are downscaled so the longer side is at most this (0 = keep)
    int width = 0, height = 0;   // photos: the output size exactly (scaled to cover it, centred; 0 = max_side)
    int64_t start_frame = 0;     // video input: first source frame used
    bool head_motion = true;     // photos: add small smooth head motion
    bool blinks = true;          // photos: add blinks every few seconds
    double lead_in_s = 0.3;      // silence (closed mouth) before and after the speech
    uint64_t seed = 1;           // motion/blink randomness
    int crf = 18;                // x264 quality of the clip
    static SynthParams defaults() { return {}; }
};

struct SynthFrame {
    MouthParams mouth;           // the ground truth the frame was rendered from
    float blink = 0.0f;
    float landmark_opening = 0;  // measuredOpening() of the rendered landmarks
};

struct SynthResult {
    std::filesystem::path video_path, json_path;
    int64_t frames = 0;
    double duration_s = 0;
    std::vector<SynthFrame> frame_truth;
    std::vector<Phone> phones;   // timings on the clip's timeline (lead-in included)
};

// Writes `out` (MP4 with the speech as AAC) and `out` with extension .json.
// Throws Error{BadInput} naming the face file when it cannot be read or holds no face.
SynthResult synthesizeClip(const SynthParams& params, const std::filesystem::path& out,
                           const ProgressFn& progress = {}, std::stop_token stop = {});

// Reads the ground-truth JSON written by synthesizeClip (the "frames" array).
std::vector<SynthFrame> readTruth(const std::filesystem::path& json_file);

}  // namespace redub::core::synth
