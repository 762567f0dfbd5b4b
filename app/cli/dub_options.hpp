// The dub options shared by `redub-cli dub` and `redub-cli bench dub`.
#pragma once

#include "cli/args.hpp"
#include "core/dub/dub.hpp"

#include <optional>
#include <set>
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

extern const char* const kDubUsage;

}  // namespace redub::cli
