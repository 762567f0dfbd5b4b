// Phones -> visemes -> per-frame mouth parameters, with coarticulation.
//
// Coarticulation follows the Cohen-Massaro dominance model: every phone pulls
// each mouth parameter toward its target with a dominance that decays
// exponentially away from the phone's centre; the value at time t is the
// dominance-weighted mean of the targets. Bilabials (p b m) have a high, sharp
// dominance on the opening so the lips really close; vowels dominate broadly.
#pragma once

#include "core/face/face_warp.hpp"  // MouthParams: the ground truth a synthesized frame is rendered from
#include "core/synth/tts.hpp"

#include <string>
#include <vector>

namespace redub::core::synth {

struct VisemeTarget {
    MouthParams params;
    float dominance = 1.0f;  // peak dominance (how strongly the phone imposes its shape)
    float rate = 12.0f;      // decay rate of the dominance, 1/s (higher = more local)
};

// Target for a flite phone name; unknown names map to a neutral half-open shape.
VisemeTarget visemeFor(const std::string& phone);

// Mouth parameters at time t (seconds).
MouthParams mouthAt(const std::vector<Phone>& phones, double t_s);

// One set of parameters per video frame; frame i covers [i/fps, (i+1)/fps) and is
// sampled at its centre. `frames` <= 0 means "as many as the phones last".
std::vector<MouthParams> mouthTrack(const std::vector<Phone>& phones, double fps, int frames = 0);

}  // namespace redub::core::synth
