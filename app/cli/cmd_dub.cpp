// redub-cli dub: video + new speech -> dubbed MP4.
#include "cli/commands.hpp"
#include "cli/dub_options.hpp"
#include "core/audio/sync_meter.hpp"
#include "core/dub/dub.hpp"
#include "core/synth/tts.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>

namespace redub::cli {
namespace {

std::string eta(double s) {
    if (s < 0) return "--:--";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d:%02d", int(s) / 60, int(s) % 60);
    return buf;
}

}  // namespace

int cmdDub(const Args& args) {
    core::DubParams p;
    if (const auto project = args.get("project")) {
        // Exactly what the editor would export for this project (core::dubParamsFor).
        args.allowOnly({"project", "output", "json-progress", "threads"});
        p = core::dubParamsFor(core::loadProject(*project));
        if (auto o = args.get("output")) p.output = *o;
        if (p.output.empty())
            fail(ErrorKind::BadInput, *project, "has no export path yet: give -o OUT.mp4");
        p.threads = int(args.getInt("threads", 0));
    } else {
        args.allowOnly(dubOptionNames());
        p = dubParamsFrom(args);
        p.output = args.require("output");
    }
    const bool json = args.has("json-progress");
    const bool tty = isatty(fileno(stderr)) && !quiet();

    const std::stop_token stop = stopOnInterrupt();

    // Speech given as text: spoken by an offline voice into a temporary WAV beside the output.
    ScratchPaths scratch;
    if (const auto text = speechTextFrom(args)) {
        const std::filesystem::path out(p.output);
        if (out.has_parent_path() && !std::filesystem::is_directory(out.parent_path()))
            fail(ErrorKind::Io, out, "its folder does not exist");
        const auto& spoken = scratch.add((out.has_parent_path() ? out.parent_path() : std::filesystem::path(".")) /
                                         ("." + out.filename().string() + ".speech.wav"));
        const auto s = core::synth::writeSpeechWav(*text, args.get("voice", "slt"), args.getDouble("rate", 1.0), spoken);
        p.speech = spoken;
        if (!quiet())
            std::fprintf(stderr, "speech: %.2f s spoken by %s\n", s.durationSeconds(), args.get("voice", "slt").c_str());
    } else if (args.has("voice") || args.has("rate")) {
        fail(ErrorKind::BadInput, "--voice and --rate go with --text or --text-file");
    }

    if (args.has("auto-offset")) {
        // Line the new speech up with the video's own speech (or, without one, its mouth).
        if (args.has("offset-ms")) fail(ErrorKind::BadInput, "--auto-offset and --offset-ms exclude each other");
        const auto take = core::loadSpeech16k(p.speech, stop);
        core::OffsetEstimate e;
        std::string by = "its speech";
        try {
            e = core::estimateSpeechOffset(core::loadSpeech16k(p.video, stop), take);
        } catch (const Error& err) {
            if (err.kind() != ErrorKind::BadInput) throw;  // no audio track, or a silent one: use the mouth
            by = "the mouth";
            const core::VideoMeasure m = core::measureVideo(p.video, p.detect_every, nullptr, {}, stop);
            e = core::estimateOffsetFromMouth(m.opening, m.fps, take);
        }
        p.offset_samples = e.offset_samples;
        if (!quiet())
            std::fprintf(stderr, "auto-offset: the new speech lines up with the video (by %s) when shifted %+.0f ms "
                                 "(confidence %.2f)\n",
                         by.c_str(), e.offset_ms, e.confidence);
    }

    std::string last_stage;
    int last_decile = -1;  // without a terminal: one line per stage and per 10% of the job
    core::DubCallbacks cb;
    cb.progress = [&](const Progress& pr) {
        if (json) {
            nlohmann::json j = {{"stage", pr.stage}, {"done", pr.done},          {"total", pr.total},
                                {"fraction", pr.fraction}, {"eta_s", pr.eta_seconds}};
            std::printf("%s\n", j.dump().c_str());
            std::fflush(stdout);
        } else if (quiet()) {
        } else if (tty || pr.stage != last_stage || pr.stage == "done" || int(pr.fraction * 10) != last_decile) {
            last_decile = int(pr.fraction * 10);
            std::fprintf(stderr, "%s%-9s %5.1f%%  %lld/%lld  ETA %s%s", tty ? "\r" : "", pr.stage.c_str(),
                         100.0 * pr.fraction, (long long)pr.done, (long long)pr.total, eta(pr.eta_seconds).c_str(),
                         tty ? "   " : "\n");
        }
        last_stage = pr.stage;
    };
    core::DubReport r;
    try {
        r = core::runDub(p, cb, stop);
    } catch (...) {
        if (tty && !json) std::fprintf(stderr, "\n");
        throw;
    }
    if (tty && !json) std::fprintf(stderr, "\n");
    if (json) {
        nlohmann::json j = {{"stage", "result"},       {"output", r.output.string()}, {"frames", r.frames},
                            {"generated", r.generated}, {"no_face", r.no_face},        {"face_coverage", r.face_coverage},
                            {"seconds", r.wall_s},      {"fps", r.fps()},              {"model", r.model_name}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("wrote %s: %lld frames (%lld repainted, %lld without a face) with %s in %.1f s (%.2f fps)\n",
                    r.output.string().c_str(), (long long)r.frames, (long long)r.generated, (long long)r.no_face,
                    r.model_name.c_str(), r.wall_s, r.fps());
    }
    return 0;
}

}  // namespace redub::cli
