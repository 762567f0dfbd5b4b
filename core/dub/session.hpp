// The dub session's state and its preparation steps (internal to core/dub: dub.cpp and
// stages.cpp include it). One output frame travels through the stages as a `Work`; the
// stages pass them on in `Block`s.
#pragma once

#include "core/audio/align.hpp"
#include "core/audio/mel.hpp"
#include "core/dub/crop_journal.hpp"
#include "core/dub/dub.hpp"
#include "core/dub/frame_cache.hpp"
#include "core/dub/model_inputs.hpp"
#include "core/dub/source_lips.hpp"
#include "core/face/crop.hpp"
#include "core/face/mask.hpp"
#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "models/generator.hpp"

#include <opencv2/core.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace redub::core::dub_internal {

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr int kOutRate = 48000;  // output AAC rate
constexpr int kOutChannels = 2;
constexpr int kMelRate = 16000;

// One output frame on its way through the pipeline.
struct Work {
    int64_t index = 0;   // output frame
    int64_t source = 0;  // source frame
    cv::Mat frame;       // source RGB (composited in place at the end)
    bool active = false; // to be generated
    float alpha = 1;     // range-edge fade: weight of the generated crop
    Crop crop;
    cv::Mat crop_rgb;    // source crop (CV_8UC3)
    cv::Mat mask;        // hard mask (CV_32F, crop size): what the model repaints
    cv::Mat paste;       // pasteMask(): the part of it composited into the frame
    cv::Mat texture;     // textureMask(): where the source's skin detail is put back
    std::array<cv::Point2f, 68> landmarks{};  // the source face's landmarks (frame pixels)
    std::vector<float> audio;  // [2k+1, n_mels, cols]
    cv::Mat generated;   // generated crop (CV_8UC3), set by the model stage
    bool cached = false; // generated came from the cache
    bool journaled = false;  // generated came from an interrupted export's journal
};

struct Block {
    std::vector<Work> frames;
};

}  // namespace redub::core::dub_internal

namespace redub::core {

struct DubSession::Impl {
    using Work = dub_internal::Work;

    DubParams p;
    std::filesystem::path model_path;
    media::MediaInfo video_info;
    media::MediaInfo speech_info;
    Rational fps;
    int64_t n_src = 0;
    cv::Size size;

    bool prepared = false;
    std::unique_ptr<models::Generator> gen;
    models::ModelConfig cfg;
    MelParams mel_params;
    WindowParams win;
    Mel mel;
    int64_t speech_samples = 0;  // at 16 kHz
    int64_t n_out = 0;
    FaceTrack track;
    int64_t identity_frame = -1;
    cv::Mat identity_crop;
    bool identity_closed = false;             // identity_crop is identity_frame with its mouth closed
    static constexpr float kOpenMouth = 0.05f;  // inner-lip gap / eye distance above which a mouth is open
    CropParams crop_params;
    MaskShape mask_shape = MaskShape::LowerHalf;
    std::unique_ptr<media::VideoReader> preview_reader;
    static constexpr size_t kPreviewCacheBytes = 512ull << 20;
    FrameCache cache{kPreviewCacheBytes};
    double load_s = 0, features_s = 0, detect_s = 0, track_decode_s = 0;
    int64_t denoiser_calls = 0;  // counted by generate() (per frame)
    int64_t tracked_frames = 0;
    int64_t tracked_lo = 0, tracked_hi = -1;  // source frames the face track covers

    bool autoregressive() const { return !cfg.isDiff2Lip() && cfg.motion_frames > 0; }

    // Everything that changes a generated crop, as text / hashed (the cache key's second half).
    std::string settingsText() const;
    uint64_t settingsHash() const;
    // The export journal's key: settingsText() plus what changes the chain of generated
    // crops (ranges, chunking, tracking) and the files' identity (size, modification time).
    uint64_t journalKey() const;
    CropJournal* journal = nullptr;  // set while run() writes an export

    bool inRanges(int64_t i) const;

    // Weight of the generated crop at output frame i: 1 inside a range, fading to 0
    // over blend_frames at the range's edges (never at the clip's own ends).
    float alphaAt(int64_t i) const;

    void loadModel();

    void loadSpeech(std::stop_token stop);

    // Source frames that some output frame in a range shows: [lo, hi].
    std::pair<int64_t, int64_t> neededSourceSpan() const;

    void trackFaces(const ProgressFn& progress, std::stop_token stop);

    // The identity (reference) frame: among the first frames of the span, the face whose
    // mouth is most closed, of those detected nearly as confidently as the best. The model
    // was trained with closed or moving mouths there; an open one (a smile with teeth, a
    // photo taken mid-word) is what it copies instead of following the speech. So when even
    // that mouth is open, the identity is the same frame with its mouth closed by the
    // landmark warp (synth::renderFrame at opening 0, the training clips' own renderer).
    void pickIdentity(int64_t lo, int64_t hi);

    void prepare(const ProgressFn& progress, std::stop_token stop);

    // Fills crop, mask, audio and the source crop of an active frame; deactivates
    // it when its face is missing.
    void prepareWork(Work& w) const;

    // Puts w.generated (faded by w.alpha) into `frame` - w.frame itself or its copy - with
    // the session's composite settings, then the source lips (p.source_lips). The one
    // composite the export, play() and preview() share.
    void compositeWork(cv::Mat& frame, const Work& w);
    std::unique_ptr<SourceLips> lips;  // made on first use
    // Models with crops at least this large paint the inside of the mouth themselves; below
    // it the source lips' renderer paints it (SourceLipsParams::render_interior).
    static constexpr int kPaintsTeethPx = 96;
    std::mutex lips_mutex;

    models::SamplerParams samplerParams() const;

    // The output file's encoder settings (source size and rate, the user's x264 quality, AAC).
    media::WriterParams writerParams() const;

    // A run's report with what prepare() measured filled in.
    DubReport startReport() const;

    // run() and play(): decode -> model -> composite (+ encode when `writer`), overlapped.
    DubReport runStages(const DubCallbacks& cb, std::stop_token user_stop, media::VideoWriter* writer,
                        const media::AudioBuffer& speech48);

    // Runs the model on `items` (each with its motion history) as one batch.
    void generate(const std::vector<Work*>& items, const std::vector<std::vector<cv::Mat>*>& motion,
                  const models::StepFn& on_step, std::stop_token stop);
};

}  // namespace redub::core
