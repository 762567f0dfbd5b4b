#include "core/dub.hpp"

#include "core/align.hpp"
#include "core/bounded_queue.hpp"
#include "core/composite.hpp"
#include "core/crop.hpp"
#include "core/face_detector.hpp"
#include "core/face_tracker.hpp"
#include "core/frame_cache.hpp"
#include "core/mask.hpp"
#include "core/mel.hpp"
#include "core/model_inputs.hpp"
#include "core/paths.hpp"
#include "core/synth/face_warp.hpp"
#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "models/generator.hpp"
#include "models/runtime.hpp"
#include "redub/log.hpp"

#include <opencv2/imgproc.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <thread>

namespace fs = std::filesystem;

namespace redub::core {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

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
    std::vector<float> audio;  // [2k+1, n_mels, cols]
    cv::Mat generated;   // generated crop (CV_8UC3), set by the model stage
    bool cached = false; // generated came from the cache
};

struct Block {
    std::vector<Work> frames;
};

}  // namespace

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

struct DubSession::Impl {
    DubParams p;
    fs::path model_path;
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
    FrameCache cache{512ull << 20};
    double load_s = 0, features_s = 0, detect_s = 0, track_decode_s = 0;
    int64_t tracked_frames = 0;
    int64_t tracked_lo = 0, tracked_hi = -1;  // source frames the face track covers

    bool autoregressive() const { return !cfg.isDiff2Lip() && cfg.motion_frames > 0; }

    // Everything that changes a generated crop, hashed (the cache key's second half).
    uint64_t settingsHash() const {
        std::string s = model_path.string() + "|" + std::to_string(p.steps) + "|" + std::to_string(p.seed) + "|" +
                        std::to_string(p.audio_guidance) + "|" + std::to_string(p.close_identity_mouth) + "|" +
                        std::to_string(p.offset_samples) + "|" + std::string(toString(p.length_policy)) + "|" +
                        std::to_string(int(p.face.policy)) + "," + std::to_string(p.face.point.x) + "," +
                        std::to_string(p.face.point.y) + "," + std::to_string(p.face.frame) + "|" + p.speech.string();
        return std::hash<std::string>{}(s);
    }

    bool inRanges(int64_t i) const {
        if (p.ranges.empty()) return true;
        for (auto& r : p.ranges)
            if (r.contains(i)) return true;
        return false;
    }

    // Weight of the generated crop at output frame i: 1 inside a range, fading to 0
    // over blend_frames at the range's edges (never at the clip's own ends).
    float alphaAt(int64_t i) const {
        if (p.ranges.empty() || p.blend_frames <= 0) return 1.0f;
        for (auto& r : p.ranges) {
            if (!r.contains(i)) continue;
            const int64_t from_begin = r.begin > 0 ? i - r.begin : INT64_MAX;
            const int64_t to_end = r.end < n_out ? r.end - 1 - i : INT64_MAX;
            const int64_t d = std::min(from_begin, to_end);
            if (d >= p.blend_frames) return 1.0f;
            return float(d + 1) / float(p.blend_frames + 1);
        }
        return 0.0f;
    }

    void loadModel() {
        auto t0 = Clock::now();
        gen = models::Generator::load(model_path, models::parseDevice(p.device), modelThreads(p.threads));
        cfg = gen->config();
        const ModelGeometry g = geometryFor(cfg, model_path.string());
        mel_params = g.mel;
        win = g.win;
        mask_shape = g.mask;
        crop_params = g.crop;
        load_s = since(t0);
        log::core()->info("model {} ({}, {}x{}, {:.2f} M parameters) on {} in {:.2f} s", model_path.filename().string(),
                          cfg.family, cfg.image_size, cfg.image_size, gen->parameterCount() / 1e6, gen->deviceName(),
                          load_s);
    }

    void loadSpeech(std::stop_token stop) {
        auto t0 = Clock::now();
        media::AudioBuffer pcm = media::readAudio(p.speech, kMelRate, 1, stop);
        speech_samples = pcm.frames();
        mel = melSpectrogram(pcm.samples, mel_params, stop);
        features_s = since(t0);
        n_out = outputFrameCount(n_src, fps, std::max<int64_t>(0, speech_samples + p.offset_samples), kMelRate,
                                 p.length_policy);
        log::core()->info("speech {}: {:.2f} s, {} mel columns; output {} frames ({})", p.speech.filename().string(),
                          double(speech_samples) / kMelRate, mel.n_cols, n_out, toString(p.length_policy));
    }

    // Source frames that some output frame in a range shows: [lo, hi].
    std::pair<int64_t, int64_t> neededSourceSpan() const {
        int64_t lo = INT64_MAX, hi = -1;
        auto consider = [&](int64_t i) {
            const int64_t s = sourceFrameFor(i, n_src, p.length_policy);
            lo = std::min(lo, s);
            hi = std::max(hi, s);
        };
        if (p.ranges.empty() || n_out > 4 * n_src) {
            return {0, n_src - 1};
        }
        for (auto& r : p.ranges)
            for (int64_t i = std::max<int64_t>(0, r.begin); i < std::min(r.end, n_out); ++i) consider(i);
        if (hi < 0) return {0, -1};
        return {lo, hi};
    }

    void trackFaces(const ProgressFn& progress, std::stop_token stop) {
        auto [lo, hi] = neededSourceSpan();
        // A little context on both sides steadies the smoothing at the span's edges.
        lo = std::max<int64_t>(0, lo - 5);
        hi = std::min<int64_t>(n_src - 1, hi + 5);
        const DetectorParams dp = DetectorParams::defaults();
        TrackerParams tp = TrackerParams::defaults();
        tp.detect_every = std::max(1, p.detect_every);
        std::shared_ptr<const VideoFaces> scan;
        if (p.faces && p.faces->covers(p.video, n_src, dp, tp, lo, hi)) {
            scan = p.faces;
            log::core()->info("face track: reusing the finished face scan of {} (frames {}-{})",
                              p.video.filename().string(), scan->first, scan->last);
        } else if (hi >= lo) {
            if (p.faces)
                log::core()->info("face track: the given face scan is of another file, frames or settings; tracking");
            const auto t_start = Clock::now();
            auto on_frame = [&](int64_t done, int64_t total) {
                if (!progress) return true;
                Progress pr;
                pr.stage = "track";
                pr.done = done;
                pr.total = total;
                pr.fraction = 0.15 * double(done) / double(total);
                pr.eta_seconds = since(t_start) / double(done) * double(total - done);
                return progress(pr);
            };
            scan = std::make_shared<VideoFaces>(trackVideoFaces(p.video, lo, hi, dp, tp, on_frame, stop));
            detect_s += scan->detect_s;
            track_decode_s += scan->decode_s;
            tracked_frames += scan->trackedFrames();
        }
        const std::vector<std::vector<TrackedFace>> none(scan ? 0 : size_t(std::max<int64_t>(n_src, 0)));
        const auto& per_frame = scan ? scan->frames : none;
        tracked_lo = scan ? scan->first : lo;
        tracked_hi = scan ? (scan->to_end ? n_src - 1 : scan->last) : hi;
        FaceChoice choice = p.face;
        if (choice.policy == FaceChoice::Policy::Central) choice.frame_size = size;
        if (choice.frame < lo || choice.frame > hi) choice.frame = std::max<int64_t>(lo, 0);
        track = smoothTrack(selectTrack(per_frame, choice), 5);
        log::core()->info("face track: {:.1f}% of {} frames ({:.2f} s detect/track)", 100.0 * track.coverage(),
                          hi - lo + 1, detect_s);
        pickIdentity(lo, hi);
    }

    // The identity (reference) frame: among the first frames of the span, the face whose
    // mouth is most closed, of those detected nearly as confidently as the best. The model
    // was trained with closed or moving mouths there; an open one (a smile with teeth, a
    // photo taken mid-word) is what it copies instead of following the speech. So when even
    // that mouth is open, the identity is the same frame with its mouth closed by the
    // landmark warp (synth::renderFrame at opening 0, the training clips' own renderer).
    void pickIdentity(int64_t lo, int64_t hi) {
        identity_frame = -1;
        float best = -1e9f;
        const int64_t end = std::min(hi, lo + 99);
        for (int64_t s = lo; s <= end; ++s)
            if (const auto& f = track.frames[size_t(s)]) best = std::max(best, f->confidence);
        float least_open = 1e9f;
        for (int64_t s = lo; s <= end; ++s) {
            const auto& f = track.frames[size_t(s)];
            if (!f || f->confidence < best - 0.3f) continue;
            const float o = synth::measuredOpening(f->landmarks);
            if (o < least_open - 1e-4f) {
                least_open = o;
                identity_frame = s;
            }
        }
        if (identity_frame < 0) return;
        media::VideoReader reader(p.video);
        cv::Mat frame = reader.frameAt(identity_frame);
        const FaceDetection& face = *track.frames[size_t(identity_frame)];
        identity_closed = p.close_identity_mouth && least_open > kOpenMouth;
        if (identity_closed) {
            synth::FrameControls closed;  // opening 0: the lips meet, teeth and gap gone
            frame = synth::renderFrame(frame, face.landmarks, closed);
            log::core()->info("identity frame {}: its mouth is open ({:.2f}), closed by the landmark warp",
                              identity_frame, least_open);
        }
        identity_crop = extractCrop(frame, computeCrop(face, crop_params));
    }

    void prepare(const ProgressFn& progress, std::stop_token stop) {
        if (prepared) return;
        auto report = [&](const char* what, double f) {
            if (!progress) return;
            Progress pr;
            pr.stage = what;
            pr.fraction = f;
            if (!progress(pr)) throw Error(ErrorKind::Cancelled, "cancelled by the user");
        };
        report("prepare", 0.0);
        if (!gen) loadModel();
        throwIfCancelled(stop);
        report("prepare", 0.01);
        loadSpeech(stop);
        trackFaces(progress, stop);
        prepared = true;
    }

    // Fills crop, mask, audio and the source crop of an active frame; deactivates
    // it when its face is missing.
    void prepareWork(Work& w) const {
        const auto& face = track.frames.empty() ? std::optional<FaceDetection>() : track.frames[size_t(w.source)];
        if (!w.active) return;
        if (!face || identity_crop.empty()) {
            w.active = false;
            return;
        }
        w.crop = computeCrop(*face, crop_params);
        w.crop_rgb = extractCrop(w.frame, w.crop);
        w.mask = makeMask(*face, w.crop, mask_shape);
        w.paste = pasteMask(*face, w.crop, mask_shape);
        if (p.restore_texture) w.texture = textureMask(*face, w.crop);
        w.audio = frameAudioWindows(mel, w.index, fps, mel_params, win, p.offset_samples);
    }

    models::SamplerParams samplerParams() const {
        models::SamplerParams sp = models::SamplerParams::defaults();
        sp.steps = p.steps;
        sp.seed = p.seed;
        sp.audio_guidance = p.audio_guidance;
        return sp;
    }

    // Runs the model on `items` (each with its motion history) as one batch.
    void generate(const std::vector<Work*>& items, const std::vector<std::vector<cv::Mat>*>& motion,
                  const models::StepFn& on_step, std::stop_token stop) {
        if (items.empty()) return;
        const int s = cfg.image_size;
        models::FrameBatch b;
        b.batch = int(items.size());
        b.size = s;
        for (size_t k = 0; k < items.size(); ++k) {
            Work& w = *items[k];
            appendChw(b.source, w.crop_rgb);
            appendMask(b.mask, w.mask);
            // Diff2Lip dubbing uses the unmasked current frame as its reference.
            appendChw(b.identity, cfg.isDiff2Lip() ? w.crop_rgb : identity_crop);
            if (autoregressive()) {
                const auto& hist = *motion[k];
                for (int m = 0; m < cfg.motion_frames; ++m) {
                    // Oldest first; missing history is the identity frame.
                    const int from_end = cfg.motion_frames - m;
                    const cv::Mat& img = int(hist.size()) >= from_end ? hist[hist.size() - size_t(from_end)] : identity_crop;
                    if (cfg.motion_grey)
                        appendGrey(b.motion, img);
                    else
                        appendChw(b.motion, img);
                }
            }
            b.audio.insert(b.audio.end(), w.audio.begin(), w.audio.end());
        }
        std::vector<float> out = gen->sample(b, samplerParams(), on_step, stop);
        for (size_t k = 0; k < items.size(); ++k) items[k]->generated = chwToRgb(out, int(k), s);
    }
};

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
    p.crf = pr.output.crf;
    p.preset = pr.output.preset;
    p.output = pr.output.output_path;
    return p;
}

void validate(const DubParams& p) {
    if (p.steps < 0 || p.steps > 1000) fail(ErrorKind::BadInput, "steps must be in 0..1000 (0: the model's default)");
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
    if (std::llabs(p.offset_samples) > int64_t(3600) * kOffsetSampleRate)
        fail(ErrorKind::BadInput, "the speech offset must be within an hour");
    if (p.device != "auto" && p.device != "cpu" && p.device != "cuda")
        fail(ErrorKind::BadInput, "device '" + p.device + "' is unknown (auto, cpu or cuda)");
    for (auto& r : p.ranges)
        if (r.begin < 0 || r.end <= r.begin)
            fail(ErrorKind::BadInput, "range " + std::to_string(r.begin) + "-" + std::to_string(r.end) + " is empty or negative");
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
    const bool retrack = params.video != d.p.video || params.speech != d.p.speech || params.model != d.p.model ||
                         params.face.policy != d.p.face.policy || params.face.point != d.p.face.point ||
                         params.face.frame != d.p.face.frame || params.length_policy != d.p.length_policy ||
                         params.offset_samples != d.p.offset_samples || params.detect_every != d.p.detect_every ||
                         params.device != d.p.device || params.close_identity_mouth != d.p.close_identity_mouth;
    if (retrack) fail(ErrorKind::Internal, "DubSession::update: video, speech, model, face or device changed; make a new session");
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
    w.frame = d.preview_reader->frameAt(w.source);
    w.active = true;
    d.prepareWork(w);
    Preview pv;
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
            if (!progress) return true;
            Progress pr;
            pr.stage = "preview";
            pr.done = si.step;
            pr.total = si.total;
            pr.fraction = double(si.step) / double(si.total);
            return progress(pr);
        };
        d.generate({&w}, {&hist}, on_step, stop);
        d.cache.put(key, w.generated);
    }
    pv.generated = pv.source.clone();
    CompositeParams cp = CompositeParams::defaults();
    cp.colour_match = d.p.colour_match;
    cp.texture = w.texture;
    cp.detail_follows_motion = d.p.moving_detail;
    cp.restore_edges = d.p.restore_edges;
    composite(pv.generated, w.generated, w.crop, w.paste, cp);
    cv::Mat weight = featherMask(w.paste, cp.feather_px);
    cv::Mat full;
    cv::warpAffine(weight, full, cv::Mat(w.crop.toFrame()), d.size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    full.convertTo(pv.mask, CV_8U, 255.0);
    return pv;
}

DubReport DubSession::run(const DubCallbacks& cb, std::stop_token user_stop) {
    auto& d = *impl_;
    const auto t_run = Clock::now();
    if (d.p.output.empty()) fail(ErrorKind::BadInput, "no output file given");
    {
        const fs::path parent = fs::absolute(d.p.output).parent_path();
        if (!fs::is_directory(parent)) fail(ErrorKind::Io, d.p.output, "the output folder does not exist");
    }
    d.prepare(cb.progress, user_stop);

    DubReport rep;
    rep.model_name = d.model_path.filename().string() + " (" + d.cfg.family + ")";
    rep.load_s = d.load_s;
    rep.features_s = d.features_s;
    rep.detect_s = d.detect_s;
    rep.decode_s = d.track_decode_s;
    rep.face_coverage = d.track.coverage();
    rep.tracked_frames = d.tracked_frames;
    rep.output = d.p.output;

    // Output audio: the speech at 48 kHz stereo placed at the offset.
    auto t_audio = Clock::now();
    media::AudioBuffer speech48 = media::readAudio(d.p.speech, kOutRate, kOutChannels, user_stop);
    rep.features_s += since(t_audio);
    const int64_t offset48 = d.p.offset_samples * (kOutRate / kMelRate);

    media::WriterParams wp = media::WriterParams::defaults();
    wp.width = d.size.width;
    wp.height = d.size.height;
    wp.frame_rate = d.fps;
    wp.crf = d.p.crf;
    wp.preset = d.p.preset;
    wp.audio_sample_rate = kOutRate;
    wp.audio_channels = kOutChannels;
    auto writer = std::make_unique<media::VideoWriter>(d.p.output, wp);

    // Internal stop: the user's token, a progress callback saying stop, or a failing stage.
    std::stop_source abort;
    std::stop_callback forward(user_stop, [&] { abort.request_stop(); });
    std::stop_token stop = abort.get_token();
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto failWith = [&](std::exception_ptr e) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = e;
        abort.request_stop();
    };

    const bool chunked = d.autoregressive() && d.p.chunks > 1;
    const int64_t block_frames = chunked ? int64_t(d.p.chunks) * d.p.chunk_frames
                                         : (d.autoregressive() ? 8 : std::max(8, d.p.batch));
    BoundedQueue<Block> to_model(2), to_encode(2);
    const uint64_t hash = d.settingsHash();

    double decode_s = 0, prep_s = 0, composite_s = 0, encode_s = 0, model_s = 0;

    // Stage 1: decode + crop/mask/audio windows.
    std::thread producer([&] {
        try {
            media::VideoReader reader(d.p.video);
            int64_t next_src = 0;  // the reader's position
            media::VideoFrame vf;
            for (int64_t i0 = 0; i0 < d.n_out && !stop.stop_requested(); i0 += block_frames) {
                Block blk;
                for (int64_t i = i0; i < std::min(d.n_out, i0 + block_frames); ++i) {
                    Work w;
                    w.index = i;
                    w.source = sourceFrameFor(i, d.n_src, d.p.length_policy);
                    auto t0 = Clock::now();
                    if (w.source != next_src) reader.seek(w.source);
                    if (!reader.next(vf, stop)) {
                        throwIfCancelled(stop);
                        fail(ErrorKind::BadInput, d.p.video,
                             "ended early at frame " + std::to_string(w.source) + " of " + std::to_string(d.n_src));
                    }
                    next_src = w.source + 1;
                    w.frame = vf.rgb;
                    decode_s += since(t0);
                    t0 = Clock::now();
                    w.active = d.inRanges(i);
                    w.alpha = d.alphaAt(i);
                    d.prepareWork(w);
                    if (w.active) {
                        if (auto hit = d.cache.get({i, hash}); hit && !d.autoregressive()) {
                            w.generated = *hit;
                            w.cached = true;
                        }
                    }
                    prep_s += since(t0);
                    blk.frames.push_back(std::move(w));
                }
                if (!to_model.push(std::move(blk))) break;
            }
        } catch (...) {
            failWith(std::current_exception());
        }
        to_model.close();
    });

    // Stage 3: composite + encode, in order.
    std::atomic<int64_t> encoded{0};
    std::thread consumer([&] {
        try {
            CompositeParams cp = CompositeParams::defaults();
            cp.colour_match = d.p.colour_match;
            int64_t audio_written = 0;
            std::vector<float> chunk;
            while (auto blk = to_encode.pop()) {
                for (Work& w : blk->frames) {
                    if (stop.stop_requested()) break;
                    auto t0 = Clock::now();
                    if (w.active && !w.generated.empty()) {
                        cv::Mat gen = w.generated;
                        if (w.alpha < 1.0f) {
                            cv::Mat mixed;
                            cv::addWeighted(w.generated, w.alpha, w.crop_rgb, 1.0 - w.alpha, 0.0, mixed);
                            gen = mixed;
                        }
                        cp.texture = w.texture;
                        cp.detail_follows_motion = d.p.moving_detail;
                        cp.restore_edges = d.p.restore_edges;
                        composite(w.frame, gen, w.crop, w.paste, cp);
                    }
                    composite_s += since(t0);
                    if (cb.on_frame) {
                        DubFrame f;
                        f.index = w.index;
                        f.source_frame = w.source;
                        f.rgb = &w.frame;
                        f.generated = w.active && !w.generated.empty();
                        cb.on_frame(f);
                    }
                    t0 = Clock::now();
                    writer->writeFrame(w.frame);
                    // Audio up to the end of this frame.
                    const int64_t target = mulDivFloor(w.index + 1, int64_t(kOutRate) * d.fps.den, d.fps.num);
                    if (target > audio_written) {
                        const int64_t n = target - audio_written;
                        chunk.assign(size_t(n) * kOutChannels, 0.0f);
                        for (int64_t k = 0; k < n; ++k) {
                            const int64_t src = audio_written + k - offset48;
                            if (src >= 0 && src < speech48.frames())
                                for (int c = 0; c < kOutChannels; ++c)
                                    chunk[size_t(k) * kOutChannels + c] = speech48.samples[size_t(src) * kOutChannels + c];
                        }
                        writer->writeAudio(chunk.data(), n);
                        audio_written = target;
                    }
                    encode_s += since(t0);
                    encoded.fetch_add(1);
                }
                if (stop.stop_requested()) break;
            }
        } catch (...) {
            failWith(std::current_exception());
        }
        to_encode.close();
        to_model.close();
    });

    // Stage 2 (this thread): the model.
    std::vector<cv::Mat> history;  // generated crops of the previous frames (family A, one chain)
    int64_t done_frames = 0;
    int64_t last_active = -2;
    const auto t_gen = Clock::now();
    const int64_t total_active = [&] {
        int64_t n = 0;
        for (int64_t i = 0; i < d.n_out; ++i) n += d.inRanges(i) ? 1 : 0;
        return std::max<int64_t>(n, 1);
    }();
    auto reportProgress = [&](double frames_done_f) {
        if (!cb.progress) return true;
        Progress pr;
        pr.stage = "generate";
        pr.done = int64_t(frames_done_f);
        pr.total = total_active;
        pr.fraction = 0.15 + 0.85 * std::min(1.0, frames_done_f / double(total_active));
        const double el = since(t_gen);
        if (frames_done_f > 0) pr.eta_seconds = el / frames_done_f * (double(total_active) - frames_done_f);
        return cb.progress(pr);
    };
    try {
        while (auto blk = to_model.pop()) {
            if (stop.stop_requested()) break;
            auto t0 = Clock::now();
            std::vector<Work*> todo;
            for (Work& w : blk->frames)
                if (w.active && w.generated.empty()) todo.push_back(&w);
            // Frames finished before this call (done_frames advances after every call) plus
            // the part of this call's frames the sampler has stepped through.
            auto stepFn = [&](double frames_in_call) {
                return [&, frames_in_call](const models::StepInfo& si) {
                    return reportProgress(double(done_frames) + frames_in_call * double(si.step) / double(si.total));
                };
            };
            if (!d.autoregressive()) {
                for (size_t k = 0; k < todo.size(); k += size_t(d.p.batch)) {
                    std::vector<Work*> part(todo.begin() + long(k),
                                            todo.begin() + long(std::min(todo.size(), k + size_t(d.p.batch))));
                    std::vector<std::vector<cv::Mat>*> none(part.size(), nullptr);
                    d.generate(part, none, stepFn(double(part.size())), stop);
                    for (Work* w : part) d.cache.put({w->index, hash}, w->generated);
                    done_frames += int64_t(part.size());
                }
            } else if (!chunked) {
                for (Work* w : todo) {
                    // A gap (no face, outside a range) restarts the chain from the identity frame.
                    if (w->index != last_active + 1) history.clear();
                    d.generate({w}, {&history}, stepFn(1.0), stop);
                    history.push_back(w->generated);
                    if (int(history.size()) > d.cfg.motion_frames) history.erase(history.begin());
                    last_active = w->index;
                    d.cache.put({w->index, hash}, w->generated);
                    ++done_frames;
                }
            } else {
                // Chunks of chunk_frames consecutive frames, each starting from the identity
                // frame, advanced side by side: step j generates frame j of every chunk.
                const int C = d.p.chunks, L = d.p.chunk_frames;
                std::vector<std::vector<cv::Mat>> hist(static_cast<size_t>(C));
                std::vector<int64_t> last(static_cast<size_t>(C), -2);
                for (int j = 0; j < L; ++j) {
                    std::vector<Work*> items;
                    std::vector<std::vector<cv::Mat>*> motion;
                    for (int c = 0; c < C; ++c) {
                        const size_t idx = size_t(c) * L + size_t(j);
                        if (idx >= blk->frames.size()) continue;
                        Work& w = blk->frames[idx];
                        if (!w.active || !w.generated.empty()) continue;
                        if (w.index != last[size_t(c)] + 1) hist[size_t(c)].clear();
                        items.push_back(&w);
                        motion.push_back(&hist[size_t(c)]);
                    }
                    d.generate(items, motion, stepFn(double(items.size())), stop);
                    for (size_t k = 0; k < items.size(); ++k) {
                        auto& h = *motion[k];
                        h.push_back(items[k]->generated);
                        if (int(h.size()) > d.cfg.motion_frames) h.erase(h.begin());
                        const int c = int((items[k] - blk->frames.data()) / L);
                        last[size_t(c)] = items[k]->index;
                        d.cache.put({items[k]->index, hash}, items[k]->generated);
                    }
                    done_frames += int64_t(items.size());
                }
            }
            model_s += since(t0);
            for (Work& w : blk->frames) {
                if (w.active && !w.generated.empty()) ++rep.generated;
                if (d.inRanges(w.index) && !w.active) ++rep.no_face;
            }
            if (!reportProgress(double(done_frames))) throw Error(ErrorKind::Cancelled, "cancelled by the user");
            if (!to_encode.push(std::move(*blk))) break;
        }
    } catch (...) {
        failWith(std::current_exception());
    }
    to_encode.close();
    to_model.close();
    producer.join();
    consumer.join();

    if (!failure && user_stop.stop_requested()) failure = std::make_exception_ptr(Error(ErrorKind::Cancelled, "cancelled by the user"));
    if (failure) {
        writer.reset();  // deletes the partial file
        std::rethrow_exception(failure);
    }
    if (encoded.load() != d.n_out) {
        writer.reset();
        fail(ErrorKind::Internal, "dub: encoded " + std::to_string(encoded.load()) + " of " + std::to_string(d.n_out) + " frames");
    }
    auto t_fin = Clock::now();
    writer->finish();
    encode_s += since(t_fin);

    rep.frames = d.n_out;
    rep.decode_s += decode_s;
    rep.features_s += prep_s;  // crop, mask and audio windows per frame
    rep.model_s = model_s;
    rep.composite_s = composite_s;
    rep.encode_s = encode_s;
    rep.wall_s = since(t_run);
    log::core()->info("dubbed {} frames ({} generated, {} without a face) into {} in {:.1f} s", rep.frames,
                      rep.generated, rep.no_face, d.p.output.string(), rep.wall_s);
    if (cb.progress) {
        Progress pr;
        pr.stage = "done";
        pr.done = pr.total = rep.frames;
        pr.fraction = 1.0;
        pr.eta_seconds = 0;
        cb.progress(pr);
    }
    return rep;
}

DubReport runDub(const DubParams& params, const DubCallbacks& callbacks, std::stop_token stop) {
    DubSession session(params);
    return session.run(callbacks, stop);
}

}  // namespace redub::core
