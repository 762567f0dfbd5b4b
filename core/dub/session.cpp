#include "core/dub/session.hpp"

#include "core/dub/composite.hpp"
#include "core/face/face_detector.hpp"
#include "core/face/face_tracker.hpp"
#include "core/face/face_warp.hpp"
#include "media/audio_reader.hpp"
#include "models/runtime.hpp"
#include "redub/log.hpp"

#include <algorithm>

namespace redub::core {

using namespace dub_internal;

std::string DubSession::Impl::settingsText() const {
    return model_path.string() + "|" + std::to_string(p.steps) + "|" + std::to_string(p.seed) + "|" +
                    std::to_string(p.audio_guidance) + "|" + std::to_string(p.close_identity_mouth) + "|" +
                    std::to_string(p.offset_samples) + "|" + std::string(toString(p.length_policy)) + "|" +
                    std::to_string(int(p.face.policy)) + "," + std::to_string(p.face.point.x) + "," +
                    std::to_string(p.face.point.y) + "," + std::to_string(p.face.frame) + "|" + p.speech.string();
}

uint64_t DubSession::Impl::settingsHash() const { return std::hash<std::string>{}(settingsText()); }

uint64_t DubSession::Impl::journalKey() const {
    auto identity = [](const std::filesystem::path& f) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(f, ec);
        const auto t = std::filesystem::last_write_time(f, ec);
        return std::filesystem::absolute(f).string() + ":" + std::to_string(size) + ":" +
               std::to_string(t.time_since_epoch().count());
    };
    std::string s = std::string(log::version()) + "|" + settingsText() + "|" + identity(p.video) + "|" +
                    identity(p.speech) + "|" + identity(model_path) + "|" + std::to_string(n_out) + "|" +
                    std::to_string(p.chunks) + "," + std::to_string(p.chunk_frames) + "," + std::to_string(p.batch) +
                    "|" + std::to_string(p.detect_every) + "|" + p.device + "|";
    for (const auto& r : p.ranges) s += std::to_string(r.begin) + "-" + std::to_string(r.end) + ",";
    return stableHash(s);
}

bool DubSession::Impl::inRanges(int64_t i) const {
    if (p.ranges.empty()) return true;
    for (auto& r : p.ranges)
        if (r.contains(i)) return true;
    return false;
}

float DubSession::Impl::alphaAt(int64_t i) const {
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

void DubSession::Impl::loadModel() {
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

void DubSession::Impl::loadSpeech(std::stop_token stop) {
    auto t0 = Clock::now();
    media::AudioBuffer pcm = media::readAudio(p.speech, kMelRate, 1, stop);
    speech_samples = pcm.frames();
    if (speech_samples == 0) fail(ErrorKind::BadInput, p.speech, "holds no audio samples: the new speech is empty");
    mel = melSpectrogram(pcm.samples, mel_params, stop);
    features_s = since(t0);
    n_out = outputFrameCount(n_src, fps, std::max<int64_t>(0, speech_samples + p.offset_samples), kMelRate,
                             p.length_policy);
    log::core()->info("speech {}: {:.2f} s, {} mel columns; output {} frames ({})", p.speech.filename().string(),
                      double(speech_samples) / kMelRate, mel.n_cols, n_out, toString(p.length_policy));
}

std::pair<int64_t, int64_t> DubSession::Impl::neededSourceSpan() const {
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

void DubSession::Impl::trackFaces(const ProgressFn& progress, std::stop_token stop) {
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
            if (!progress) return;
            Progress pr;
            pr.stage = "track";
            pr.done = done;
            pr.total = total;
            pr.fraction = 0.15 * double(done) / double(total);
            pr.eta_seconds = since(t_start) / double(done) * double(total - done);
            progress(pr);
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

void DubSession::Impl::pickIdentity(int64_t lo, int64_t hi) {
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

void DubSession::Impl::prepare(const ProgressFn& progress, std::stop_token stop) {
    if (prepared) return;
    auto report = [&](const char* what, double f) {
        if (!progress) return;
        Progress pr;
        pr.stage = what;
        pr.fraction = f;
        progress(pr);
    };
    report("prepare", 0.0);
    if (!gen) loadModel();
    throwIfCancelled(stop);
    report("prepare", 0.01);
    loadSpeech(stop);
    trackFaces(progress, stop);
    prepared = true;
}

void DubSession::Impl::prepareWork(Work& w) const {
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
    w.landmarks = face->landmarks;
    w.audio = frameAudioWindows(mel, w.index, fps, mel_params, win, p.offset_samples);
}

void DubSession::Impl::compositeWork(cv::Mat& frame, const Work& w) {
    if (!w.active || w.generated.empty()) return;
    cv::Mat gen = w.generated;
    if (w.alpha < 1.0f) cv::addWeighted(w.generated, w.alpha, w.crop_rgb, 1.0 - w.alpha, 0.0, gen);
    CompositeParams cp = CompositeParams::defaults();
    cp.colour_match = p.colour_match;
    cp.texture = w.texture;
    cp.detail_follows_motion = p.moving_detail;
    cp.restore_edges = p.restore_edges;
    if (!p.source_lips) {
        composite(frame, gen, w.crop, w.paste, cp);
        return;
    }
    const cv::Mat source = frame.clone();
    composite(frame, gen, w.crop, w.paste, cp);
    {
        std::lock_guard lock(lips_mutex);
        if (!lips) {
            SourceLipsParams lp;
            lp.render_interior = cfg.image_size < kPaintsTeethPx;
            lips = std::make_unique<SourceLips>(lp);
        }
        lips->setArticulation(p.articulation);
    }
    lips->apply(frame, source, w.landmarks, w.crop, w.paste, cp.feather_px);
}

models::SamplerParams DubSession::Impl::samplerParams() const {
    models::SamplerParams sp = models::SamplerParams::defaults();
    sp.steps = p.steps;
    sp.seed = p.seed;
    sp.audio_guidance = p.audio_guidance;
    return sp;
}

void DubSession::Impl::generate(const std::vector<Work*>& items, const std::vector<std::vector<cv::Mat>*>& motion,
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
    const models::SamplerParams sp = samplerParams();
    std::vector<float> out = gen->sample(b, sp, on_step, stop);
    denoiser_calls += int64_t(items.size()) * gen->callsPerFrame(sp);
    for (size_t k = 0; k < items.size(); ++k) items[k]->generated = chwToRgb(out, int(k), s);
}

media::WriterParams DubSession::Impl::writerParams() const {
    media::WriterParams wp = media::WriterParams::defaults();
    wp.width = size.width;
    wp.height = size.height;
    wp.frame_rate = fps;
    wp.crf = p.crf;
    wp.preset = p.preset;
    wp.audio_sample_rate = kOutRate;
    wp.audio_channels = kOutChannels;
    return wp;
}

DubReport DubSession::Impl::startReport() const {
    DubReport rep;
    rep.model_name = model_path.filename().string() + " (" + cfg.family + ")";
    rep.load_s = load_s;
    rep.features_s = features_s;
    rep.detect_s = detect_s;
    rep.decode_s = track_decode_s;
    rep.face_coverage = track.coverage();
    rep.tracked_frames = tracked_frames;
    rep.output = p.output;
    return rep;
}

}  // namespace redub::core
