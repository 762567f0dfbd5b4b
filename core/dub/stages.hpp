// The dub pipeline's three stages, each on its own thread, joined by bounded queues of
// frame blocks (internal to core/dub; DubSession::run wires them):
//
//   DecodeStage   decode the source frames, cut crops, masks and audio windows   -> to_model
//   GenerateStage the model paints the mouths (batches, one chain, or chunks)   -> to_encode
//   EncodeStage   composite into the frame, encode video + the speech, in order -> the MP4
//
// One cancel channel: every stage obeys Pipeline::stop(), which the user's stop token and
// the first failing stage both trigger. Progress callbacks only report.
#pragma once

#include "redub/bounded_queue.hpp"
#include "core/dub/session.hpp"
#include "media/audio_reader.hpp"
#include "media/video_writer.hpp"

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>

namespace redub::core::dub_internal {

using BlockQueue = BoundedQueue<Block>;

// What the stages share: the stop every stage obeys and the first failure.
class Pipeline {
public:
    explicit Pipeline(std::stop_token user_stop);
    std::stop_token stop() const { return abort_.get_token(); }
    // Runs `stage`; an exception is kept (the first one wins) and stops the other stages.
    void guard(const std::function<void()>& stage);
    // Throws the first failure, or Error{Cancelled} when the user stopped the job.
    void rethrow() const;

private:
    struct Forward {
        std::stop_source* to;
        void operator()() const { to->request_stop(); }
    };
    std::stop_token user_stop_;
    std::stop_source abort_;
    std::stop_callback<Forward> forward_;
    std::exception_ptr failure_;
    mutable std::mutex mutex_;
};

// Stage 1: source frames in output order (the length policy maps them), prepared for the
// model: crop, mask, audio windows; generated crops already in the cache are attached.
class DecodeStage {
public:
    DecodeStage(DubSession::Impl& session, int64_t block_frames, uint64_t settings_hash)
        : d_(session), block_frames_(block_frames), hash_(settings_hash) {}
    void run(BlockQueue& out, std::stop_token stop);
    double decode_s = 0, prepare_s = 0;

private:
    DubSession::Impl& d_;
    int64_t block_frames_;
    uint64_t hash_;
};

// Stage 2: the model. Non-autoregressive models run in batches; autoregressive ones as one
// chain (each frame conditioned on the previous generated ones; a gap restarts it from the
// identity frame) or as `chunks` chains advanced side by side.
class GenerateStage {
public:
    GenerateStage(DubSession::Impl& session, uint64_t settings_hash, const ProgressFn& progress);
    void run(BlockQueue& in, BlockQueue& out, std::stop_token stop);
    double model_s = 0;
    int64_t generated = 0, no_face = 0, resumed = 0;

private:
    void batches(std::vector<Work*>& todo, std::stop_token stop);
    void chain(std::vector<Work*>& todo, std::stop_token stop);
    void chunks(Block& blk, std::stop_token stop);
    void remember(const Work& w, std::vector<cv::Mat>& history);
    void keep(const Work& w);  // into the memory cache and the export journal
    models::StepFn stepReporter(double frames_in_call);
    void report(double frames_done);

    DubSession::Impl& d_;
    uint64_t hash_;
    const ProgressFn& progress_;
    int64_t total_active_ = 1;
    int64_t done_frames_ = 0;
    std::vector<cv::Mat> history_;  // the single chain's previous generated crops
    int64_t last_active_ = -2;
    Clock::time_point t_start_;
};

// Stage 3: each frame composited (range-edge fades included) and encoded in order, with the
// speech's audio up to the end of that frame. Without a writer (DubSession::play) the frames
// are only composited and handed to on_frame.
class EncodeStage {
public:
    EncodeStage(DubSession::Impl& session, media::VideoWriter* writer, const media::AudioBuffer& speech48,
                const std::function<void(const DubFrame&)>& on_frame);
    void run(BlockQueue& in, std::stop_token stop);
    double composite_s = 0, encode_s = 0;
    std::atomic<int64_t> encoded{0};

private:
    void compositeFrame(Work& w);
    void writeAudioUntil(int64_t frame_end);

    DubSession::Impl& d_;
    media::VideoWriter* writer_;
    const media::AudioBuffer& speech48_;
    const std::function<void(const DubFrame&)>& on_frame_;
    int64_t offset48_ = 0;
    int64_t audio_written_ = 0;
    std::vector<float> chunk_;
};

}  // namespace redub::core::dub_internal
