// Offline voices that run as programs from Debian packages (internal to core/synth; tts.cpp
// lists and dispatches them): Festival with the HTS voice of CMU Arctic SLT (festival,
// festvox-us-slt-hts), and eSpeak NG (espeak-ng) as the fallback that speaks anything.
// They give audio only, no phone timings (the training synthesizer needs flite's voices).
#pragma once

#include "core/synth/tts.hpp"

#include <optional>
#include <string>
#include <vector>

namespace redub::core::synth {

struct ExternalVoice {
    std::string name;         // as given to --voice
    std::string description;  // one line for `redub-cli voices`
    std::vector<std::string> needs;  // files that must exist (program, voice data)
};

// Every external voice Redub knows, installed or not.
const std::vector<ExternalVoice>& externalVoices();
// The voice named `name` when it is known; `installed` says whether its files exist.
std::optional<ExternalVoice> findExternalVoice(const std::string& name);
bool installed(const ExternalVoice& voice);

// Runs the voice's program into a scratch WAV and reads it back (mono, the program's rate).
// Throws Error{Unsupported} naming the package when the voice is not installed,
// Error{Internal} when the program fails, Error{BadInput} when it produced no speech.
Speech speakExternal(const ExternalVoice& voice, const std::string& text, double rate);

}  // namespace redub::core::synth
