// Text-to-speech with phoneme timings (flite). The timings are the ground truth
// that drives the synthesized mouth, so they come straight from the synthesizer's
// own Segment relation, not from a re-alignment.
#pragma once

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

// Voices linked into Redub: "slt" (female), "rms" (male), "awb" (male, Scottish),
// "kal16" (male, diphone).
std::vector<std::string> availableVoices();

// Synthesizes `text` with `voice`. Throws redub::Error(BadInput) for an unknown
// voice or a text that yields no speech.
Speech synthesize(const std::string& text, const std::string& voice = "slt");

}  // namespace redub::core::synth
