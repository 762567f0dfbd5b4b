// The tiny family-A model the editor and dub tests generate with: 32 px, two levels, two
// sampler steps - random weights, fast enough for whole-clip jobs in a test.
#pragma once

#include "models/config.hpp"

namespace redub::test {

inline models::ModelConfig tinyModelConfig() {
    models::ModelConfig c = models::ModelConfig::redubSmall();
    c.image_size = 32;
    c.channel_mult = {1, 2};
    c.attention_resolutions = {};
    c.audio_neighbours = 1;
    c.audio_channel_mult = {1, 2};
    c.default_sampling_steps = 2;
    return c;
}

}  // namespace redub::test
