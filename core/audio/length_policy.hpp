// What to do when the new speech and the video differ in length
// (docs/audio-features.md, "Length policy").
#pragma once

#include "redub/rational.hpp"

#include <cstdint>
#include <string_view>

namespace redub::core {

enum class LengthPolicy {
    Trim,        // output = the shorter of video and speech; the longer one is cut
    PadSilence,  // output = the video's length; short speech is followed by silence (closed mouth),
                 // long speech is cut at the video's end
    HoldLast,    // output = the longer; the video is extended by repeating its last frame
    Loop,        // output = the longer; the video restarts from frame 0
    PingPong,    // output = the longer; the video plays backwards, then forwards, ... (default)
};

// PingPong: keeps all of the speech and all of the video, with no jump cut and no freeze.
constexpr LengthPolicy kDefaultLengthPolicy = LengthPolicy::PingPong;

// "trim", "pad-silence", "hold-last", "loop", "ping-pong" (case-insensitive, '_' = '-').
// Throws Error{BadInput} listing the valid names.
LengthPolicy parseLengthPolicy(std::string_view);
std::string_view toString(LengthPolicy);

// Frames needed to show speech_samples samples: ceil(speech_samples * fps / sample_rate).
int64_t speechFrameCount(int64_t speech_samples, int sample_rate, redub::Rational fps);

// Number of output frames. 0 when the video has no frames. Throws Error{BadInput}
// for negative counts, a non-positive fps or sample rate.
int64_t outputFrameCount(int64_t n_video_frames, redub::Rational fps, int64_t speech_samples, int sample_rate,
                         LengthPolicy);

// The source video frame shown at output frame `output_frame`. Throws
// Error{BadInput} when n_video_frames <= 0, output_frame < 0, or (Trim,
// PadSilence) output_frame >= n_video_frames.
int64_t sourceFrameFor(int64_t output_frame, int64_t n_video_frames, LengthPolicy);

}  // namespace redub::core
