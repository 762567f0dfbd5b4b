// The tables of sub-commands and benchmarks. Add a line here for a new command.
#include "cli/commands.hpp"

namespace redub::cli {

// Declarations of the command entry points (defined in cmd_*.cpp).
int cmdInfo(const Args&);
int cmdFeatures(const Args&);
extern const char* const kFeaturesUsage;
int cmdDub(const Args&);
int benchDub(const Args&);
extern const char* const kDubUsage;

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"info", "print versions of Redub and its libraries, and where its data is", "redub-cli info", {}, cmdInfo},
        {"features", "write an audio file's mel spectrogram (.npy) and per-frame window table (JSON)", kFeaturesUsage, {}, cmdFeatures},
        {"dub", "dub a video with new speech into an MP4 (the main job)", kDubUsage, {"json-progress", "colour-match"}, cmdDub},
    };
    return table;
}

const std::vector<Bench>& benches() {
    static const std::vector<Bench> table = {
        {"dub", "end-to-end dub: per-stage seconds, fps and peak RSS at 640x480 and 720p", benchDub},
    };
    return table;
}

}  // namespace redub::cli
