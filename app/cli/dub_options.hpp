// The dub options shared by `redub-cli dub` and `redub-cli bench dub`.
#pragma once

#include "cli/args.hpp"
#include "core/dub/dub.hpp"
#include "redub/file.hpp"

#include <optional>
#include <set>
#include <stop_token>
#include <string>

namespace redub::cli {

// --video --audio --model --steps --seed --device --threads --range (repeatable)
// --offset-ms --face X,Y@T --length-policy --chunks --batch --crf --preset
// --blend-frames --no-colour-match --no-texture --json-progress, -o
std::set<std::string> dubOptionNames();

// Parses everything but -o. Times (ranges, --face @T) are seconds ("1.5") or
// frames ("37f"); ranges are START-END. Throws Error{BadInput} naming the option.
core::DubParams dubParamsFrom(const Args& args);

// The speech given as text: --text "..." or --text-file F (nullopt when neither; both, or an
// unreadable file: Error{BadInput} naming it). The text is not checked here.
std::optional<std::string> speechTextFrom(const Args& args);

// The job `dub` runs: the parameters of a project (--project P, with -o overriding its export
// path) or of the options (-o required). Throws Error{BadInput} naming the option or file.
core::DubParams dubJobParams(const Args& args);

// The rest of what `dub` does before the job runs: speech given as text is spoken into a hidden
// WAV beside the output (kept in `scratch`, removed with it), --auto-offset is measured. Throws
// Error naming the file or option; --voice/--rate without text are refused.
void completeDubParams(const Args& args, core::DubParams& p, ScratchPaths& scratch, const std::stop_token& stop);

extern const char* const kDubUsage;

}  // namespace redub::cli
