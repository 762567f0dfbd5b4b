#include "core/dub/stages.hpp"

#include "core/audio/length_policy.hpp"
#include "core/dub/composite.hpp"
#include "redub/rational.hpp"

#include <opencv2/core.hpp>

#include <algorithm>

namespace redub::core::dub_internal {

// ---- Pipeline ------------------------------------------------------------------------

Pipeline::Pipeline(std::stop_token user_stop)
    : user_stop_(user_stop), forward_(user_stop, Forward{&abort_}) {}

void Pipeline::guard(const std::function<void()>& stage) {
    try {
        stage();
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
        abort_.request_stop();
    }
}

void Pipeline::rethrow() const {
    std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
    throwIfCancelled(user_stop_);
}

// ---- DecodeStage ---------------------------------------------------------------------

void DecodeStage::run(BlockQueue& out, std::stop_token stop) {
    media::VideoReader reader(d_.p.video);
    int64_t next_src = 0;  // the reader's position
    media::VideoFrame vf;
    for (int64_t i0 = 0; i0 < d_.n_out && !stop.stop_requested(); i0 += block_frames_) {
        Block blk;
        for (int64_t i = i0; i < std::min(d_.n_out, i0 + block_frames_); ++i) {
            Work w;
            w.index = i;
            w.source = sourceFrameFor(i, d_.n_src, d_.p.length_policy);
            auto t0 = Clock::now();
            if (w.source != next_src) reader.seek(w.source);
            if (!reader.next(vf, stop)) {
                throwIfCancelled(stop);
                fail(ErrorKind::BadInput, d_.p.video,
                     "ended early at frame " + std::to_string(w.source) + " of " + std::to_string(d_.n_src));
            }
            next_src = w.source + 1;
            w.frame = vf.rgb;
            decode_s += since(t0);
            t0 = Clock::now();
            w.active = d_.inRanges(i);
            w.alpha = d_.alphaAt(i);
            d_.prepareWork(w);
            if (w.active) {
                if (auto hit = d_.cache.get({i, hash_}); hit && !d_.autoregressive()) {
                    w.generated = *hit;
                    w.cached = true;
                } else if (d_.journal) {
                    // The same export, interrupted before: its crops (and so its chains) as they were.
                    w.generated = d_.journal->get(i);
                    w.journaled = !w.generated.empty();
                }
            }
            prepare_s += since(t0);
            blk.frames.push_back(std::move(w));
        }
        if (!out.push(std::move(blk))) break;
    }
}

// ---- GenerateStage -------------------------------------------------------------------

GenerateStage::GenerateStage(DubSession::Impl& session, uint64_t settings_hash, const ProgressFn& progress)
    : d_(session), hash_(settings_hash), progress_(progress), t_start_(Clock::now()) {
    int64_t n = 0;
    for (int64_t i = 0; i < d_.n_out; ++i) n += d_.inRanges(i) ? 1 : 0;
    total_active_ = std::max<int64_t>(n, 1);
}

void GenerateStage::report(double frames_done) {
    if (!progress_) return;
    Progress pr;
    pr.stage = "generate";
    pr.done = int64_t(frames_done);
    pr.total = total_active_;
    pr.fraction = 0.15 + 0.85 * std::min(1.0, frames_done / double(total_active_));
    if (frames_done > 0) pr.eta_seconds = since(t_start_) / frames_done * (double(total_active_) - frames_done);
    progress_(pr);
}

// Frames finished before this call (done_frames_ advances after every call) plus the part
// of this call's frames the sampler has stepped through.
models::StepFn GenerateStage::stepReporter(double frames_in_call) {
    return [this, frames_in_call](const models::StepInfo& si) {
        report(double(done_frames_) + frames_in_call * double(si.step) / double(si.total));
    };
}

void GenerateStage::remember(const Work& w, std::vector<cv::Mat>& history) {
    history.push_back(w.generated);
    if (int(history.size()) > d_.cfg.motion_frames) history.erase(history.begin());
    keep(w);
}

void GenerateStage::keep(const Work& w) {
    d_.cache.put({w.index, hash_}, w.generated);
    if (d_.journal && !w.journaled && !w.cached) d_.journal->put(w.index, w.generated);
}

void GenerateStage::batches(std::vector<Work*>& todo, std::stop_token stop) {
    const size_t batch = size_t(d_.p.batch);
    for (size_t k = 0; k < todo.size(); k += batch) {
        std::vector<Work*> part(todo.begin() + long(k), todo.begin() + long(std::min(todo.size(), k + batch)));
        std::vector<std::vector<cv::Mat>*> none(part.size(), nullptr);
        d_.generate(part, none, stepReporter(double(part.size())), stop);
        for (Work* w : part) keep(*w);
        done_frames_ += int64_t(part.size());
    }
}

// `active`: every active frame in order, those taken from the journal included (they carry
// the chain's history on).
void GenerateStage::chain(std::vector<Work*>& active, std::stop_token stop) {
    for (Work* w : active) {
        // A gap (no face, outside a range) restarts the chain from the identity frame.
        if (w->index != last_active_ + 1) history_.clear();
        if (w->generated.empty()) d_.generate({w}, {&history_}, stepReporter(1.0), stop);
        remember(*w, history_);
        last_active_ = w->index;
        ++done_frames_;
    }
}

// Chunks of chunk_frames consecutive frames, each starting from the identity frame, advanced
// side by side: step j generates frame j of every chunk.
void GenerateStage::chunks(Block& blk, std::stop_token stop) {
    const int C = d_.p.chunks, L = d_.p.chunk_frames;
    std::vector<std::vector<cv::Mat>> hist(static_cast<size_t>(C));
    std::vector<int64_t> last(static_cast<size_t>(C), -2);
    for (int j = 0; j < L; ++j) {
        std::vector<Work*> items;
        std::vector<std::vector<cv::Mat>*> motion;
        for (int c = 0; c < C; ++c) {
            const size_t idx = size_t(c) * L + size_t(j);
            if (idx >= blk.frames.size()) continue;
            Work& w = blk.frames[idx];
            if (!w.active) continue;
            if (w.index != last[size_t(c)] + 1) hist[size_t(c)].clear();
            if (!w.generated.empty()) {  // from the journal: the chunk's chain goes on from it
                remember(w, hist[size_t(c)]);
                last[size_t(c)] = w.index;
                ++done_frames_;
                continue;
            }
            items.push_back(&w);
            motion.push_back(&hist[size_t(c)]);
        }
        d_.generate(items, motion, stepReporter(double(items.size())), stop);
        for (size_t k = 0; k < items.size(); ++k) {
            remember(*items[k], *motion[k]);
            const int c = int((items[k] - blk.frames.data()) / L);
            last[size_t(c)] = items[k]->index;
        }
        done_frames_ += int64_t(items.size());
    }
}

void GenerateStage::run(BlockQueue& in, BlockQueue& out, std::stop_token stop) {
    const bool chunked = d_.autoregressive() && d_.p.chunks > 1;
    while (auto blk = in.pop()) {
        if (stop.stop_requested()) break;
        auto t0 = Clock::now();
        std::vector<Work*> todo, active;
        for (Work& w : blk->frames) {
            if (w.active) active.push_back(&w);
            if (w.active && w.generated.empty()) todo.push_back(&w);
        }
        if (!d_.autoregressive()) {
            done_frames_ += int64_t(active.size() - todo.size());
            batches(todo, stop);
        } else if (!chunked) {
            chain(active, stop);
        } else {
            chunks(*blk, stop);
        }
        model_s += since(t0);
        for (Work& w : blk->frames) {
            if (w.active && !w.generated.empty()) ++generated;
            if (w.journaled) ++resumed;
            if (d_.inRanges(w.index) && !w.active) ++no_face;
        }
        report(double(done_frames_));
        throwIfCancelled(stop);
        if (!out.push(std::move(*blk))) break;
    }
}

// ---- EncodeStage ---------------------------------------------------------------------

EncodeStage::EncodeStage(DubSession::Impl& session, media::VideoWriter* writer, const media::AudioBuffer& speech48,
                         const std::function<void(const DubFrame&)>& on_frame)
    : d_(session), writer_(writer), speech48_(speech48), on_frame_(on_frame),
      offset48_(session.p.offset_samples * (kOutRate / kMelRate)) {}

void EncodeStage::compositeFrame(Work& w) { d_.compositeWork(w.frame, w); }

// The speech (placed at the offset) up to the end of output frame `frame_end` - 1.
void EncodeStage::writeAudioUntil(int64_t frame_end) {
    const int64_t target = mulDivFloor(frame_end, int64_t(kOutRate) * d_.fps.den, d_.fps.num);
    if (target <= audio_written_) return;
    const int64_t n = target - audio_written_;
    chunk_.assign(size_t(n) * kOutChannels, 0.0f);
    for (int64_t k = 0; k < n; ++k) {
        const int64_t src = audio_written_ + k - offset48_;
        if (src >= 0 && src < speech48_.frames())
            for (int c = 0; c < kOutChannels; ++c)
                chunk_[size_t(k) * kOutChannels + c] = speech48_.samples[size_t(src) * kOutChannels + c];
    }
    writer_->writeAudio(chunk_.data(), n);
    audio_written_ = target;
}

void EncodeStage::run(BlockQueue& in, std::stop_token stop) {
    while (auto blk = in.pop()) {
        for (Work& w : blk->frames) {
            if (stop.stop_requested()) break;
            auto t0 = Clock::now();
            compositeFrame(w);
            composite_s += since(t0);
            if (on_frame_) {
                DubFrame f;
                f.index = w.index;
                f.source_frame = w.source;
                f.rgb = &w.frame;
                f.generated = w.active && !w.generated.empty();
                on_frame_(f);
            }
            if (writer_) {
                t0 = Clock::now();
                writer_->writeFrame(w.frame);
                writeAudioUntil(w.index + 1);
                encode_s += since(t0);
            }
            encoded.fetch_add(1);
        }
        if (stop.stop_requested()) break;
    }
}

}  // namespace redub::core::dub_internal
