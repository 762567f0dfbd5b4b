// Text-to-speech: flite with phoneme timings, Festival HTS and eSpeak NG for audio only. The timings are the ground truth
// that drives the synthesized mouth, so they come straight from the synthesizer's
// own Segment relation, not from a re-alignment.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace redub::core::synth {

// One phone of the utterance. Names are flite's US English phone set
// (CMU/ARPAbet, lower case, "pau" for silence).
struct Phone {
    std::string name;
    double start_s = 0.0;
    double end_s = 0.0;
};

struct Speech {
    std::vector<float> samples;  // mono, [-1, 1]
    int sample_rate = 0;         // Hz
    std::vector<Phone> phones;   // contiguous, ordered, covering [0, duration]
    double durationSeconds() const {
        return sample_rate > 0 ? double(samples.size()) / sample_rate : 0.0;
    }
};

// The voices that can speak here: flite's, linked into Redub with phone timings - "slt"
// (female), "rms" (male), "awb" (male, Scottish), "kal16" (male, diphone) - and, when their
// Debian packages are installed, Festival's HTS voice "hts-slt" and eSpeak NG's "espeak-us",
// "espeak-us-f", "espeak-gb" (audio only: Speech::phones stays empty).
std::vector<std::string> availableVoices();

struct VoiceInfo {
    std::string name;
    std::string description;
};
// The voices with a line about each, best first (the order `redub-cli voices` lists).
std::vector<VoiceInfo> voiceInfos();

// Throws redub::Error(BadInput) with a message a user can act on when `text` cannot be
// spoken: empty (no letters or digits), or with characters outside ASCII (the offline
// voices speak English; the message names the first such character and where it is).
void checkSpeakableText(const std::string& text);

// Synthesizes `text` with `voice` at `rate` (1 = the voice's own pace, 0.5..2; > 1 faster).
// Throws redub::Error(BadInput) for an unknown voice, a rate out of range, or a text that
// checkSpeakableText refuses or that yields no speech.
Speech synthesize(const std::string& text, const std::string& voice = "slt", double rate = 1.0);

// Synthesizes and writes a 16-bit mono WAV at the voice's rate (written to a temporary
// file and renamed: a failure leaves no file). Returns the speech.
Speech writeSpeechWav(const std::string& text, const std::string& voice, double rate,
                      const std::filesystem::path& out);

}  // namespace redub::core::synth
