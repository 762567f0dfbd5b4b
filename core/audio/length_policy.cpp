#include "core/audio/length_policy.hpp"

#include "redub/error.hpp"

#include <array>
#include <cctype>
#include <string>

namespace redub::core {
namespace {

constexpr std::array<std::pair<LengthPolicy, std::string_view>, 5> kNames = {{
    {LengthPolicy::Trim, "trim"},
    {LengthPolicy::PadSilence, "pad-silence"},
    {LengthPolicy::HoldLast, "hold-last"},
    {LengthPolicy::Loop, "loop"},
    {LengthPolicy::PingPong, "ping-pong"},
}};

}  // namespace

LengthPolicy parseLengthPolicy(std::string_view text) {
    std::string key;
    for (char ch : text) key += ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& [policy, name] : kNames)
        if (key == name) return policy;
    fail(ErrorKind::BadInput, "length policy '" + std::string(text) +
                                  "' is unknown; use one of trim, pad-silence, hold-last, loop, ping-pong");
}

std::string_view toString(LengthPolicy policy) {
    for (const auto& [p, name] : kNames)
        if (p == policy) return name;
    return "unknown";
}

int64_t speechFrameCount(int64_t speech_samples, int sample_rate, Rational fps) {
    if (speech_samples < 0) fail(ErrorKind::BadInput, "speech length is negative");
    if (sample_rate <= 0) fail(ErrorKind::BadInput, "speech sample rate must be positive");
    if (!fps.valid() || fps.num <= 0) fail(ErrorKind::BadInput, "frame rate " + fps.toString() + " is not positive");
    // ceil(samples * num / (rate * den))
    const __int128 a = static_cast<__int128>(speech_samples) * fps.num;
    const __int128 b = static_cast<__int128>(sample_rate) * fps.den;
    return static_cast<int64_t>((a + b - 1) / b);
}

int64_t outputFrameCount(int64_t n_video_frames, Rational fps, int64_t speech_samples, int sample_rate,
                         LengthPolicy policy) {
    if (n_video_frames < 0) fail(ErrorKind::BadInput, "video frame count is negative");
    const int64_t n_speech = speechFrameCount(speech_samples, sample_rate, fps);
    if (n_video_frames == 0) return 0;  // nothing to show, whatever the speech
    switch (policy) {
        case LengthPolicy::Trim:
            return std::min(n_video_frames, n_speech);
        case LengthPolicy::PadSilence:
            return n_video_frames;
        case LengthPolicy::HoldLast:
        case LengthPolicy::Loop:
        case LengthPolicy::PingPong:
            return std::max(n_video_frames, n_speech);
    }
    fail(ErrorKind::Internal, "outputFrameCount: unknown length policy");
}

int64_t sourceFrameFor(int64_t i, int64_t n, LengthPolicy policy) {
    if (n <= 0) fail(ErrorKind::BadInput, "the video has no frames");
    if (i < 0) fail(ErrorKind::BadInput, "output frame " + std::to_string(i) + " is negative");
    switch (policy) {
        case LengthPolicy::Trim:
        case LengthPolicy::PadSilence:
            if (i >= n)
                fail(ErrorKind::BadInput, "output frame " + std::to_string(i) + " is past the video's " +
                                              std::to_string(n) + " frames (policy " + std::string(toString(policy)) +
                                              ")");
            return i;
        case LengthPolicy::HoldLast:
            return std::min(i, n - 1);
        case LengthPolicy::Loop:
            return i % n;
        case LengthPolicy::PingPong: {
            if (n == 1) return 0;
            const int64_t period = 2 * (n - 1);  // 0 1 .. n-1 n-2 .. 1 | 0 1 ..
            const int64_t r = i % period;
            return r < n ? r : period - r;
        }
    }
    fail(ErrorKind::Internal, "sourceFrameFor: unknown length policy");
}

}  // namespace redub::core
