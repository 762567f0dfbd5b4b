// redub-cli synth / dataset / train: ground-truth talking-face clips, dataset
// caches and the trainer (docs/training.md).
#include "cli/commands.hpp"
#include "core/synth/synth.hpp"
#include "core/train/learn_speaker.hpp"
#include "core/train/train_data.hpp"
#include "core/train/train_eval.hpp"
#include "core/train/train_job.hpp"
#include "models/runtime.hpp"
#include "redub/error.hpp"

#include <cstdio>
#include <string>

namespace redub::cli {
namespace fs = std::filesystem;

extern const char* const kSynthUsage =
    "redub-cli synth --face IMG_OR_VIDEO --text \"...\" [--voice slt|rms|awb|kal16] [--fps 25]\n"
    "                [--start-frame N] [--max-side 640] [--seed 1] [--no-motion] -o clip.mp4\n"
    "  Writes clip.mp4 (speech as audio) and clip.json (per-frame ground-truth mouth parameters).";
extern const char* const kDatasetUsage =
    "redub-cli dataset VIDEO... -o DIR [--config CFG.json] [--frame-step 1] [--max-frames 0]\n"
    "  Caches face crops, masks and mel windows of each video (with its own audio) as DIR/<name>.safetensors.";
extern const char* const kTrainUsage =
    "redub-cli train (--data DIR... | --video my.mp4...) --out M.safetensors [--config CFG.json] [--from M0|default]\n"
    "                [--heldout DIR...] [--minutes N] [--steps N] [--batch 16] [--lr 2e-4] [--mouth-weight 0.2]\n"
    "                [--x0-weight 0.1] [--validate-every N] [--checkpoint-every-s 300] [--device auto|cpu|cuda]\n"
    "                [--threads N] [--seed 1] [--no-resume] [--motion-dropout 0.5] [--no-flip] [--colour-jitter 0.25] [--warp 1]\n"
    "                [--context-swap 0] [--context-shift 0]";

extern const char* const kLearnUsage =
    "redub-cli learn VIDEO -o SPEAKER.safetensors [--minutes 10 | --steps N] [--from M|default] [--holdout 0.2]\n"
    "                [--measure-s 6] [--batch 8] [--threads N] [--device auto|cpu|cuda]\n"
    "  Learn this speaker: fine-tunes the model on VIDEO (with their own speech), holding out its last part,\n"
    "  and prints lip sync and sharpness on that part before and after (also in SPEAKER.safetensors.json).\n"
    "  Ctrl-C stops with SPEAKER.safetensors unchanged; running it again continues.";

extern const char* const kEvaluateUsage =
    "redub-cli evaluate CLIP.mp4... [--model M.safetensors] [--steps N] [--chunks 4] [--device auto]\n"
    "  Lip-sync metrics on synthesized clips (CLIP.json beside each): prints two Markdown tables,\n"
    "  the correlations of the mouth opening and those of its fast part (syllables, chance ~0).";

namespace {
void printProgress(const Progress& p, const char* unit) {
    if (quiet()) return;
    if (p.eta_seconds >= 0)
        std::fprintf(stderr, "\r%s %lld/%lld %s  %.0f%%  ETA %.0f s   ", p.stage.c_str(), (long long)p.done,
                     (long long)p.total, unit, 100 * p.fraction, p.eta_seconds);
    else
        std::fprintf(stderr, "\r%s %lld %s   ", p.stage.c_str(), (long long)p.done, unit);
}
}  // namespace

int cmdSynth(const Args& a) {
    a.allowOnly({"face", "text", "voice", "fps", "start-frame", "max-side", "seed", "no-motion", "output", "out", "crf"});
    auto p = core::synth::SynthParams::defaults();
    p.face = a.require("face");
    p.text = a.require("text");
    p.voice = a.get("voice", "slt");
    p.fps = a.getDouble("fps", 25);
    p.start_frame = a.getInt("start-frame", 0);
    p.max_side = int(a.getInt("max-side", 640));
    p.seed = uint64_t(a.getInt("seed", 1));
    p.crf = int(a.getInt("crf", 18));
    if (a.has("no-motion")) p.head_motion = p.blinks = false;
    const fs::path out = a.has("output") ? a.require("output") : a.require("out");
    int64_t last = -1;
    auto r = core::synth::synthesizeClip(p, out, [&](const Progress& pr) {
        if (pr.done / 10 != last / 10) printProgress(pr, "frames");
        last = pr.done;
    });
    if (!quiet()) std::fprintf(stderr, "\n");
    std::printf("%s: %lld frames, %.2f s, %zu phones; ground truth in %s\n", out.string().c_str(), (long long)r.frames,
                r.duration_s, r.phones.size(), r.json_path.string().c_str());
    return 0;
}

int cmdDataset(const Args& a) {
    a.allowOnly({"output", "out", "config", "frame-step", "max-frames"});
    if (a.positional().empty()) fail(ErrorKind::BadInput, "dataset: give at least one video");
    const fs::path dir = a.has("output") ? a.require("output") : a.require("out");
    auto p = core::DatasetParams::defaults();
    if (a.has("config")) p.config = models::ModelConfig::fromFile(a.require("config"));
    p.frame_step = int(a.getInt("frame-step", 1));
    p.max_frames = a.getInt("max-frames", 0);
    fs::create_directories(dir);
    for (const auto& v : a.positional()) {
        const fs::path out = dir / (fs::path(v).stem().string() + ".safetensors");
        auto info = core::buildDatasetClip(v, out, p, [](const Progress& pr) { printProgress(pr, "frames"); });
        if (!quiet()) std::fprintf(stderr, "\n");
        std::printf("%s: %lld frames (%lld without a face)\n", out.string().c_str(), (long long)info.frames,
                    (long long)info.skipped);
    }
    return 0;
}

int cmdTrain(const Args& a) {
    a.allowOnly({"data", "video", "heldout", "config", "from", "out", "output", "minutes", "steps", "batch", "lr",
                 "mouth-weight", "x0-weight", "validate-every", "checkpoint-every-s", "device", "threads", "seed",
                 "no-resume", "grid-dir", "motion-dropout", "no-flip", "colour-jitter", "warp", "context-swap", "context-shift"});
    auto p = core::TrainJobParams::defaults();
    for (auto& d : a.all("data")) p.data.push_back(d);
    for (auto& v : a.all("video")) p.videos.push_back(v);
    for (auto& h : a.all("heldout")) p.heldout.push_back(h);
    if (a.has("config")) p.config_file = a.require("config");
    if (a.has("from")) p.from = a.require("from");
    p.out = a.has("output") ? a.require("output") : a.require("out");
    if (a.has("grid-dir")) p.grid_dir = a.require("grid-dir");
    auto& t = p.train;
    t.minutes = a.getDouble("minutes", 0);
    t.max_steps = a.getInt("steps", 0);
    if (t.minutes <= 0 && t.max_steps <= 0) fail(ErrorKind::BadInput, "train: give --minutes N or --steps N");
    t.batch = int(a.getInt("batch", 16));
    t.lr = a.getDouble("lr", 2e-4);
    t.mouth_weight = a.getDouble("mouth-weight", 0.2);
    t.x0_weight = a.getDouble("x0-weight", 0.1);
    t.motion_dropout = a.getDouble("motion-dropout", 0.5);
    t.augment_flip = !a.has("no-flip");
    t.colour_jitter = a.getDouble("colour-jitter", 0.25);
    t.warp = a.getDouble("warp", 1.0);
    t.context_swap = a.getDouble("context-swap", 0.0);
    t.context_shift = a.getDouble("context-shift", 0.0);
    t.validate_every = a.getInt("validate-every", 0);
    t.checkpoint_every_s = a.getDouble("checkpoint-every-s", 300);
    t.device = models::parseDevice(a.get("device", "auto"));
    t.threads = int(a.getInt("threads", 0));
    t.seed = uint64_t(a.getInt("seed", 1));
    t.resume = !a.has("no-resume");
    if (t.batch < 1 || t.batch > 4096) fail(ErrorKind::BadInput, "train: --batch must be in 1..4096");
    if (!(t.colour_jitter >= 0 && t.colour_jitter <= 0.9))
        fail(ErrorKind::BadInput, "train: --colour-jitter must be in 0..0.9 (a relative gain change)");
    if (!(t.warp >= 0 && t.warp <= 3))
        fail(ErrorKind::BadInput, "train: --warp must be in 0..3 (1: zoom +-8%, rotation +-5 deg, shift +-5%)");
    if (!(t.context_swap >= 0 && t.context_swap <= 1))
        fail(ErrorKind::BadInput, "train: --context-swap must be in 0..1 (a probability)");
    if (!(t.context_shift >= 0 && t.context_swap + t.context_shift <= 1))
        fail(ErrorKind::BadInput, "train: --context-shift must be in 0..1 - --context-swap (probabilities of one draw)");
    if (!(t.motion_dropout >= 0 && t.motion_dropout <= 1))
        fail(ErrorKind::BadInput, "train: --motion-dropout must be in 0..1 (a probability)");
    int64_t last_print = 0;
    const std::stop_token stop = stopOnInterrupt();  // Ctrl-C: checkpoint, then stop
    auto st = core::runTrainJob(p, [&](const Progress& pr) {
        if (pr.stage != "train") return printProgress(pr, "frames");  // building the dataset of --video
        if (!quiet() && (pr.done - last_print >= 10 || pr.done == 1)) {
            last_print = pr.done;
            std::fprintf(stderr, "step %lld  %.0f%%  ETA %.0f s\n", (long long)pr.done, 100 * pr.fraction, pr.eta_seconds);
        }
    }, stop);
    if (stop.stop_requested())
        std::fprintf(stderr, "interrupted: model and resume state written; run the same command again to continue\n");
    const std::string held = st.val_loss >= 0 ? std::to_string(st.val_loss) : std::string("n/a (no --heldout)");
    std::printf("trained to step %lld: loss %.4f, held-out loss %s, %.3f s/step, %.0f s; model %s\n", (long long)st.step,
                st.loss, held.c_str(), st.seconds_per_step, st.seconds, p.out.string().c_str());
    return 0;
}

int cmdLearn(const Args& a) {
    a.allowOnly({"output", "out", "minutes", "steps", "from", "holdout", "measure-s", "batch", "threads", "device"});
    if (a.positional().size() != 1) fail(ErrorKind::BadInput, "learn: give one video of the speaker");
    auto p = core::LearnSpeakerParams::defaults();
    p.video = a.positional().front();
    p.out = a.has("output") ? a.require("output") : a.require("out");
    p.minutes = a.getDouble("minutes", 10);
    p.steps = a.getInt("steps", 0);
    if (a.has("from") && a.require("from") != "default") p.from = a.require("from");
    p.holdout_fraction = a.getDouble("holdout", 0.2);
    p.measure_seconds = a.getDouble("measure-s", 6);
    p.batch = int(a.getInt("batch", 8));
    p.threads = int(a.getInt("threads", 0));
    p.device = a.get("device", "auto");
    const std::stop_token stop = stopOnInterrupt();
    std::string last_stage;
    int last_percent = -1;
    const auto r = core::learnSpeaker(p, [&](const Progress& pr) {
        if (quiet()) return;
        // A line when the stage or the whole percent changes: the callback comes per frame
        // and per step, and a log file (stderr not a terminal) would get every one.
        const int percent = int(100 * pr.fraction);
        if (pr.stage == last_stage && percent == last_percent) return;
        if (pr.stage != last_stage) std::fprintf(stderr, "\n");
        last_stage = pr.stage;
        last_percent = percent;
        if (pr.eta_seconds >= 0 && pr.total > 0)
            std::fprintf(stderr, "\r%s %lld/%lld  %.0f%%  ETA %.0f s   ", pr.stage.c_str(), (long long)pr.done,
                         (long long)pr.total, 100 * pr.fraction, pr.eta_seconds);
        else if (pr.eta_seconds >= 0)
            std::fprintf(stderr, "\r%s step %lld  %.0f%%  ETA %.0f s   ", pr.stage.c_str(), (long long)pr.done,
                         100 * pr.fraction, pr.eta_seconds);
        else
            std::fprintf(stderr, "\r%s  %.0f%%   ", pr.stage.c_str(), 100 * pr.fraction);
    }, stop);
    if (!quiet()) std::fprintf(stderr, "\n");
    std::printf("| model | lip sync r (held-out, still frame) | lip sharpness vs source |\n|---|---|---|\n");
    std::printf("| before (%s) | %.3f | %.2f |\n", p.from.empty() ? "default" : p.from.string().c_str(), r.before.sync_r,
                r.before.sharpness);
    std::printf("| after %lld steps | %.3f | %.2f |\n", (long long)r.steps, r.after.sync_r, r.after.sharpness);
    std::printf("%s\nmodel: %s (report: %s.json)\n", core::describe(r).c_str(), r.model.string().c_str(),
                r.model.string().c_str());
    return 0;
}

int cmdEvaluate(const Args& a) {
    a.allowOnly({"model", "steps", "chunks", "device"});
    auto p = core::EvalParams::defaults();
    for (const auto& c : a.positional()) p.clips.push_back(c);
    if (a.has("model")) p.model = a.require("model");
    p.steps = int(a.getInt("steps", 0));
    p.chunks = int(a.getInt("chunks", 4));
    p.device = a.get("device", "auto");
    const auto rep = core::evaluateLipSync(p);
    std::printf("| clip | frames | r(measured truth, GT) | r(still face + speech, GT) | r(still face + unrelated speech, GT) "
                "| r(still face + unrelated speech, unrelated GT) | r(output own speech, GT) "
                "| r(output unrelated speech, GT) | r(unrelated GT, GT) | r(output unrelated speech, unrelated GT) | mouth SSIM |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    auto row = [](const core::ClipEval& c) {
        std::printf("| %s | %lld | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", c.clip.c_str(),
                    (long long)c.frames, c.r_truth, c.r_still, c.r_still_unrelated, c.r_still_follow, c.r_own,
                    c.r_unrelated, c.r_chance, c.r_follow, c.ssim_mouth);
    };
    for (const auto& c : rep.clips) row(c);
    row(rep.mean);
    const auto groups = core::groupMeans(rep.clips);
    for (const auto& g : groups) row(g);  // per identity / recording
    // The same on the fast part of the openings (a 7-frame moving average taken off): two
    // sentences share their slow envelope, which lifts every "unrelated" figure above.
    std::printf("\nFast part of the opening (minus its %d-frame moving average; chance ~0):\n\n", core::kFastWindow);
    std::printf("| clip | fast r(measured truth, GT) | fast r(still face + speech, GT) "
                "| fast r(still face + unrelated speech, GT) | fast r(unrelated GT, GT) |\n|---|---|---|---|---|\n");
    auto fast = [](const core::ClipEval& c) {
        std::printf("| %s | %.3f | %.3f | %.3f | %.3f |\n", c.clip.c_str(), c.fast_truth, c.fast_still,
                    c.fast_still_unrelated, c.fast_chance);
    };
    for (const auto& c : rep.clips) fast(c);
    fast(rep.mean);
    for (const auto& g : groups) fast(g);
    return 0;
}

}  // namespace redub::cli
