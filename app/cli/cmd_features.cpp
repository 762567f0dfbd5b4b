// redub-cli features: an audio file -> its mel spectrogram as .npy, and with --fps
// the per-frame window table as JSON (docs/audio-features.md).
#include "cli/commands.hpp"
#include "core/audio/align.hpp"
#include "core/audio/length_policy.hpp"
#include "core/audio/mel.hpp"
#include "media/audio_reader.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

namespace redub::cli {
namespace {

namespace fs = std::filesystem;

// "25", "30000/1001", or a decimal; 23.976, 29.97, 59.94 (any non-integer within
// 0.0015 of N*1000/1001) mean the NTSC rational N*1000/1001.
Rational parseFps(const std::string& text) {
    auto bad = [&]() -> Rational {
        fail(ErrorKind::BadInput, "option --fps: '" + text + "' is not a frame rate (25, 30000/1001 or 29.97)");
    };
    try {
        size_t used = 0;
        if (const auto slash = text.find('/'); slash != std::string::npos) {
            const long long num = std::stoll(text.substr(0, slash), &used);
            if (used != slash) return bad();
            const long long den = std::stoll(text.substr(slash + 1), &used);
            if (used != text.size() - slash - 1 || num <= 0 || den <= 0) return bad();
            return Rational(num, den);
        }
        const double v = std::stod(text, &used);
        if (used != text.size() || !(v > 0) || v > 10000) return bad();
        if (v == std::floor(v)) return Rational(int64_t(v));
        const double ntsc = std::round(v * 1.001);
        if (std::abs(v - ntsc * 1000.0 / 1001.0) < 0.0015) return Rational(int64_t(ntsc) * 1000, 1001);
        return Rational(std::llround(v * 1000000), 1000000);  // plain decimal, micro-frame precision
    } catch (const Error&) {
        throw;
    } catch (...) {
        return bad();
    }
}

core::WindowParams::Anchor parseAnchor(const std::string& text) {
    using A = core::WindowParams::Anchor;
    if (text == "start") return A::Start;
    if (text == "centre" || text == "center") return A::Centre;
    if (text == "diff2lip") return A::Diff2Lip;
    fail(ErrorKind::BadInput, "option --anchor: '" + text + "' is unknown; use start, centre or diff2lip");
}

const char* anchorName(core::WindowParams::Anchor a) {
    using A = core::WindowParams::Anchor;
    switch (a) {
        case A::Start:
            return "start";
        case A::Centre:
            return "centre";
        case A::Diff2Lip:
            return "diff2lip";
    }
    return "?";
}


// NumPy .npy v1.0: magic, header length, a Python dict literal padded with spaces to a
// multiple of 64 bytes and ending in '\n', then little-endian float32 data in C order.
void writeNpy(std::ostream& out, const core::Mel& mel) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(mel.n_mels) + ", " +
                         std::to_string(mel.n_cols) + "), }";
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    const uint16_t len = static_cast<uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_le[2] = {char(len & 0xff), char(len >> 8)};
    out.write(len_le, 2);
    out.write(header.data(), std::streamsize(header.size()));
    static_assert(std::endian::native == std::endian::little, "the .npy writer assumes a little-endian host");
    out.write(reinterpret_cast<const char*>(mel.data.data()), std::streamsize(mel.data.size() * sizeof(float)));
}

fs::path defaultTablePath(const fs::path& npy) {
    fs::path p = npy;
    return p.replace_extension(".windows.json");
}

}  // namespace

extern const char* const kFeaturesUsage;  // registry.cpp
const char* const kFeaturesUsage =
    "usage: redub-cli features --audio A -o MEL.npy [--fps R] [options]\n"
    "  --audio A         any audio file, or a video's audio track (decoded to 16 kHz mono)\n"
    "  -o MEL.npy        the mel matrix, float32 [bands, columns] in normalised units\n"
    "  --variant V       wav2lip (default: 80 bands, 80 columns/s) | seed000 (256 bands, 50 columns/s)\n"
    "  --fps R           also write the per-frame window table: 25, 30000/1001 or 29.97\n"
    "  --offset-ms X     the speech starts X ms later (negative: earlier); default 0\n"
    "  --anchor A        start | centre | diff2lip (default: start for wav2lip, centre for seed000)\n"
    "  --cols N          columns per window (default 16 for wav2lip, 5 for seed000)\n"
    "  --neighbours K    also list the windows of frames i-K .. i+K (default 0)\n"
    "  --frames N        frames in the table (default: enough to cover the speech and its offset)\n"
    "  --windows T.json  where the table goes (default: MEL.windows.json)";

int cmdFeatures(const Args& args) {
    args.allowOnly(
        {"audio", "output", "variant", "fps", "offset-ms", "anchor", "cols", "neighbours", "frames", "windows"});
    const fs::path audio_path = args.require("audio");
    const fs::path npy_path = args.require("output");

    const std::string variant = args.get("variant", "wav2lip");
    core::MelParams mp;
    core::WindowParams wp;
    if (variant == "wav2lip") {
        mp = core::MelParams::defaults();
        wp = core::WindowParams::defaults();
    } else if (variant == "seed000") {
        mp = core::MelParams::seed000();
        wp = core::WindowParams::seed000();
    } else {
        fail(ErrorKind::BadInput, "option --variant: '" + variant + "' is unknown; use wav2lip or seed000");
    }
    if (auto a = args.get("anchor")) wp.anchor = parseAnchor(*a);
    wp.cols = int(args.getInt("cols", wp.cols));
    if (wp.cols < 1 || wp.cols > 10000) fail(ErrorKind::BadInput, "option --cols must be in 1..10000");
    wp.neighbours = int(args.getInt("neighbours", 0));
    if (wp.neighbours < 0 || wp.neighbours > 1000) fail(ErrorKind::BadInput, "option --neighbours must be in 0..1000");
    const double offset_ms = args.getDouble("offset-ms", 0.0);
    if (!std::isfinite(offset_ms) || std::abs(offset_ms) > 24.0 * 3600 * 1000)
        fail(ErrorKind::BadInput, "option --offset-ms must be a number of milliseconds within a day");
    const int64_t offset_samples = std::llround(offset_ms * mp.sample_rate / 1000.0);
    std::optional<Rational> fps;
    if (auto f = args.get("fps")) fps = parseFps(*f);
    if (!fps && (args.has("frames") || args.has("windows")))
        fail(ErrorKind::BadInput, "options --frames and --windows need --fps");

    const media::AudioBuffer pcm = media::readAudio(audio_path, mp.sample_rate, 1);
    const core::Mel mel = core::melSpectrogram(pcm.samples, mp);
    writeFileAtomically(npy_path, [&](std::ostream& out) { writeNpy(out, mel); });
    std::printf("mel: %d x %lld (%.3f s of audio, %g columns/s) -> %s\n", mel.n_mels, (long long)mel.n_cols,
                pcm.duration_s(), mp.columnsPerSecond(), npy_path.string().c_str());
    if (!fps) return 0;

    const int64_t n_samples = int64_t(pcm.samples.size());
    int64_t n_frames = core::speechFrameCount(std::max<int64_t>(0, n_samples + offset_samples), mp.sample_rate, *fps);
    n_frames = args.getInt("frames", n_frames);
    if (n_frames < 0 || n_frames > 100000000) fail(ErrorKind::BadInput, "option --frames must be in 0..100000000");

    // One compact line per frame keeps an hour-long table readable with grep and head.
    std::string frame_lines;
    for (int64_t i = 0; i < n_frames; ++i) {
        nlohmann::ordered_json starts = nlohmann::ordered_json::array();
        int64_t padded = 0;
        for (int64_t k = -wp.neighbours; k <= wp.neighbours; ++k) {
            const int64_t s = core::windowStartColumn(i + k, *fps, mp, wp, offset_samples);
            starts.push_back(s);
            padded += std::max<int64_t>(0, std::min<int64_t>(wp.cols, -s)) +
                      std::max<int64_t>(0, std::min<int64_t>(wp.cols, s + wp.cols - mel.n_cols));
        }
        const nlohmann::ordered_json f = {{"frame", i},
                                          {"time_s", double(i) * double(fps->den) / double(fps->num)},
                                          {"start", starts[size_t(wp.neighbours)]},
                                          {"starts", starts},
                                          {"padded_columns", padded}};
        frame_lines += (i ? ",\n  " : "\n  ") + f.dump();
    }
    const nlohmann::ordered_json meta = {
        {"audio", audio_path.string()},
        {"sample_rate", mp.sample_rate},
        {"samples", n_samples},
        {"fps", fps->toString()},
        {"offset_samples", offset_samples},
        {"mel",
         {{"file", npy_path.string()},
          {"variant", variant},
          {"n_mels", mel.n_mels},
          {"n_cols", mel.n_cols},
          {"hop", mp.hop},
          {"columns_per_second", mp.columnsPerSecond()},
          {"silence", melSilenceValue(mp)}}},
        {"window", {{"anchor", anchorName(wp.anchor)}, {"cols", wp.cols}, {"neighbours", wp.neighbours}}},
    };
    std::string text = meta.dump(1);
    text.resize(text.rfind('}'));  // reopen the object to append the frames
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    text += ",\n \"frames\": [" + frame_lines + "\n ]\n}\n";
    const fs::path table_path = args.has("windows") ? fs::path(args.require("windows")) : defaultTablePath(npy_path);
    writeFileAtomically(table_path, [&](std::ostream& out) { out << text; });
    std::printf("windows: %lld frames at %s fps (%s, %d columns, +-%d neighbours, offset %lld samples) -> %s\n",
                (long long)n_frames, fps->toString().c_str(), anchorName(wp.anchor), wp.cols, wp.neighbours,
                (long long)offset_samples, table_path.string().c_str());
    return 0;
}

}  // namespace redub::cli
