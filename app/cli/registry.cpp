// The tables of sub-commands and benchmarks. Add a line here for a new command.
#include "cli/commands.hpp"

namespace redub::cli {

// Declarations of the command entry points (defined in cmd_*.cpp).
int cmdInfo(const Args&);
int cmdProbe(const Args&);
extern const char* const kProbeUsage;
int benchMedia(const Args&);
int cmdTrack(const Args&);
int benchTrack(const Args&);
extern const char* const kTrackUsage;
int cmdModel(const Args&);
int benchModel(const Args&);
int benchDiff2Lip(const Args&);
extern const char* const kModelUsage;
int cmdFeatures(const Args&);
extern const char* const kFeaturesUsage;
int benchFeatures(const Args&);
int cmdDub(const Args&);
int cmdBatch(const Args&);
int benchDub(const Args&);
int benchPreview(const Args&);
extern const char* const kDubUsage;
extern const char* const kBatchUsage;
int cmdSynth(const Args&);
int cmdDataset(const Args&);
int cmdTrain(const Args&);
int cmdEvaluate(const Args&);
int cmdLearn(const Args&);
extern const char* const kLearnUsage;
extern const char* const kEvaluateUsage;
extern const char* const kSynthUsage;
extern const char* const kDatasetUsage;
extern const char* const kTrainUsage;
int cmdVoices(const Args&);
int cmdSay(const Args&);
int cmdAnimate(const Args&);
extern const char* const kVoicesUsage;
extern const char* const kSayUsage;
extern const char* const kAnimateUsage;
int cmdSync(const Args&);
extern const char* const kSyncUsage;

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"info", "print versions of Redub and its libraries, and where its data is", "redub-cli info", {}, cmdInfo},
        {"probe", "show a media file's streams, codecs, size, rotation, exact frame rate, VFR, frame count", kProbeUsage, {"json"}, cmdProbe},
        {"track", "track the faces of a video, choose one, smooth it (JSON / overlay MP4)", kTrackUsage, {}, cmdTrack},
        {"model", "import a Diff2Lip checkpoint, show a model's size and FLOPs, run one denoiser step", kModelUsage, {"json"}, cmdModel},
        {"features", "write an audio file's mel spectrogram (.npy) and per-frame window table (JSON)", kFeaturesUsage, {}, cmdFeatures},
        {"dub", "dub a video with new speech into an MP4 (the main job)", kDubUsage, {"json-progress", "auto-offset", "colour-match", "no-colour-match", "no-texture", "no-moving-detail", "no-edge-restore", "no-source-lips", "keep-identity-mouth", "draft"}, cmdDub},
        {"batch", "run a list of dub jobs from a JSON file (resumable; --only I for one Slurm/Kubernetes array task)", kBatchUsage, {"count", "force", "json-progress"}, cmdBatch},
        {"voices", "list the offline voices that speak --text", kVoicesUsage, {"json"}, cmdVoices},
        {"say", "speak text with an offline voice into a WAV", kSayUsage, {}, cmdSay},
        {"animate", "make the face in a photo talk (head motion, blinks, the mouth from the speech or text)", kAnimateUsage, {}, cmdAnimate},
        {"sync", "the lip-sync meter: how well a video's mouth follows a speech track, and where a new take lines up", kSyncUsage, {"json"}, cmdSync},
        {"synth", "synthesize a talking-face clip (real face + flite speech) with ground-truth mouth parameters", kSynthUsage, {"no-motion"}, cmdSynth},
        {"dataset", "cache face crops, masks and mel windows of videos for training", kDatasetUsage, {}, cmdDataset},
        {"train", "train or fine-tune a family-A model (masked diffusion loss, AdamW, EMA, resume)", kTrainUsage, {"no-resume", "no-flip"}, cmdTrain},
        {"learn", "learn this speaker: fine-tune on their clip, report lip sync and sharpness before/after on a held-out part", kLearnUsage, {}, cmdLearn},
        {"evaluate", "lip-sync metrics of a model on synthesized clips with ground truth (Markdown table)", kEvaluateUsage, {}, cmdEvaluate},
    };
    return table;
}

const std::vector<Bench>& benches() {
    static const std::vector<Bench> table = {
        {"media", "H.264 encode and decode fps at 640x480, 1280x720, 1920x1080 (--quick, --preset P)", benchMedia},
        {"model", "denoiser ms per step per frame at batch 1 and 8 vs the conv-throughput floor", benchModel},
        {"diff2lip", "side by side with the Python reference: --weights W.pt --inputs X.safetensors (bench/diff2lip-side-by-side.sh)", benchDiff2Lip},
        {"features", "mel spectrogram throughput (1 min .. 1 h) and per-frame window cutting", benchFeatures},
        {"track", "face tracking fps at 640x480/720p/1080p and landmark jitter before/after smoothing", benchTrack},
        {"dub", "end-to-end dub: per-stage seconds, fps and peak RSS at 640x480 and 720p (--quick, --size WxH, --lengths S,S,..: RSS growth per minute, --no-moving-detail, --no-edge-restore, --no-source-lips, --draft)", benchDub},
        {"preview", "the editor's frame preview: ms per frame by stage, final vs draft quality, playing forward and jumping (--size WxH, --frames N)", benchPreview},
    };
    return table;
}

}  // namespace redub::cli
