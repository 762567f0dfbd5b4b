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

// Smaller still, for the engine's own tests (16 px, 16 mel bands): test_models_engine and
// test_models_sampling.
inline models::ModelConfig tinyEngineConfig() {
    models::ModelConfig c = models::ModelConfig::redubSmall();
    c.image_size = 16;
    c.channel_mult = {1, 1};
    c.attention_resolutions = {8};
    c.audio_channel_mult = {1, 1};
    c.n_mels = 16;
    c.audio_cols = 8;
    c.audio_neighbours = 1;
    c.default_sampling_steps = 4;
    return c;
}

}  // namespace redub::test
