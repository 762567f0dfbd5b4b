// A batch of uniformly random model inputs for a config, with the lower half masked.
#pragma once

#include "models/config.hpp"
#include "models/generator.hpp"

#include <random>
#include <vector>

namespace redub::test {

inline models::FrameBatch randomBatch(const models::ModelConfig& c, int B, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    auto fill = [&](size_t n) {
        std::vector<float> v(n);
        for (auto& x : v) x = u(g);
        return v;
    };
    const int S = c.image_size;
    models::FrameBatch b;
    b.batch = B;
    b.size = S;
    b.source = fill(size_t(B) * 3 * S * S);
    b.identity = fill(size_t(B) * 3 * S * S);
    b.mask.assign(size_t(B) * S * S, 0.f);
    for (int i = 0; i < B; ++i)
        for (int y = S / 2; y < S; ++y)
            for (int x = 0; x < S; ++x) b.mask[(size_t(i) * S + y) * S + x] = 1.f;
    b.motion = fill(size_t(B) * c.motion_frames * (c.motion_grey ? 1 : 3) * S * S);
    b.audio = fill(size_t(B) * c.audioWindows() * c.n_mels * c.audio_cols);
    return b;
}

}  // namespace redub::test
