#include "core/dub/dub.hpp"

#include "core/dub/composite.hpp"
#include "core/dub/session.hpp"
#include "core/dub/stages.hpp"
#include "core/project/paths.hpp"
#include "media/audio_reader.hpp"
#include "media/video_writer.hpp"
#include "redub/log.hpp"

#include <opencv2/imgproc.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <thread>

namespace fs = std::filesystem;

namespace redub::core {

using namespace dub_internal;

fs::path defaultModelPath() { return dataFile("models/default/model.safetensors"); }

double peakRssMiB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

int modelThreads(int requested) {
    if (requested > 0) return requested;
    return std::max(1, int(std::thread::hardware_concurrency()) - 1);
}


DubParams dubParamsFor(const Project& pr) {
    DubParams p = DubParams::defaults();
    p.video = pr.video_path;
    p.speech = pr.speech_path;
    p.model = pr.model_path;
    p.device = pr.device;
    p.steps = pr.steps;
    p.seed = pr.seed;
    p.offset_samples = pr.offset_samples;
    p.ranges = pr.ranges;
    if (pr.face) {
        p.face.policy = FaceChoice::Policy::Point;
        p.face.point = cv::Point2f(pr.face->x, pr.face->y);
        p.face.frame = pr.face->frame;
    }
    p.length_policy = parseLengthPolicy(pr.length_policy);
    p.source_lips = pr.own_lips;
    p.articulation = pr.articulation;
    p.crf = pr.output.crf;
    p.preset = pr.output.preset;
    p.output = pr.output.output_path;
    return p;
}

DubParams draftOf(DubParams p) {
    p.steps = p.steps > 0 ? std::min(p.steps, kDraftSteps) : kDraftSteps;
    p.audio_guidance = 1.0f;
    p.moving_detail = false;
    p.restore_edges = false;
    p.source_lips = false;
    return p;
}

void validate(const DubParams& p) {
    if (p.steps < 0 || p.steps > kMaxSamplerSteps)
        fail(ErrorKind::BadInput, "steps must be in 0.." + std::to_string(kMaxSamplerSteps) + " (0: the model's default)");
    if (p.chunks < 1 || p.chunks > 64) fail(ErrorKind::BadInput, "chunks must be in 1..64");
    if (p.chunk_frames < 1 || p.chunk_frames > 10000) fail(ErrorKind::BadInput, "chunk frames must be in 1..10000");
    if (p.batch < 1 || p.batch > 256) fail(ErrorKind::BadInput, "batch must be in 1..256");
    if (p.blend_frames < 0 || p.blend_frames > 1000) fail(ErrorKind::BadInput, "blend frames must be in 0..1000");
    if (p.detect_every < 1 || p.detect_every > 1000) fail(ErrorKind::BadInput, "face detection interval must be in 1..1000");
    if (p.crf < 0 || p.crf > 51) fail(ErrorKind::BadInput, "x264 quality (crf) must be in 0..51");
    static const std::vector<std::string> presets = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                                     "medium",    "slow",      "slower",   "veryslow", "placebo"};
    if (std::find(presets.begin(), presets.end(), p.preset) == presets.end())
        fail(ErrorKind::BadInput, "x264 preset '" + p.preset + "' is unknown (ultrafast .. veryslow)");
    if (!(p.audio_guidance >= 0 && p.audio_guidance <= 20)) fail(ErrorKind::BadInput, "audio guidance must be in 0..20");
    if (!(p.articulation >= kMinArticulation && p.articulation <= kMaxArticulation))
        fail(ErrorKind::BadInput, "articulation must be in 0.5..2 (1: the mouth opens as the model generated it)");
    if (std::llabs(p.offset_samples) > int64_t(3600) * kOffsetSampleRate)
        fail(ErrorKind::BadInput, "the speech offset must be within an hour");
    if (p.device != "auto" && p.device != "cpu" && p.device != "cuda")
        fail(ErrorKind::BadInput, "device '" + p.device + "' is unknown (auto, cpu or cuda)");
    for (auto& r : p.ranges)
        if (r.begin < 0 || r.end <= r.begin)
            fail(ErrorKind::BadInput, "range " + std::to_string(r.begin) + "-" + std::to_string(r.end) + " is empty or negative");
}

bool needsNewSession(const DubParams& a, const DubParams& b) {
    return a.video != b.video || a.speech != b.speech || a.model != b.model || a.face.policy != b.face.policy ||
           a.face.point != b.face.point || a.face.frame != b.face.frame || a.length_policy != b.length_policy ||
           a.offset_samples != b.offset_samples || a.detect_every != b.detect_every || a.device != b.device ||
           a.close_identity_mouth != b.close_identity_mouth;
}

DubSession::DubSession(const DubParams& params) : impl_(std::make_unique<Impl>()) {
    auto& d = *impl_;
    d.p = params;
    validate(d.p);
    if (d.p.video.empty()) fail(ErrorKind::BadInput, "no video given");
    if (d.p.speech.empty()) fail(ErrorKind::BadInput, "no speech given");
    d.video_info = media::probe(d.p.video);
    if (!d.video_info.video) fail(ErrorKind::BadInput, d.p.video, "has no video stream");
    d.speech_info = d.p.speech == d.p.video ? d.video_info : media::probe(d.p.speech);
    if (!d.speech_info.audio) fail(ErrorKind::BadInput, d.p.speech, "has no audio stream to use as the new speech");
    d.model_path = d.p.model.empty() ? defaultModelPath() : d.p.model;
    if (!fs::exists(d.model_path)) fail(ErrorKind::BadInput, d.model_path, "model file not found");
    {
        media::VideoReader reader(d.p.video);
        d.fps = reader.frameRate();
        d.n_src = reader.frameCount();
        d.size = cv::Size(reader.info().width, reader.info().height);
    }
    if (d.n_src <= 0) fail(ErrorKind::BadInput, d.p.video, "has no video frames");
}

DubSession::~DubSession() = default;

const DubParams& DubSession::params() const { return impl_->p; }

void DubSession::update(const DubParams& params) {
    auto& d = *impl_;
    if (needsNewSession(d.p, params)) fail(ErrorKind::Internal, "DubSession::update: video, speech, model, face or device changed; make a new session");
    d.p = params;
    // Ranges that now reach frames outside the face track need another prepare().
    if (d.prepared) {
        const auto [lo, hi] = d.neededSourceSpan();
        if (hi >= lo && (lo < d.tracked_lo || hi > d.tracked_hi)) d.prepared = false;
    }
}

void DubSession::prepare(const ProgressFn& progress, std::stop_token stop) { impl_->prepare(progress, stop); }

Rational DubSession::frameRate() const { return impl_->fps; }
int64_t DubSession::sourceFrames() const { return impl_->n_src; }
int64_t DubSession::outputFrames() const { return impl_->n_out; }
cv::Size DubSession::frameSize() const { return impl_->size; }
const FaceTrack& DubSession::track() const { return impl_->track; }

Preview DubSession::preview(int64_t frame, std::stop_token stop, const ProgressFn& progress) {
    auto& d = *impl_;
    d.prepare({}, stop);
    if (frame < 0 || frame >= d.n_out)
        fail(ErrorKind::BadInput, "frame " + std::to_string(frame) + " is outside the clip (0.." +
                                      std::to_string(d.n_out - 1) + ")");
    if (!d.preview_reader) d.preview_reader = std::make_unique<media::VideoReader>(d.p.video);
    Work w;
    w.index = frame;
    w.source = sourceFrameFor(frame, d.n_src, d.p.length_policy);
    Preview pv;
    auto t0 = Clock::now();
    w.frame = d.preview_reader->frameAt(w.source);
    pv.decode_s = since(t0);
    w.active = true;
    t0 = Clock::now();
    d.prepareWork(w);
    pv.prepare_s = since(t0);
    pv.source = w.frame.clone();
    if (!w.active) {
        pv.generated = pv.source.clone();
        return pv;
    }
    pv.has_face = true;
    pv.face_box = cv::Rect(d.track.frames[size_t(w.source)]->box);
    const FrameCache::Key key{frame, d.settingsHash()};
    if (auto hit = d.cache.get(key)) {
        w.generated = *hit;
        pv.from_cache = true;
    } else {
        std::vector<cv::Mat> hist;  // motion frames start from the identity frame
        models::StepFn on_step = [&](const models::StepInfo& si) {
            if (!progress) return;
            Progress pr;
            pr.stage = "preview";
            pr.done = si.step;
            pr.total = si.total;
            pr.fraction = double(si.step) / double(si.total);
            progress(pr);
        };
        t0 = Clock::now();
        d.generate({&w}, {&hist}, on_step, stop);
        pv.model_s = since(t0);
        d.cache.put(key, w.generated);
    }
    t0 = Clock::now();
    pv.generated = pv.source.clone();
    d.compositeWork(pv.generated, w);
    cv::Mat weight = featherMask(w.paste, CompositeParams::defaults().feather_px);
    cv::Mat full;
    cv::warpAffine(weight, full, cv::Mat(w.crop.toFrame()), d.size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    full.convertTo(pv.mask, CV_8U, 255.0);
    pv.composite_s = since(t0);
    return pv;
}

void DubSession::keepGeneratedCrops(bool keep) { impl_->cache.setBudget(keep ? Impl::kPreviewCacheBytes : 0); }

DubReport DubSession::run(const DubCallbacks& cb, std::stop_token user_stop) {
    auto& d = *impl_;
    const auto t_run = Clock::now();
    if (d.p.output.empty()) fail(ErrorKind::BadInput, "no output file given");
    if (!fs::is_directory(fs::absolute(d.p.output).parent_path()))
        fail(ErrorKind::Io, d.p.output, "the output folder does not exist");
    d.prepare(cb.progress, user_stop);

    // Output audio: the speech at 48 kHz stereo (placed at the offset by the encode stage).
    auto t_audio = Clock::now();
    const media::AudioBuffer speech48 = media::readAudio(d.p.speech, kOutRate, kOutChannels, user_stop);
    const double audio_s = since(t_audio);
    auto writer = std::make_unique<media::VideoWriter>(d.p.output, d.writerParams());
    CropJournal journal(userCacheDir() / "export-crops", d.journalKey());
    d.journal = journal.enabled() ? &journal : nullptr;
    DubReport rep;
    try {
        rep = d.runStages(cb, user_stop, writer.get(), speech48);
    } catch (...) {
        d.journal = nullptr;  // kept: running the same export again resumes from it
        writer.reset();       // deletes the partial file
        throw;
    }
    d.journal = nullptr;
    auto t_fin = Clock::now();
    writer->finish();
    journal.remove();
    rep.features_s += audio_s;
    rep.encode_s += since(t_fin);
    rep.output = d.p.output;
    rep.wall_s = since(t_run);
    log::core()->info("dubbed {} frames ({} generated{}, {} without a face) into {} in {:.1f} s", rep.frames,
                      rep.generated,
                      rep.resumed ? ", " + std::to_string(rep.resumed) + " of them from the interrupted export" : "",
                      rep.no_face, d.p.output.string(), rep.wall_s);
    if (cb.progress) cb.progress({"done", rep.frames, rep.frames, 1.0, 0});
    return rep;
}

DubReport DubSession::play(const DubCallbacks& cb, std::stop_token user_stop) {
    auto& d = *impl_;
    const auto t_run = Clock::now();
    d.prepare(cb.progress, user_stop);
    DubReport rep = d.runStages(cb, user_stop, nullptr, media::AudioBuffer{});
    rep.output.clear();
    rep.wall_s = since(t_run);
    log::core()->info("generated {} frames ({} repainted, {} without a face) in {:.1f} s", rep.frames, rep.generated,
                      rep.no_face, rep.wall_s);
    if (cb.progress) cb.progress({"done", rep.frames, rep.frames, 1.0, 0});
    return rep;
}

DubReport DubSession::Impl::runStages(const DubCallbacks& cb, std::stop_token user_stop, media::VideoWriter* writer,
                                      const media::AudioBuffer& speech48) {
    auto& d = *this;
    DubReport rep = d.startReport();
    const std::pair<int64_t, int64_t> lips_before =
        d.lips ? std::pair{d.lips->applied(), d.lips->skipped()} : std::pair<int64_t, int64_t>{0, 0};
    const int64_t calls_before = d.denoiser_calls;
    const bool chunked = d.autoregressive() && d.p.chunks > 1;
    const int64_t block_frames = chunked ? int64_t(d.p.chunks) * d.p.chunk_frames
                                         : (d.autoregressive() ? 8 : std::max(8, d.p.batch));
    const uint64_t hash = d.settingsHash();
    Pipeline pipe(user_stop);
    const std::stop_token stop = pipe.stop();
    BlockQueue to_model(2), to_encode(2);
    DecodeStage decode(d, block_frames, hash);
    GenerateStage generate(d, hash, cb.progress);
    EncodeStage encode(d, writer, speech48, cb.on_frame);
    std::thread decoder([&] {
        pipe.guard([&] { decode.run(to_model, stop); });
        to_model.close();
    });
    std::thread encoder([&] {
        pipe.guard([&] { encode.run(to_encode, stop); });
        to_encode.close();
        to_model.close();
    });
    pipe.guard([&] { generate.run(to_model, to_encode, stop); });  // the model on this thread
    to_encode.close();
    to_model.close();
    decoder.join();
    encoder.join();
    pipe.rethrow();
    if (encode.encoded.load() != d.n_out)
        fail(ErrorKind::Internal, "dub: composited " + std::to_string(encode.encoded.load()) + " of " +
                                      std::to_string(d.n_out) + " frames");
    rep.frames = d.n_out;
    rep.generated = generate.generated;
    rep.resumed = generate.resumed;
    rep.no_face = generate.no_face;
    if (d.lips) {
        rep.own_lips = d.lips->applied() - lips_before.first;
        rep.own_lips_skipped = d.lips->skipped() - lips_before.second;
        if (rep.own_lips_skipped > 0)
            log::core()->info("own lips: {} frames, {} left as generated (the mouth could not be fitted)", rep.own_lips,
                              rep.own_lips_skipped);
    }
    rep.decode_s += decode.decode_s;
    rep.features_s += decode.prepare_s;  // crop, mask and audio windows per frame
    rep.model_s = generate.model_s;
    rep.denoiser_calls = d.denoiser_calls - calls_before;
    rep.flops_per_call = d.gen->flopsPerStep();
    rep.composite_s = encode.composite_s;
    rep.encode_s = encode.encode_s;
    return rep;
}

DubReport runDub(const DubParams& params, const DubCallbacks& callbacks, std::stop_token stop) {
    DubSession session(params);
    session.keepGeneratedCrops(false);  // nothing will ask for them again
    return session.run(callbacks, stop);
}

}  // namespace redub::core
