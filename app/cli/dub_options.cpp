#include "cli/dub_options.hpp"

#include "cli/commands.hpp"
#include "core/audio/length_policy.hpp"
#include "core/audio/sync_meter.hpp"
#include "core/synth/tts.hpp"
#include "media/probe.hpp"
#include "redub/error.hpp"
#include "redub/units.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace redub::cli {
namespace {

// "1.5" seconds or "37f" frames -> frame index at fps.
int64_t parseTime(const std::string& text, Rational fps, const std::string& option) {
    try {
        size_t used = 0;
        if (!text.empty() && text.back() == 'f') {
            const long long f = std::stoll(text.substr(0, text.size() - 1), &used);
            if (used == text.size() - 1 && f >= 0) return f;
        } else {
            const double s = std::stod(text, &used);
            if (used == text.size() && s >= 0) return int64_t(std::floor(s * fps.toDouble() + 1e-9));
        }
    } catch (...) {
    }
    fail(ErrorKind::BadInput, "option --" + option + ": '" + text + "' is not a time (seconds like 1.5, or frames like 37f)");
}

}  // namespace

const char* const kDubUsage =
    "usage: redub-cli dub --video V (--audio A | --text \"...\" | --text-file F) -o OUT.mp4 [options]\n"
    "       redub-cli dub --project P.redub [-o OUT.mp4] [--threads N] [--json-progress]\n"
    "  --project P         dub exactly what the editor would export for this project (its files,\n"
    "                      offset, ranges, face, model and settings; -o overrides its export path)\n"
    "  --video V           the video whose lips are repainted\n"
    "  --audio A           the new speech (any audio file, or a video's audio track)\n"
    "  --text T            ... or the new speech as text, spoken by an offline voice (English, ASCII)\n"
    "  --text-file F       ... or that text read from a file\n"
    "  --voice V --rate R  the voice (redub-cli voices; default slt) and speaking rate (0.5..2, default 1)\n"
    "  -o OUT.mp4          output (written to a temporary file, renamed on success)\n"
    "  --model M           model (.safetensors or imported Diff2Lip); default: the bundled model\n"
    "  --steps N           sampler steps (default: the model's)\n"
    "  --seed S            initial-noise seed (default 7; same seed, same frames)\n"
    "  --audio-guidance G  family A: how strongly the speech drives the mouth against the face\n"
    "                      around it (default 2; 1 = off, half the model's cost)\n"
    "  --device D          cpu | cuda | auto (default auto)\n"
    "  --threads N         LibTorch threads (default: cores - 1, min 1)\n"
    "  --range START-END   re-sync only this part (seconds, or frames with f: 40f-90f); repeatable\n"
    "  --offset-ms X       delay the speech by X ms (negative: earlier)\n"
    "  --auto-offset       line the speech up with the video's own speech track (cross-correlation\n"
    "                      of their loudness; a video without speech: with its mouth)\n"
    "  --face X,Y@T        dub the face at pixel X,Y at time T (seconds or frames with f)\n"
    "  --length-policy P   ping-pong (default) | trim | pad-silence | hold-last | loop\n"
    "  --chunks N          autoregressive models: N independent chunks per batch (default 1)\n"
    "  --batch N           non-autoregressive models: frames per batch (default 4)\n"
    "  --blend-frames N    fade at range edges (default 3)\n"
    "  --no-colour-match   keep the model's own skin colour (default: shifted to the source's skin)\n"
    "  --no-texture        do not put the source's skin detail back outside the mouth\n"
    "  --keep-identity-mouth  use the identity frame as it is even when its mouth is open\n"
    "                      (default: an open mouth there is closed first, so it is not copied)\n"
    "  --no-moving-detail  do not carry the source's lip and skin detail along the new mouth's motion\n"
    "  --no-edge-restore   do not predict the lip-edge detail the model's crop size loses (fitted on the source frame)\n"
    "  --no-source-lips    keep the generated lips (default: the speaker's own lips warped to the generated mouth shape)\n"
    "                      (the generated region then keeps only the model's resolution)\n"
    "  --articulation A    with the speaker's own lips: how wide the mouth opens, times the generated\n"
    "                      opening (0.5..2, default 1; > 1 for a speaker whose mouth barely moves)\n"
    "  --draft             draft quality for a quick look: 2 sampler steps, no audio guidance, no detail\n"
    "                      stages (several times faster; the mouth moves less crisply)\n"
    "  --crf N --preset P  x264 quality (default 18) and preset (default medium)\n"
    "  --json-progress     progress and the result as JSON lines on stdout\n"
    "Ctrl-C cancels and leaves no output file.";

std::set<std::string> dubOptionNames() {
    return {"project", "video", "audio", "text", "text-file", "voice", "rate", "output", "model", "steps", "seed", "audio-guidance", "device", "threads", "range", "offset-ms", "face",
            "length-policy", "auto-offset", "chunks", "chunk-frames", "batch", "blend-frames", "colour-match", "no-colour-match", "no-texture", "no-moving-detail", "no-edge-restore", "no-source-lips", "articulation", "keep-identity-mouth", "crf",
            "preset", "draft", "json-progress", "detect-every"};
}

std::optional<std::string> speechTextFrom(const Args& args) {
    if (args.has("text") && args.has("text-file")) fail(ErrorKind::BadInput, "give --text or --text-file, not both");
    if (auto t = args.get("text")) return *t;
    if (auto f = args.get("text-file")) {
        std::ifstream in(*f, std::ios::binary);
        if (!in) fail(ErrorKind::BadInput, *f, "cannot read this text file");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    return std::nullopt;
}

core::DubParams dubParamsFrom(const Args& args) {
    core::DubParams p = core::DubParams::defaults();
    p.video = args.require("video");
    const bool text = args.has("text") || args.has("text-file");
    if (args.has("audio") && text) fail(ErrorKind::BadInput, "give the new speech once: --audio or --text/--text-file");
    if (!args.has("audio") && !text)
        fail(ErrorKind::BadInput, "the new speech is missing: --audio FILE, --text \"...\" or --text-file FILE");
    if (auto a = args.get("audio")) p.speech = *a;
    if (auto m = args.get("model")) p.model = *m;
    p.steps = int(args.getInt("steps", 0));
    if (p.steps < 0 || p.steps > core::kMaxSamplerSteps)
        fail(ErrorKind::BadInput, "option --steps must be in 0.." + std::to_string(core::kMaxSamplerSteps));
    p.seed = uint64_t(args.getInt("seed", 7));
    p.audio_guidance = float(args.getDouble("audio-guidance", p.audio_guidance));
    if (!(p.audio_guidance >= 0 && p.audio_guidance <= 20)) fail(ErrorKind::BadInput, "option --audio-guidance must be in 0..20");
    p.device = args.get("device", "auto");
    p.threads = int(args.getInt("threads", 0));
    p.offset_samples = samplesFromMs(args.getDouble("offset-ms", 0.0), core::kOffsetSampleRate);
    if (auto lp = args.get("length-policy")) p.length_policy = core::parseLengthPolicy(*lp);
    p.chunks = int(args.getInt("chunks", 1));
    p.chunk_frames = int(args.getInt("chunk-frames", p.chunk_frames));
    p.batch = int(args.getInt("batch", 4));
    p.blend_frames = int(args.getInt("blend-frames", 3));
    p.detect_every = int(args.getInt("detect-every", p.detect_every));
    p.colour_match = !args.has("no-colour-match");  // --colour-match (the default) is still accepted
    p.restore_texture = !args.has("no-texture");
    p.moving_detail = !args.has("no-moving-detail");
    p.restore_edges = !args.has("no-edge-restore");
    p.source_lips = !args.has("no-source-lips");
    p.articulation = float(args.getDouble("articulation", p.articulation));
    if (!(p.articulation >= core::kMinArticulation && p.articulation <= core::kMaxArticulation))
        fail(ErrorKind::BadInput, "option --articulation must be in 0.5..2 (1: as generated)");
    p.close_identity_mouth = !args.has("keep-identity-mouth");
    p.crf = int(args.getInt("crf", 18));
    p.preset = args.get("preset", "medium");
    if (args.has("draft")) p = core::draftOf(p);

    const auto ranges = args.all("range");
    const auto face = args.get("face");
    if (!ranges.empty() || face) {
        const media::MediaInfo info = media::probe(p.video);
        if (!info.video) fail(ErrorKind::BadInput, p.video, "has no video stream");
        const Rational fps = info.video->timeline_frame_rate;  // what VideoReader (and the dub) counts in
        for (const auto& r : ranges) {
            const auto dash = r.find('-', 1);
            if (dash == std::string::npos) fail(ErrorKind::BadInput, "option --range: '" + r + "' is not START-END");
            const int64_t b = parseTime(r.substr(0, dash), fps, "range");
            const int64_t e = parseTime(r.substr(dash + 1), fps, "range");
            if (e <= b) fail(ErrorKind::BadInput, "option --range: '" + r + "' ends before it starts");
            p.ranges.push_back({b, e});
        }
        p.ranges = core::normaliseRanges(p.ranges);
        if (face) {
            float x = 0, y = 0;
            const auto at = face->find('@');
            const std::string xy = face->substr(0, at);
            if (std::sscanf(xy.c_str(), "%f,%f", &x, &y) != 2)
                fail(ErrorKind::BadInput, "option --face: '" + *face + "' is not X,Y@T");
            p.face.policy = core::FaceChoice::Policy::Point;
            p.face.point = cv::Point2f(x, y);
            p.face.frame = at == std::string::npos ? 0 : parseTime(face->substr(at + 1), fps, "face");
        }
    }
    return p;
}

}  // namespace redub::cli

namespace redub::cli {

core::DubParams dubJobParams(const Args& args) {
    if (const auto project = args.get("project")) {
        // Exactly what the editor would export for this project (core::dubParamsFor).
        args.allowOnly({"project", "output", "json-progress", "threads"});
        core::DubParams p = core::dubParamsFor(core::loadProject(*project));
        if (auto o = args.get("output")) p.output = *o;
        if (p.output.empty()) fail(ErrorKind::BadInput, *project, "has no export path yet: give -o OUT.mp4");
        p.threads = int(args.getInt("threads", 0));
        return p;
    }
    args.allowOnly(dubOptionNames());
    core::DubParams p = dubParamsFrom(args);
    p.output = args.require("output");
    return p;
}

void completeDubParams(const Args& args, core::DubParams& p, ScratchPaths& scratch, const std::stop_token& stop) {
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
}

}  // namespace redub::cli
