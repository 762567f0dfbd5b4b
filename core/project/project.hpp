// The Redub project document: what the editor saves and the dub job reads.
//
// A project is a small JSON file (extension .redub, documented in
// docs/editor.md). Plain C++20 + nlohmann-json so the CLI and tests can read it
// without Qt. Paths are stored relative to the project file's folder when they
// live below it, so a project folder can be moved as a whole.
//
//   core::Project p = core::Project::defaults();
//   p.video_path = "clip.mp4";
//   p.speech_path = "dub-fr.wav";
//   p.offset_samples = 1600;                  // speech starts 100 ms later
//   p.ranges = {{25, 75}};                    // re-sync frames 25..74 only
//   core::saveProject(p, "clip.redub");       // throws redub::Error on failure
//   core::Project q = core::loadProject("clip.redub");
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace redub::core {

// The sample rate offset_samples is counted in (the models' audio rate).
inline constexpr int kOffsetSampleRate = 16000;
// The most sampler steps a dub may ask for (0 = the model's default); the project loader,
// validate(DubParams) and both front ends use this one bound.
inline constexpr int kMaxSamplerSteps = 1000;
// The range of the dub's articulation (Project::articulation, DubParams::articulation).
inline constexpr float kMinArticulation = 0.5f;
inline constexpr float kMaxArticulation = 2.0f;

// The current file format version; older versions are upgraded on load, newer
// ones are refused with a message.
inline constexpr int kProjectFormatVersion = 1;

// Frames [begin, end) of the source video to re-synchronise.
struct FrameRange {
    int64_t begin = 0;  // first frame (inclusive)
    int64_t end = 0;    // one past the last frame
    int64_t length() const { return end - begin; }
    bool contains(int64_t frame) const { return frame >= begin && frame < end; }
    friend bool operator==(const FrameRange&, const FrameRange&) = default;
};

// (Named FacePoint, not FaceChoice: core/face/face_track.hpp has the tracker-side FaceChoice.)
// Which face to re-synchronise when a frame shows several: the face nearest to
// a point (source pixels) in a given frame; the tracker follows it from there.
struct FacePoint {
    float x = 0;  // point in the source frame, pixels
    float y = 0;
    int64_t frame = 0;  // frame the point was chosen in
    friend bool operator==(const FacePoint&, const FacePoint&) = default;
};

// Output settings of "Export".
struct ExportSettings {
    std::filesystem::path output_path;  // empty = ask (the editor proposes <video>-redub.mp4)
    int crf = 18;                       // x264 quality, 0 (lossless) .. 51 (worst); lower is better
    std::string preset = "medium";      // x264 preset (ultrafast .. veryslow)
    friend bool operator==(const ExportSettings&, const ExportSettings&) = default;
};

struct Project {
    std::filesystem::path video_path;         // the source video (required to dub)
    std::filesystem::path speech_path;        // the new speech: an audio file or a video's audio track
    int64_t offset_samples = 0;               // speech delay at kOffsetSampleRate; > 0 = speech starts later
    std::vector<FrameRange> ranges;           // frames to re-sync; empty = the whole video
    std::optional<FacePoint> face;           // empty = the largest face in each frame
    std::filesystem::path model_path;         // empty = the bundled default model
    int steps = 0;                            // sampler steps; 0 = the model's default
    uint64_t seed = 7;                        // initial-noise seed (same seed => same frames; 7 = redub-cli dub's default)
    std::string device = "auto";              // "auto", "cpu" or "cuda"
    std::string length_policy = "ping-pong";  // see lengthPolicies()
    bool own_lips = true;                     // the speaker's own lips over the generated mouth (DubParams::source_lips)
    float articulation = 1.0f;                // with own_lips: the generated opening times this (kMin/kMaxArticulation)
    ExportSettings output;                    // export settings

    static Project defaults() { return {}; }
    friend bool operator==(const Project&, const Project&) = default;
};

// Valid values of Project::length_policy:
// "ping-pong" (default), "trim", "pad-silence", "hold-last", "loop" - the names
// of core/audio/length_policy.hpp's LengthPolicy (parseLengthPolicy reads them).
const std::vector<std::string>& lengthPolicies();
// Valid values of Project::device.
const std::vector<std::string>& devices();

// Sorts ranges, merges overlapping or touching ones and drops empty ones.
std::vector<FrameRange> normaliseRanges(std::vector<FrameRange> ranges);
// Adds [r.begin, r.end) to the selection (normalised).
std::vector<FrameRange> addRange(std::vector<FrameRange> ranges, FrameRange r);
// Removes [r.begin, r.end) from the selection (may split a range).
std::vector<FrameRange> subtractRange(const std::vector<FrameRange>& ranges, FrameRange r);

// JSON <-> Project. `base` is the folder relative paths are resolved against
// (saving stores paths below `base` relatively). fromJson throws
// Error{BadInput} naming the offending key ("ranges[1].end: must be > begin").
nlohmann::json toJson(const Project& project, const std::filesystem::path& base = {});
Project fromJson(const nlohmann::json& json, const std::filesystem::path& base = {});

// Reads a project file. Throws Error{BadInput} "<file>: line L, column C: ..." for
// malformed JSON, "<file>: <key>: ..." for wrong values, Error{Io} when unreadable.
Project loadProject(const std::filesystem::path& file);
// What loadProject does with the file's text: errors name `file` (paths resolve against its folder).
Project parseProject(const std::string& text, const std::filesystem::path& file);
// Writes atomically (temporary file + rename). Throws Error{Io} naming the file.
void saveProject(const Project& project, const std::filesystem::path& file);

}  // namespace redub::core
