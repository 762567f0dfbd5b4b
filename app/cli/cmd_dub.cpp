// redub-cli dub: video + new speech -> dubbed MP4.
#include "cli/commands.hpp"
#include "cli/dub_options.hpp"
#include "core/dub/dub.hpp"
#include "redub/file.hpp"

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
    core::DubParams p = dubJobParams(args);
    const bool json = args.has("json-progress");
    const bool tty = isatty(fileno(stderr)) && !quiet();
    const std::stop_token stop = stopOnInterrupt();
    ScratchPaths scratch;  // the speech spoken from --text, removed on the way out
    completeDubParams(args, p, scratch, stop);

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
                            {"seconds", r.wall_s},      {"fps", r.fps()},              {"model", r.model_name},
                            {"resumed", r.resumed}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        if (r.resumed > 0)
            std::printf("resumed an interrupted export: %lld frames were already generated\n", (long long)r.resumed);
        std::printf("wrote %s: %lld frames (%lld repainted, %lld without a face) with %s in %.1f s (%.2f fps)\n",
                    r.output.string().c_str(), (long long)r.frames, (long long)r.generated, (long long)r.no_face,
                    r.model_name.c_str(), r.wall_s, r.fps());
    }
    return 0;
}

}  // namespace redub::cli
