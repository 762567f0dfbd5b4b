// redub-cli voices | say | animate: speech from text, and a photo made to talk.
#include "cli/commands.hpp"
#include "cli/dub_options.hpp"
#include "core/synth/animate.hpp"
#include "core/synth/tts.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace redub::cli {

extern const char* const kVoicesUsage =
    "redub-cli voices [--json]\n"
    "  Lists the offline voices that --text speaks with (best first).";

extern const char* const kSayUsage =
    "redub-cli say (--text \"...\" | --text-file F) [--voice V] [--rate R] -o OUT.wav\n"
    "  Speaks English text (ASCII) with an offline voice into a 16-bit mono WAV.\n"
    "  --voice V  one of `redub-cli voices` (default slt)\n"
    "  --rate R   speaking rate, 0.5..2 (default 1; > 1 is faster)";

extern const char* const kAnimateUsage =
    "redub-cli animate --photo P (--audio A | --text \"...\" | --text-file F) -o OUT.mp4 [options]\n"
    "  Makes the face in a photo talk: small natural head motion and blinks, the mouth painted\n"
    "  by the lip-sync model from the speech. The background is kept.\n"
    "  --voice V --rate R   for --text: the voice and speaking rate (redub-cli voices)\n"
    "  --fps F              output frame rate (default 25)\n"
    "  --size WxH           output size (the photo scaled to cover it, centred; even numbers);\n"
    "                       default: the photo's size, at most --max-side px (default 720)\n"
    "  --seed S             head motion and blink timing (default 1)\n"
    "  --model M --steps N --device D --threads N --audio-guidance G   as for `dub`\n"
    "Errors (no face in the photo, bad speech, text the voices cannot speak) leave no file.";

int cmdVoices(const Args& args) {
    args.allowOnly({"json"});
    const auto voices = core::synth::voiceInfos();
    if (args.has("json")) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& v : voices) j.push_back({{"name", v.name}, {"description", v.description}});
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    for (const auto& v : voices) std::printf("%-12s %s\n", v.name.c_str(), v.description.c_str());
    return 0;
}

int cmdSay(const Args& args) {
    args.allowOnly({"text", "text-file", "voice", "rate", "output"});
    const auto text = speechTextFrom(args);
    if (!text) fail(ErrorKind::BadInput, "say needs --text \"...\" or --text-file FILE");
    const std::string out = args.require("output");
    const auto s = core::synth::writeSpeechWav(*text, args.get("voice", "slt"), args.getDouble("rate", 1.0), out);
    if (!quiet()) std::printf("wrote %s: %.2f s, %d Hz\n", out.c_str(), s.durationSeconds(), s.sample_rate);
    return 0;
}

int cmdAnimate(const Args& args) {
    args.allowOnly({"photo", "audio", "text", "text-file", "voice", "rate", "output", "fps", "size", "max-side", "seed",
                    "model", "steps", "device", "threads", "audio-guidance"});
    auto p = core::AnimateParams::defaults();
    p.photo = args.require("photo");
    p.output = args.require("output");
    if (auto a = args.get("audio")) p.speech = *a;
    if (auto t = speechTextFrom(args)) p.text = *t;
    if (p.speech.empty() == p.text.empty())
        fail(ErrorKind::BadInput, "animate needs the speech once: --audio FILE, --text \"...\" or --text-file FILE");
    p.voice = args.get("voice", p.voice);
    p.rate = args.getDouble("rate", p.rate);
    p.fps = args.getDouble("fps", p.fps);
    if (!(p.fps >= 1 && p.fps <= 120)) fail(ErrorKind::BadInput, "option --fps must be in 1..120");
    if (auto sz = args.get("size")) {
        if (std::sscanf(sz->c_str(), "%dx%d", &p.width, &p.height) != 2)
            fail(ErrorKind::BadInput, "option --size: '" + *sz + "' is not WxH");
    }
    p.max_side = int(args.getInt("max-side", p.max_side));
    if (p.max_side < 64 || p.max_side > 7680) fail(ErrorKind::BadInput, "option --max-side must be in 64..7680");
    p.seed = uint64_t(args.getInt("seed", 1));
    if (auto m = args.get("model")) p.dub.model = *m;
    p.dub.steps = int(args.getInt("steps", 0));
    if (p.dub.steps < 0 || p.dub.steps > 1000) fail(ErrorKind::BadInput, "option --steps must be in 0..1000");
    p.dub.device = args.get("device", "auto");
    p.dub.threads = int(args.getInt("threads", 0));
    p.dub.audio_guidance = float(args.getDouble("audio-guidance", p.dub.audio_guidance));
    const std::stop_token stop = stopOnInterrupt();
    int last = -1;
    const auto r = core::runAnimate(
        p,
        [&](const Progress& pr) {
            const int pct = int(pr.fraction * 100);
            if (!quiet() && pct / 10 != last / 10) std::fprintf(stderr, "%-9s %3d%%\n", pr.stage.c_str(), pct);
            last = pct;
        },
        stop);
    std::printf("wrote %s: %lld frames (%.2f s) at %.2f fps with %s\n", p.output.string().c_str(),
                static_cast<long long>(r.dub.frames), r.speech_s, r.dub.fps(), r.dub.model_name.c_str());
    return 0;
}

}  // namespace redub::cli
