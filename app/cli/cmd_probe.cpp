// redub-cli probe FILE [--json]: what media::probe() sees in a file.
#include "cli/commands.hpp"
#include "media/probe.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace redub::cli {

extern const char* const kProbeUsage =
    "redub-cli probe FILE [--json]\n"
    "  Prints the container, streams, codecs, size, rotation, frame rate (exact rational,\n"
    "  average and nominal), variable-frame-rate detection, duration and frame count.\n"
    "  --json  one JSON object (see docs/media.md)";

int cmdProbe(const Args& args) {
    args.allowOnly({"json"});
    if (args.positional().size() != 1)
        fail(ErrorKind::BadInput, "probe needs exactly one FILE (redub-cli probe --help)");
    const media::MediaInfo info = media::probe(args.positional()[0]);
    if (args.has("json")) {
        std::printf("%s\n", media::toJson(info).dump(2).c_str());
        return 0;
    }
    std::printf("file:       %s\n", info.path.string().c_str());
    std::printf("container:  %s, %.3f s, %lld bytes\n", info.container.c_str(), info.duration_s,
                static_cast<long long>(info.size_bytes));
    if (const auto& v = info.video) {
        std::printf("video:      #%d %s %s, %dx%d", v->stream_index, v->codec.c_str(), v->pixel_format.c_str(),
                    v->width, v->height);
        if (v->rotation_deg)
            std::printf(" (stored %dx%d, rotated %d deg clockwise)", v->coded_width, v->coded_height, v->rotation_deg);
        if (!(v->sample_aspect == Rational(1, 1)))
            std::printf(", pixel aspect %s", v->sample_aspect.toString().c_str());
        std::printf("\n            %s frame rate: average %s, nominal %s\n",
                    v->variable_frame_rate ? "VARIABLE" : "constant", media::describeRate(v->avg_frame_rate).c_str(),
                    media::describeRate(v->nominal_frame_rate).c_str());
        std::printf("            %lld frames (%s), %.3f s, starts at %.3f s\n", static_cast<long long>(v->frame_count),
                    v->frame_count_exact ? "exact" : "estimated", v->duration_s, v->start_s);
        if (v->variable_frame_rate)
            std::printf(
                "            timeline: %lld frames at %s (frame k shows the last frame at or before (k+1/2)/R)\n",
                static_cast<long long>(v->timeline_frame_count), media::describeRate(v->timeline_frame_rate).c_str());
    } else {
        std::printf("video:      none\n");
    }
    if (const auto& a = info.audio) {
        std::printf("audio:      #%d %s, %d Hz, %d channel%s, %.3f s, starts at %.3f s\n", a->stream_index,
                    a->codec.c_str(), a->sample_rate, a->channels, a->channels == 1 ? "" : "s", a->duration_s,
                    a->start_s);
    } else {
        std::printf("audio:      none\n");
    }
    return 0;
}

}  // namespace redub::cli
