// The dub job: a video + new speech -> a dubbed MP4 whose lips follow the speech.
//
//   core::DubParams p = core::DubParams::defaults();
//   p.video = "talk.mp4"; p.speech = "take2.wav"; p.output = "talk-dubbed.mp4";
//   core::DubSession session(p);                    // checks the inputs (throws redub::Error)
//   session.prepare(onProgress, stop);              // model, speech + mel, face track
//   core::Preview pv = session.preview(42, stop);   // one frame now (cached)
//   core::DubReport r = session.run({onProgress, onFrame}, stop);  // the MP4
//
// run() streams: a decode thread (decode, crop, mask, audio windows) feeds the model
// thread, which feeds a composite+encode thread, through bounded queues of blocks of
// frames, so memory stays flat in the video's length. The output is written to a
// temporary file and renamed only on success; cancel (stop token or a progress
// callback returning false) or any error leaves no output file.
//
// Frames: output frame i shows source frame sourceFrameFor(i, length policy) and is
// aligned with speech time i / fps (+ offset). A frame is repainted when it lies in a
// selected range and the chosen face was found there; every other frame is the
// source's, bit-exact before encoding. The edges of a range fade between source and
// generated over `blend_frames` frames.
#pragma once

#include "core/audio/length_policy.hpp"
#include "core/face/face_track.hpp"
#include "core/face/video_faces.hpp"
#include "core/project/project.hpp"
#include "redub/job.hpp"
#include "redub/rational.hpp"

#include <opencv2/core.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace redub::core {

struct DubParams {
    std::filesystem::path video;             // source video whose lips are repainted
    std::filesystem::path speech;            // new speech: an audio file or a video with an audio track
    std::filesystem::path output;            // the MP4 to write (run() only)
    std::filesystem::path model;             // empty = the bundled default model
    std::string device = "auto";             // "cpu", "cuda" or "auto"
    int threads = 0;                         // LibTorch intra-op threads (0 = modelThreads(0))
    int steps = 0;                           // sampler steps (0 = the model's default)
    uint64_t seed = 7;                       // initial-noise seed: same seed, same frames
    float audio_guidance = 2.0f;             // models::SamplerParams::audio_guidance (1 = off); 2: the mouth follows
                                             // the speech much more (bench/lipsync-real.sh), at twice the model's cost
    int64_t offset_samples = 0;              // speech delay at 16 kHz; > 0 = speech starts later
    std::vector<FrameRange> ranges;          // output frames to re-sync, [begin, end); empty = all
    int blend_frames = 3;                    // frames over which a range's edges fade in/out
    FaceChoice face;                         // which face (default: the largest)
    LengthPolicy length_policy = kDefaultLengthPolicy;  // speech longer/shorter than the video
    int chunks = 1;                          // family A: independent chunks run side by side as one batch
    int chunk_frames = 12;                   // family A with chunks > 1: frames per chunk
    int batch = 4;                           // family B (independent frames): frames per batch
    int detect_every = 5;                    // face detection every N frames, tracking between
    // A finished face scan of `video` (e.g. the editor's): used instead of tracking when it
    // covers() the frames needed with these settings (same file, detect_every, detector and
    // tracker defaults); otherwise ignored and the video is tracked as usual.
    std::shared_ptr<const VideoFaces> faces;
    int crf = 18;                            // x264 quality (lower = better)
    std::string preset = "medium";           // x264 preset
    bool colour_match = true;                // shift the generated skin colour to the source's (models drift on unseen faces)
    bool restore_texture = true;             // put the source's skin detail back outside the mouth (textureMask)
    float articulation = 1.0f;               // with source_lips: the generated opening times this (SourceLipsParams)
    bool close_identity_mouth = true;        // an open mouth in the identity frame (a smile with teeth) is closed first
    bool moving_detail = true;               // carry the source's detail along the generated motion (CompositeParams::detail_follows_motion)
    bool restore_edges = true;               // predict the detail the crop lost where no source detail applies (CompositeParams::restore_edges)
    bool source_lips = true;                 // the speaker's own lips warped to the generated mouth shape (core/dub/source_lips.hpp)

    static DubParams defaults() { return {}; }
};

// Draft quality, for scrubbing and quick looks: few sampler steps (kDraftSteps, or fewer when
// `params` asks for fewer), no audio guidance (one denoiser call per step instead of two),
// and none of the composite's detail stages. Everything that says what is dubbed (files,
// offset, ranges, face, model, seed) is kept; the export uses the full settings.
inline constexpr int kDraftSteps = 2;
DubParams draftOf(DubParams params);

// The job a project describes: its files, offset, ranges, face, model and generation
// settings, length policy and export settings - the one mapping the editor's export and
// `redub-cli dub --project` share, so both write the same frames.
DubParams dubParamsFor(const Project& project);

// Checks every bound of `params` that needs no file (steps, seed-independent settings,
// ranges, chunking, x264 quality and preset, guidance) and throws Error{BadInput} naming
// the setting. DubSession's constructor calls it before anything is loaded.
void validate(const DubParams& params);

// The bundled default model (resources/models/default/model.safetensors).
std::filesystem::path defaultModelPath();

// True when going from `a` to `b` changes what prepare() loaded or tracked (video, speech,
// model, face, length policy, offset, device, ...): DubSession::update() refuses those, a new
// session is needed. The one list of them.
bool needsNewSession(const DubParams& a, const DubParams& b);

struct DubFrame {
    int64_t index = 0;         // output frame
    int64_t source_frame = 0;  // source frame shown
    const cv::Mat* rgb = nullptr;  // the composited frame (valid during the callback)
    bool generated = false;    // false: the source frame passed through
};

struct DubCallbacks {
    ProgressFn progress;                           // stages "prepare", "track", "generate", "done" (reporting only)
    std::function<void(const DubFrame&)> on_frame;  // every output frame, in order (from a worker thread)
};

struct DubReport {
    int64_t frames = 0;            // output frames written
    int64_t generated = 0;         // frames repainted by the model
    int64_t resumed = 0;           // of those, taken from the journal of this export interrupted before (CropJournal)
    int64_t no_face = 0;           // frames in a range without the chosen face (passed through)
    int64_t own_lips = 0;          // generated frames given the speaker's own lips (DubParams::source_lips)
    int64_t own_lips_skipped = 0;  // ... and those left as generated (the mouth could not be fitted)
    double face_coverage = 0;      // fraction of tracked frames with the chosen face
    // seconds spent per stage (summed over threads; stages overlap)
    double decode_s = 0, detect_s = 0, features_s = 0, model_s = 0, composite_s = 0, encode_s = 0;
    int64_t tracked_frames = 0;    // frames this session ran through the face tracker (0: `faces` was reused)
    int64_t denoiser_calls = 0;    // denoiser evaluations, counted per frame (frames x steps, x2 with audio guidance)
    double flops_per_call = 0;     // the model's FLOPs per frame per denoiser evaluation
    double load_s = 0;             // model load
    double wall_s = 0;             // the whole run
    double fps() const { return wall_s > 0 ? double(frames) / wall_s : 0; }
    std::string model_name;        // file + family
    std::filesystem::path output;
};

struct Preview {
    cv::Mat source;       // the source frame (RGB)
    cv::Mat generated;    // the frame with the generated mouth composited (RGB); == source when no face
    bool has_face = false;
    cv::Rect face_box;    // in frame pixels
    cv::Mat mask;         // CV_8U frame-sized blend weight (0..255), empty when no face
    bool from_cache = false;
    // Where the time went, seconds: reading the frame, crop/mask/speech windows, the
    // model, compositing (with the mask the editor draws).
    double decode_s = 0, prepare_s = 0, model_s = 0, composite_s = 0;
};

class DubSession {
public:
    // Checks the inputs (probe of the video and speech, model file present) without
    // loading anything heavy. Throws redub::Error naming the file and the problem.
    explicit DubSession(const DubParams& params);
    ~DubSession();
    DubSession(const DubSession&) = delete;
    DubSession& operator=(const DubSession&) = delete;

    const DubParams& params() const;
    // Changes settings that do not need re-tracking (steps, seed, offset, ranges, blend,
    // output, crf...). A different video/speech/model/face needs a new session.
    void update(const DubParams& params);

    // Loads the model, decodes the speech, computes the mel, tracks the face.
    // Idempotent; run() and preview() call it when needed.
    void prepare(const ProgressFn& progress = {}, std::stop_token stop = {});

    Rational frameRate() const;        // the output (= source) frame rate
    int64_t sourceFrames() const;
    int64_t outputFrames() const;      // after the length policy (needs prepare())
    cv::Size frameSize() const;
    const FaceTrack& track() const;    // per source frame (needs prepare())

    // Generates output frame `frame` alone (motion frames start from the identity
    // frame); results are cached by (frame, settings).
    Preview preview(int64_t frame, std::stop_token stop = {}, const ProgressFn& progress = {});

    // Writes params().output. Throws Error{Cancelled} on cancel (no output left). The crops
    // it generates are journaled on disk until it finishes, so the same export run again
    // after a crash, a kill or a cancel generates only what it had not (CropJournal).
    DubReport run(const DubCallbacks& callbacks = {}, std::stop_token stop = {});

    // The same frames as run(), through the same overlapped stages, handed to
    // callbacks.on_frame without writing a file (the editor's Generate All: what it shows is
    // what an export would write). params().output is not needed.
    DubReport play(const DubCallbacks& callbacks = {}, std::stop_token stop = {});

    // Generated crops are kept (up to 512 MiB) so that later previews and exports of the
    // same settings reuse them; a session that runs once keeps none (runDub), so a long
    // dub's memory does not grow with its length.
    void keepGeneratedCrops(bool keep);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// One-shot convenience: DubSession(params).run(callbacks, stop).
DubReport runDub(const DubParams& params, const DubCallbacks& callbacks = {}, std::stop_token stop = {});

// Peak resident memory of this process so far, MiB (for benchmarks and reports).
double peakRssMiB();

// LibTorch threads for the dub's model stage: `requested` when > 0, else one per core but
// one (min 1) - the decode and encode threads need the last core, and an intra-op pool that
// competes with them for cores runs several times slower (measured: docs/dub.md "Speed").
int modelThreads(int requested);

}  // namespace redub::core
