#include "media/wav_writer.hpp"

#include "redub/error.hpp"
#include "redub/file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>

namespace redub::media {

void writeWavMono16(const std::filesystem::path& out, const std::vector<float>& samples, int sample_rate) {
    if (sample_rate <= 0) fail(ErrorKind::BadInput, out, "WAV sample rate must be positive");
    writeFileAtomically(out, [&](std::ostream& f) {
        auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
        auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
        const uint32_t bytes = uint32_t(samples.size() * 2);
        f.write("RIFF", 4);
        u32(36 + bytes);
        f.write("WAVEfmt ", 8);
        u32(16);
        u16(1);  // PCM
        u16(1);  // mono
        u32(uint32_t(sample_rate));
        u32(uint32_t(sample_rate) * 2);
        u16(2);
        u16(16);
        f.write("data", 4);
        u32(bytes);
        for (float x : samples) u16(uint16_t(int16_t(std::lround(std::clamp(x, -1.f, 1.f) * 32767.f))));
    });
}

}  // namespace redub::media
