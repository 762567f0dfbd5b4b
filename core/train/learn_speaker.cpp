#include "core/train/learn_speaker.hpp"

#include "core/audio/sync_meter.hpp"
#include "core/dub/dub.hpp"
#include "core/face/face_detector.hpp"
#include "core/synth/animate.hpp"
#include "core/train/train_job.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "media/wav_writer.hpp"
#include "models/runtime.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace redub::core {

namespace fs = std::filesystem;

namespace {

constexpr double kMinClipSeconds = 4.0;
constexpr double kMinHoldoutSeconds = 2.0;

fs::path withSuffix(const fs::path& p, const char* suffix) { return fs::path(p).concat(suffix); }

// The held-out material, prepared once: a still frame (PNG, at most 720 px) and its speech.
struct Probe {
    fs::path photo, speech;
    std::vector<float> speech16k;
    double source_sharpness = 0;
};

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}

Probe prepareProbe(const fs::path& video, int64_t frame, double fps, double measure_s, const fs::path& dir,
                   std::stop_token stop) {
    Probe pr;
    media::VideoReader reader(video);
    cv::Mat rgb = reader.frameAt(frame);
    if (rgb.empty()) fail(ErrorKind::BadInput, video, "cannot decode frame " + std::to_string(frame));
    const double s = 720.0 / std::max(rgb.cols, rgb.rows);
    if (s < 1.0) cv::resize(rgb, rgb, cv::Size(), s, s, cv::INTER_AREA);
    FaceDetector detector;
    const auto faces = detector.detect(rgb);
    if (faces.empty())
        fail(ErrorKind::BadInput, video,
             "no face at " + std::to_string(frame / fps).substr(0, 5) + " s, where the held-out part starts");
    pr.source_sharpness = lipSharpness(rgb, faces.front().landmarks);
    pr.photo = dir / "held-out-frame.png";
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    if (!cv::imwrite(pr.photo.string(), bgr)) fail(ErrorKind::Io, pr.photo, "cannot write the PNG");
    const std::vector<float> all = loadSpeech16k(video, stop);
    const size_t a = std::min(all.size(), size_t(std::llround(double(frame) / fps * kSyncRate)));
    const size_t b = std::min(all.size(), a + size_t(measure_s * kSyncRate));
    pr.speech16k.assign(all.begin() + std::ptrdiff_t(a), all.begin() + std::ptrdiff_t(b));
    pr.speech = dir / "held-out-speech.wav";
    media::writeWavMono16(pr.speech, pr.speech16k, kSyncRate);
    return pr;
}

// `on_fraction` reports progress (it runs on the dub's threads: it must not throw).
SpeakerMeasure measureModel(const Probe& pr, const fs::path& model, const LearnSpeakerParams& p, const fs::path& dir,
                            const std::function<void(double)>& on_fraction, std::stop_token stop) {
    auto ap = AnimateParams::defaults();
    ap.photo = pr.photo;
    ap.speech = pr.speech;
    ap.output = dir / "held-out-dub.mp4";
    ap.dub.model = model;
    ap.dub.threads = p.threads;
    ap.dub.device = p.device;
    runAnimate(ap, [&](const Progress& q) { on_fraction(0.8 * q.fraction); }, stop);
    throwIfCancelled(stop);
    const VideoMeasure m = measureVideo(ap.output, 5, nullptr, {}, stop);
    on_fraction(1.0);
    SpeakerMeasure out;
    out.sync_r = syncScore(m, pr.speech16k).r;
    std::vector<double> sharp;
    for (double v : m.sharpness)
        if (v > 0) sharp.push_back(v);
    out.sharpness = pr.source_sharpness > 0 ? median(sharp) / pr.source_sharpness : 0;
    std::error_code ec;
    fs::remove(ap.output, ec);
    return out;
}

nlohmann::json toJson(const SpeakerMeasure& m) { return {{"sync_r", m.sync_r}, {"sharpness", m.sharpness}}; }

void writeReport(const fs::path& file, const LearnSpeakerReport& r, const LearnSpeakerParams& p) {
    nlohmann::json j = {{"video", p.video.string()},
                        {"from", p.from.empty() ? std::string("default") : p.from.string()},
                        {"steps", r.steps},
                        {"loss", r.loss},
                        {"val_loss", r.val_loss},
                        {"train_frames", r.train_frames},
                        {"holdout_from", r.holdout_from},
                        {"holdout_from_s", r.holdout_from_s},
                        {"seconds", r.seconds},
                        {"before", toJson(r.before)},
                        {"after", toJson(r.after)},
                        {"better_than_start", learnedModelIsBetter(r)}};
    writeFileAtomically(file, [&](std::ostream& f) { f << j.dump(2) << "\n"; });
}

}  // namespace

namespace {
LearnSpeakerReport learn(const LearnSpeakerParams& p, const ProgressFn& progress, std::stop_token stop) {
    const auto t0 = std::chrono::steady_clock::now();
    if (p.video.empty()) fail(ErrorKind::BadInput, "learn the speaker: no video given");
    if (p.out.empty()) fail(ErrorKind::BadInput, "learn the speaker: no output model given");
    if (p.steps <= 0 && !(p.minutes > 0 && p.minutes <= 24 * 60))
        fail(ErrorKind::BadInput, "learn the speaker: the training time must be 0..1440 minutes, or give steps");
    if (!(p.holdout_fraction >= 0.05 && p.holdout_fraction <= 0.5))
        fail(ErrorKind::BadInput, "learn the speaker: the held-out part must be 5..50 % of the clip");
    if (!(p.measure_seconds >= 1 && p.measure_seconds <= 60))
        fail(ErrorKind::BadInput, "learn the speaker: the measured part must be 1..60 s");
    if (p.batch < 1 || p.batch > 256) fail(ErrorKind::BadInput, "learn the speaker: the batch must be 1..256 frames");
    const fs::path dir = p.out.has_parent_path() ? p.out.parent_path() : fs::path(".");
    if (!fs::is_directory(dir)) fail(ErrorKind::Io, p.out, "its folder does not exist");
    const fs::path from = p.from.empty() ? defaultModelPath() : p.from;
    if (!fs::exists(from)) fail(ErrorKind::BadInput, from, "starting model not found");
    std::error_code ec;
    if (fs::exists(p.out) && fs::equivalent(p.out, p.video, ec))
        fail(ErrorKind::BadInput, p.out, "is the video itself: choose another file for the speaker model");
    if (fs::exists(p.out) && fs::is_directory(p.out))
        fail(ErrorKind::BadInput, p.out, "is a folder: give a file name for the speaker model");

    const media::MediaInfo info = media::probe(p.video);
    if (!info.video) fail(ErrorKind::BadInput, p.video, "has no video stream");
    if (!info.audio)
        fail(ErrorKind::BadInput, p.video, "has no audio: learning a speaker needs the clip with their own speech");
    const double fps = info.video->timeline_frame_rate.toDouble();
    const int64_t frames = info.video->timeline_frame_count;
    const double seconds = fps > 0 ? double(frames) / fps : 0;
    if (seconds < kMinClipSeconds) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "is %.1f s long; learning a speaker needs at least %.0f s of them talking (the last part is "
                      "held out to measure the result)",
                      seconds, kMinClipSeconds);
        fail(ErrorKind::BadInput, p.video, buf);
    }
    const int64_t held = std::min<int64_t>(frames / 2, std::max<int64_t>(std::llround(p.holdout_fraction * double(frames)),
                                                                         std::llround(kMinHoldoutSeconds * fps)));
    LearnSpeakerReport r;
    r.model = p.out;
    r.holdout_from = frames - held;
    r.train_frames = r.holdout_from;
    r.holdout_from_s = double(r.holdout_from) / fps;
    const double measure_s = std::min(p.measure_seconds, double(held) / fps);

    // Overall progress: measure before 0-10 %, dataset 10-30 %, training 30-90 %, measure after 90-100 %.
    auto report = [&](const char* name, double fraction, int64_t done, int64_t total, double eta) {
        if (progress) progress({name, done, total, std::clamp(fraction, 0.0, 1.0), eta});
    };
    auto cancelled = [] { return Error(ErrorKind::Cancelled, "cancelled by the user"); };

    // Scratch files beside the model (same file system), removed at the end.
    const fs::path scratch = withSuffix(p.out, ".measure");
    fs::create_directories(scratch);
    const ScratchPaths cleanup{scratch};

    report("measure", 0, 0, 0, -1);
    if (stop.stop_requested()) throw cancelled();
    const Probe probe = prepareProbe(p.video, r.holdout_from, fps, measure_s, scratch, stop);
    auto measure = [&](const fs::path& model, double begin, double span) {
        const SpeakerMeasure m = measureModel(probe, model, p, scratch,
                                              [&](double f) { report("measure", begin + span * f, 0, 0, -1); }, stop);
        if (stop.stop_requested()) throw cancelled();
        return m;
    };
    r.before = measure(from, 0.0, 0.1);
    log::core()->info("learn speaker: starting model on the held-out part: sync r {:.3f}, sharpness {:.2f}",
                      r.before.sync_r, r.before.sharpness);

    // Training into "<out>.learning.safetensors": `out` changes only when everything finished.
    const fs::path learning = withSuffix(p.out, ".learning.safetensors");
    auto jp = TrainJobParams::defaults();
    jp.videos = {p.video};
    jp.holdout_from_frame = r.holdout_from;
    jp.from = from;
    jp.out = learning;
    jp.train.minutes = p.steps > 0 ? 0 : p.minutes;
    jp.train.max_steps = p.steps;
    jp.train.batch = p.batch;
    jp.train.lr = 1e-4;             // fine-tuning: half the from-scratch rate
    jp.train.warmup_steps = 20;
    jp.train.checkpoint_every_s = 60;
    jp.train.threads = p.threads;
    jp.train.device = models::parseDevice(p.device);
    const auto st = runTrainJob(jp, [&](const Progress& q) {
        const bool data = q.stage != "train";
        const double f = data ? 0.1 + 0.2 * (q.total > 0 ? double(q.done) / double(q.total) : 0.0) : 0.3 + 0.6 * q.fraction;
        report(data ? "dataset" : "train", f, q.done, q.total, data ? -1 : q.eta_seconds);
    }, stop);
    if (stop.stop_requested()) throw cancelled();
    r.steps = st.step;
    r.loss = st.loss;
    r.val_loss = st.val_loss;

    r.after = measure(learning, 0.9, 0.1);
    log::core()->info("learn speaker: after {} steps: sync r {:.3f}, sharpness {:.2f}", r.steps, r.after.sync_r,
                      r.after.sharpness);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    throwIfCancelled(stop);
    // The model first, then its report; the resume state of the finished run goes.
    fs::rename(learning, p.out);
    fs::remove(withSuffix(learning, ".state"), ec);
    writeReport(withSuffix(p.out, ".json"), r, p);
    return r;
}
}  // namespace

LearnSpeakerReport learnSpeaker(const LearnSpeakerParams& p, const ProgressFn& progress, std::stop_token stop) {
    try {
        return learn(p, progress, stop);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Cancelled) throw;
        // Whatever stage it stopped in (measuring, building the dataset, training).
        throw Error(ErrorKind::Cancelled, "cancelled by the user: " + p.out.string() +
                                              " is unchanged; learning again continues from the last checkpoint");
    }
}

LearnSpeakerReport readSpeakerReport(const fs::path& model) {
    LearnSpeakerReport r;
    r.model = model;
    std::ifstream f(withSuffix(model, ".json"));
    if (!f) return r;
    try {
        const auto j = nlohmann::json::parse(f);
        r.steps = j.value("steps", int64_t(0));
        r.loss = j.value("loss", 0.0);
        r.val_loss = j.value("val_loss", -1.0);
        r.train_frames = j.value("train_frames", int64_t(0));
        r.holdout_from = j.value("holdout_from", int64_t(0));
        r.holdout_from_s = j.value("holdout_from_s", 0.0);
        r.seconds = j.value("seconds", 0.0);
        r.before = {j.at("before").value("sync_r", 0.0), j.at("before").value("sharpness", 0.0)};
        r.after = {j.at("after").value("sync_r", 0.0), j.at("after").value("sharpness", 0.0)};
    } catch (const std::exception&) {
        r.steps = 0;
    }
    return r;
}

bool learnedModelIsBetter(const LearnSpeakerReport& r) {
    return r.steps > 0 && r.after.sync_r >= r.before.sync_r - kLearnSyncNoise;
}

std::string describe(const LearnSpeakerReport& r) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "Measured on the part of the clip it never trained on (from %.1f s), the frame there held still "
                  "and dubbed with its speech: lip sync r %.2f -> %.2f, lip sharpness %.2f -> %.2f of the source's. "
                  "%lld training steps in %.0f min.",
                  r.holdout_from_s, r.before.sync_r, r.after.sync_r, r.before.sharpness, r.after.sharpness,
                  (long long)r.steps, r.seconds / 60);
    std::string s = buf;
    if (!learnedModelIsBetter(r))
        s += " The new model follows the held-out speech less well than the one it started from: keep using that "
             "one (a longer clip with more varied speech may help).";
    return s;
}

}  // namespace redub::core
