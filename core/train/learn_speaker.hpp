// "Learn this speaker": fine-tunes a model on the user's own clip (its own soundtrack is
// real talking-face data), holding out the clip's last part to measure the result.
//
//   auto p = core::LearnSpeakerParams::defaults();
//   p.video = "talk.mp4"; p.out = "talk.speaker.safetensors"; p.minutes = 10;
//   core::LearnSpeakerReport r = core::learnSpeaker(p, onProgress, stop);
//   // r.before / r.after: lip sync and sharpness on the held-out part
//
// Stages (Progress::stage): "dataset" (face crops + mel windows of the training part,
// cached in "<out>.data/"), "measure" (the starting model on the held-out part), "train",
// "measure" again (the new model). The model is trained into "<out>.learning.safetensors"
// (checkpointed; a cancelled run resumes from there next time) and renamed to `out` only
// when training and measuring finished: a cancel or an error leaves `out` as it was.
// "<out>.json" keeps the report next to the model.
#pragma once

#include "redub/job.hpp"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>

namespace redub::core {

struct LearnSpeakerParams {
    std::filesystem::path video;          // the speaker talking, with their own speech as the audio
    std::filesystem::path from;           // starting model (empty: the bundled default)
    std::filesystem::path out;            // the speaker's model (.safetensors)
    double minutes = 10;                  // training time (wall clock)
    int64_t steps = 0;                    // or a number of optimiser steps (> 0 wins over minutes)
    double holdout_fraction = 0.2;        // the clip's last part, never trained on (at least 2 s)
    double measure_seconds = 6;           // held-out speech used to measure (at most)
    int batch = 8;                        // frames per training step
    int threads = 0;                      // LibTorch threads (0: one per core)
    std::string device = "auto";
    static LearnSpeakerParams defaults() { return {}; }
};

// How a model does on the held-out part: the frame at the start of the held-out part, held
// still (small head motion, blinks), dubbed with the held-out speech - every movement of the
// mouth must come from the audio.
struct SpeakerMeasure {
    double sync_r = 0;     // best-lag Pearson r of the mouth opening vs the speech envelope
    double sharpness = 0;  // lip sharpness of the dub / of the source frame (median over frames)
};

struct LearnSpeakerReport {
    SpeakerMeasure before, after;
    int64_t steps = 0;             // optimiser steps in total (a resumed run counts its earlier ones)
    double loss = 0, val_loss = -1;
    int64_t train_frames = 0;      // the training part: source frames [0, holdout_from)
    int64_t holdout_from = 0;      // first held-out source frame
    double holdout_from_s = 0;
    double seconds = 0;            // the whole job
    std::filesystem::path model;   // = params.out
};

// Throws redub::Error naming the file and the problem before anything is trained: no video or
// no audio stream, shorter than 4 s, no face; bad settings (BadInput); an output folder that
// does not exist (Io); Cancelled on stop (the previous `out` untouched).
LearnSpeakerReport learnSpeaker(const LearnSpeakerParams& params, const ProgressFn& progress = {},
                                std::stop_token stop = {});

// "<out>.json", written by learnSpeaker(); nullopt-like: steps == 0 when missing or unreadable.
LearnSpeakerReport readSpeakerReport(const std::filesystem::path& model);

// Whether the learned model should replace the one it started from: its lip sync on the held-out
// part is not worse than the start's by more than the measure's own noise (kLearnSyncNoise: the
// default model measured on the same clip in four runs read 0.253 to 0.289). Sharpness does not decide:
// the dub lays the speaker's own lips over either model's mouth.
inline constexpr double kLearnSyncNoise = 0.03;
bool learnedModelIsBetter(const LearnSpeakerReport& report);

// A one-paragraph summary for people ("Lip sync on the held-out 4.2 s: r 0.41 -> 0.63 ...").
std::string describe(const LearnSpeakerReport& report);

}  // namespace redub::core
