// redub-cli sync: the lip-sync meter and speech alignment (core/audio/sync_meter.hpp).
#include "cli/commands.hpp"
#include "core/audio/sync_meter.hpp"
#include "redub/error.hpp"
#include "redub/units.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace redub::cli {

extern const char* const kSyncUsage =
    "redub-cli sync --video V [--audio A] [--offset-ms X] [--source S] [--max-lag-ms 400] [--json]\n"
    "  The lip-sync meter: follows the face of V, measures its mouth opening on every frame and\n"
    "  correlates it with the loudness of the speech (A, default: V's own audio track) at the\n"
    "  best lag within +-max-lag-ms. Prints the score r, the lag (> 0: the mouth moves after the\n"
    "  sound), a confidence and a table per second. r near 0: the mouth does not follow it.\n"
    "  With --audio and a V that has its own speech: also the offset that lines A up with V's\n"
    "  speech (cross-correlation of their loudness); without speech in V, from the mouth.\n"
    "  --offset-ms X  A starts X ms later (as `dub --offset-ms`)\n"
    "  --source S     V is a dub of S: also how much V's mouth follows S's (the old performance)\n"
    "                 and the lip sharpness of V against S at S's lip boxes (variance of the Laplacian)\n"
    "  --json         one JSON object";

namespace {

double mean(const std::vector<double>& v) {
    double s = 0;
    int n = 0;
    for (double x : v)
        if (x >= 0) s += x, ++n;
    return n ? s / n : 0;
}

}  // namespace

int cmdSync(const Args& args) {
    args.allowOnly({"video", "audio", "offset-ms", "source", "max-lag-ms", "json"});
    if (!args.positional().empty()) fail(ErrorKind::BadInput, "sync takes no positional arguments (redub-cli sync --help)");
    const std::string video = args.require("video");
    const double offset_ms = args.getDouble("offset-ms", 0.0);
    const double max_lag = args.getDouble("max-lag-ms", 400.0);
    if (!std::isfinite(offset_ms) || std::abs(offset_ms) > 3600e3)
        fail(ErrorKind::BadInput, "option --offset-ms must be a number of milliseconds within an hour");
    if (!(max_lag >= 0 && max_lag <= 5000)) fail(ErrorKind::BadInput, "option --max-lag-ms must be in 0..5000");
    const bool json = args.has("json");
    const std::stop_token stop = stopOnInterrupt();
    ProgressFn progress = [&](const Progress& p) {
        if (!quiet() && (p.done % 50 == 0 || p.done == p.total))
            std::fprintf(stderr, "\rmeasuring %lld/%lld frames", static_cast<long long>(p.done),
                         static_cast<long long>(p.total));
    };

    core::VideoMeasure source;
    const auto src_path = args.get("source");
    if (src_path) source = core::measureVideo(*src_path, 5, nullptr, progress, stop);
    const core::VideoMeasure m = core::measureVideo(video, 5, src_path ? &source : nullptr, progress, stop);
    if (!quiet()) std::fprintf(stderr, "\n");
    const auto audio = args.get("audio");
    const std::vector<float> speech = audio ? core::loadSpeech16k(*audio, stop) : m.speech;
    if (speech.empty()) fail(ErrorKind::BadInput, video, "has no audio track to measure against (give --audio)");
    const int64_t offset = samplesFromMs(offset_ms, core::kSyncRate);
    const int64_t n = int64_t(m.opening.size());
    const auto env = core::speechEnvelope(speech, m.fps, n, offset);
    const core::LagCorrelation lc = core::bestLagCorrelation(m.opening, env, m.fps, max_lag);

    nlohmann::json j;
    j["video"] = video;
    j["speech"] = audio ? *audio : video;
    j["frames"] = n;
    j["frames_with_face"] = lc.frames;
    j["r"] = lc.r;
    j["lag_frames"] = lc.lag_frames;
    j["lag_ms"] = lc.lag_ms;
    j["confidence"] = lc.confidence;
    // Per second: r at the overall lag over a 2-s window centred on the second (as the editor's lane).
    const double fps = m.fps.toDouble();
    const std::vector<double> per_second = core::perSecondCorrelation(m.opening, env, lc.lag_frames, m.fps);
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t s = 0; s < int64_t(per_second.size()); ++s) {
        const int64_t a = std::max<int64_t>(0, std::llround((s - 0.5) * fps));
        const int64_t b = std::min<int64_t>(n, std::llround((s + 1.5) * fps));
        const double r = per_second[size_t(s)];
        rows.push_back({{"second", s},
                        {"r", std::isnan(r) ? nlohmann::json(nullptr) : nlohmann::json(r)},
                        {"opening", mean(std::vector<double>(m.opening.begin() + a, m.opening.begin() + b))},
                        {"loudness", mean(std::vector<double>(env.begin() + a, env.begin() + b))}});
    }
    j["seconds"] = rows;
    if (audio) {
        core::OffsetEstimate e;
        if (!m.speech.empty()) {
            e = core::estimateSpeechOffset(m.speech, speech);
            j["alignment"] = {{"by", "speech"}, {"offset_ms", e.offset_ms}, {"confidence", e.confidence}};
        } else {
            e = core::estimateOffsetFromMouth(m.opening, m.fps, speech);
            j["alignment"] = {{"by", "mouth"}, {"offset_ms", e.offset_ms}, {"confidence", e.confidence}};
        }
    }
    if (src_path) {
        // Does the dub follow the old mouth? r of the two openings (frames where both have a face).
        std::vector<double> a, b;
        for (int64_t i = 0; i < std::min<int64_t>(n, int64_t(source.opening.size())); ++i)
            if (m.opening[size_t(i)] >= 0 && source.opening[size_t(i)] >= 0)
                a.push_back(m.opening[size_t(i)]), b.push_back(source.opening[size_t(i)]);
        const double r_old = core::correlationAtLag(a, b, 0);
        double sv = 0, ss = 0;
        for (int64_t i = 0; i < std::min<int64_t>(n, int64_t(source.sharpness.size())); ++i)
            if (source.landmarks[size_t(i)]) sv += m.sharpness[size_t(i)], ss += source.sharpness[size_t(i)];
        j["source"] = {{"video", *src_path},
                       {"r_follows_source_mouth", r_old},
                       {"r_at_zero_lag", core::correlationAtLag(m.opening, env, 0)},
                       {"lip_sharpness", sv},
                       {"source_lip_sharpness", ss},
                       {"lip_sharpness_ratio", ss > 0 ? sv / ss : 0.0}};
    }
    if (json) {
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("video:      %s (%lld frames, face on %d)\n", video.c_str(), static_cast<long long>(n), lc.frames);
    std::printf("speech:     %s%s\n", j["speech"].get<std::string>().c_str(),
                offset ? (" (offset " + std::to_string(offset_ms) + " ms)").c_str() : "");
    std::printf("sync:       r %.3f at lag %+.0f ms (%+d frames), confidence %.2f\n", lc.r, lc.lag_ms, lc.lag_frames,
                lc.confidence);
    if (j.contains("alignment"))
        std::printf("alignment:  the speech lines up when shifted %+.0f ms (%s; confidence %.2f): %s\n",
                    j["alignment"]["offset_ms"].get<double>(), j["alignment"]["by"].get<std::string>().c_str(),
                    j["alignment"]["confidence"].get<double>(),
                    std::abs(j["alignment"]["offset_ms"].get<double>()) < 20 ? "in place"
                    : j["alignment"]["offset_ms"].get<double>() > 0        ? "it is early"
                                                                            : "it is late");
    if (src_path)
        std::printf("vs source:  r(mouth, source's mouth) %.3f; lip sharpness %.1f vs %.1f (x%.2f)\n",
                    j["source"]["r_follows_source_mouth"].get<double>(), j["source"]["lip_sharpness"].get<double>(),
                    j["source"]["source_lip_sharpness"].get<double>(), j["source"]["lip_sharpness_ratio"].get<double>());
    std::printf("\n| second | r | opening | loudness |\n|---|---|---|---|\n");
    for (const auto& r : rows)
        std::printf("| %lld | %s | %.3f | %.3f |\n", static_cast<long long>(r["second"].get<int64_t>()),
                    r["r"].is_null() ? "no face" : std::to_string(r["r"].get<double>()).substr(0, 6).c_str(),
                    r["opening"].get<double>(), r["loudness"].get<double>());
    return 0;
}

}  // namespace redub::cli
