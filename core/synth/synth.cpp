#include "core/synth/synth.hpp"

#include "core/face/face_detector.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

namespace redub::core::synth {
namespace {

namespace fs = std::filesystem;

bool looksLikeImage(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".tif" ||
           ext == ".tiff" || ext == ".ppm";
}

cv::Mat downscale(const cv::Mat& rgb, int max_side) {
    const int side = std::max(rgb.cols, rgb.rows);
    if (max_side <= 0 || side <= max_side) return rgb;
    const double s = double(max_side) / side;
    cv::Mat out;
    cv::resize(rgb, out, cv::Size(int(std::lround(rgb.cols * s)), int(std::lround(rgb.rows * s))), 0, 0, cv::INTER_AREA);
    return out;
}

// Smooth pseudo-random motion: a few incommensurate sines with random phases.
struct SmoothNoise {
    double phase[3], freq[3];
    explicit SmoothNoise(std::mt19937_64& rng, double base_hz) {
        std::uniform_real_distribution<double> u(0, 2 * CV_PI);
        const double mult[3] = {1.0, 2.37, 4.11};
        for (int i = 0; i < 3; ++i) {
            phase[i] = u(rng);
            freq[i] = base_hz * mult[i];
        }
    }
    double at(double t) const {
        return (std::sin(2 * CV_PI * freq[0] * t + phase[0]) + 0.5 * std::sin(2 * CV_PI * freq[1] * t + phase[1]) +
                0.25 * std::sin(2 * CV_PI * freq[2] * t + phase[2])) /
               1.75;
    }
};

// Blink profile: closes in ~80 ms, reopens in ~170 ms.
float blinkAt(const std::vector<double>& starts, double t) {
    float b = 0;
    for (double s : starts) {
        const double d = t - s;
        if (d < 0 || d > 0.25) continue;
        b = std::max(b, float(d < 0.08 ? d / 0.08 : 1.0 - (d - 0.08) / 0.17));
    }
    return b;
}

// Scales `rgb` to cover size x and crops the centre (the background is kept, none is invented).
cv::Mat cover(const cv::Mat& rgb, cv::Size size) {
    const double s = std::max(double(size.width) / rgb.cols, double(size.height) / rgb.rows);
    cv::Mat scaled;
    cv::resize(rgb, scaled, cv::Size(std::max(size.width, int(std::ceil(rgb.cols * s))),
                                     std::max(size.height, int(std::ceil(rgb.rows * s)))),
               0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return scaled(cv::Rect((scaled.cols - size.width) / 2, (scaled.rows - size.height) / 2, size.width, size.height))
        .clone();
}

class FaceSource {
public:
    FaceSource(const fs::path& file, int max_side, int64_t start, cv::Size size = {}) : max_side_(max_side) {
        if (!fs::exists(file)) fail(ErrorKind::BadInput, file, "face file does not exist");
        if (looksLikeImage(file)) {
            cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
            if (bgr.empty()) fail(ErrorKind::BadInput, file, "cannot read this image");
            cv::cvtColor(bgr, still_, cv::COLOR_BGR2RGB);
            still_ = size.width > 0 && size.height > 0 ? cover(still_, size) : downscale(still_, max_side);
        } else {
            reader_ = std::make_unique<media::VideoReader>(file);
            if (reader_->frameCount() <= 0) fail(ErrorKind::BadInput, file, "video has no frames");
            start_ = std::clamp<int64_t>(start, 0, reader_->frameCount() - 1);
            reader_->seek(start_);
        }
    }
    bool isVideo() const { return reader_ != nullptr; }
    // Frames in order; at the end of a video the frames play backwards (ping-pong).
    cv::Mat next(std::stop_token stop) {
        if (!reader_) return still_;
        if (forward_) {
            media::VideoFrame f;
            if (reader_->next(f, stop)) {
                cv::Mat s = downscale(f.rgb, max_side_);
                history_.push_back(s);
                return s;
            }
            forward_ = false;
            back_ = int64_t(history_.size()) - 1;
        }
        if (history_.empty()) fail(ErrorKind::BadInput, "video yielded no frames");
        // ping-pong over what was read
        if (back_ <= 0) dir_ = +1;
        if (back_ >= int64_t(history_.size()) - 1) dir_ = -1;
        back_ += dir_;
        return history_[size_t(std::clamp<int64_t>(back_, 0, int64_t(history_.size()) - 1))];
    }

private:
    int max_side_;
    cv::Mat still_;
    std::unique_ptr<media::VideoReader> reader_;
    int64_t start_ = 0;
    bool forward_ = true;
    std::vector<cv::Mat> history_;
    int64_t back_ = 0;
    int dir_ = -1;
};

}  // namespace

SynthResult synthesizeClip(const SynthParams& params, const fs::path& out, const ProgressFn& progress,
                           std::stop_token stop) {
    if (!(params.fps > 0 && params.fps <= 120)) fail(ErrorKind::BadInput, "synth: fps must be in (0, 120]");
    if ((params.width != 0 || params.height != 0) &&
        (params.width < 16 || params.height < 16 || params.width > 7680 || params.height > 4320 || params.width % 2 ||
         params.height % 2))
        fail(ErrorKind::BadInput, "output size must be even and within 16x16..7680x4320");
    const bool still_only = params.text.empty();
    if (still_only && !(params.duration_s > 0 && params.duration_s <= 3600))
        fail(ErrorKind::BadInput, "a moving still needs a duration in (0, 3600] s");
    Speech speech;
    if (still_only)
        speech.sample_rate = 16000;  // the timeline's unit only: no audio is written
    else
        speech = synthesize(params.text, params.voice, params.rate);
    if (!still_only && speech.phones.empty())
        fail(ErrorKind::BadInput, "voice '" + params.voice + "' gives no phone timings; the talking-face synthesizer "
                                  "needs one of flite's voices (slt, rms, awb, kal16)");

    // Lead-in/out silence so every clip starts and ends with a closed mouth.
    const int lead = still_only ? int(std::lround(params.duration_s * speech.sample_rate))
                                : int(std::lround(params.lead_in_s * speech.sample_rate));
    std::vector<float> audio(size_t(lead), 0.0f);
    audio.insert(audio.end(), speech.samples.begin(), speech.samples.end());
    audio.resize(audio.size() + size_t(lead), 0.0f);
    if (still_only) audio.resize(size_t(lead));  // the duration, silent
    std::vector<Phone> phones;
    phones.push_back({"pau", 0.0, still_only ? params.duration_s : params.lead_in_s});
    for (Phone p : speech.phones) {
        p.start_s += params.lead_in_s;
        p.end_s += params.lead_in_s;
        phones.push_back(p);
    }
    const double dur = double(audio.size()) / speech.sample_rate;
    phones.push_back({"pau", phones.back().end_s, dur});
    const int64_t n_frames = int64_t(std::floor(dur * params.fps));
    const std::vector<MouthParams> track = mouthTrack(phones, params.fps, int(n_frames));

    FaceSource source(params.face, params.max_side, params.start_frame, cv::Size(params.width, params.height));
    FaceDetector detector;
    std::mt19937_64 rng(params.seed);
    SmoothNoise rot(rng, 0.23), sx(rng, 0.17), sy(rng, 0.19), sc(rng, 0.11);
    std::vector<double> blink_starts;
    if (params.blinks && !source.isVideo()) {
        std::uniform_real_distribution<double> gap(1.8, 5.0);
        for (double t = std::uniform_real_distribution<double>(0.3, 2.0)(rng); t < dur; t += gap(rng))
            blink_starts.push_back(t);
    }

    std::unique_ptr<media::VideoWriter> writer;
    SynthResult result;
    result.video_path = out;
    result.json_path = fs::path(out).replace_extension(".json");
    result.phones = phones;
    result.duration_s = dur;
    Landmarks68 lm_prev{};
    bool have_prev = false;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < n_frames; ++i) {
        throwIfCancelled(stop);
        cv::Mat frame = source.next(stop);
        if (!have_prev || source.isVideo()) {
            auto faces = detector.detect(frame);
            if (faces.empty()) {
                if (!have_prev) fail(ErrorKind::BadInput, params.face, "no face found in the first frame");
                redub::log::core()->debug("synth: no face in frame {}, reusing the previous landmarks", i);
            } else {
                Landmarks68 lm = faces.front().landmarks;
                // Light temporal smoothing against landmark jitter on video.
                if (have_prev)
                    for (size_t k = 0; k < 68; ++k) lm[k] = lm[k] * 0.6f + lm_prev[k] * 0.4f;
                lm_prev = lm;
                have_prev = true;
            }
        }
        FrameControls ctl;
        ctl.mouth = track[size_t(i)];
        const double t = (double(i) + 0.5) / params.fps;
        ctl.blink = blinkAt(blink_starts, t);
        if (params.head_motion && !source.isVideo()) {
            const float io = std::max(1.0f, std::abs(lm_prev[45].x - lm_prev[36].x));
            ctl.pose.rotation_deg = float(1.6 * rot.at(t));
            ctl.pose.shift_x_px = float(0.05 * io * sx.at(t));
            ctl.pose.shift_y_px = float(0.035 * io * sy.at(t));
            ctl.pose.scale = float(1.0 + 0.012 * sc.at(t));
        }
        Landmarks68 rendered;
        cv::Mat img = renderFrame(frame, lm_prev, ctl, &rendered);
        if (!writer) {
            auto wp = media::WriterParams::defaults();
            wp.width = img.cols;
            wp.height = img.rows;
            wp.frame_rate = redub::Rational{int64_t(std::lround(params.fps * 1000)), 1000};
            wp.crf = params.crf;
            wp.preset = "veryfast";
            wp.with_audio = !still_only;
            wp.audio_sample_rate = speech.sample_rate;
            wp.audio_channels = 1;
            wp.audio_bitrate = 64000;
            writer = std::make_unique<media::VideoWriter>(out, wp);
        }
        writer->writeFrame(img);
        result.frame_truth.push_back({ctl.mouth, ctl.blink, measuredOpening(rendered)});
        if (progress) {
            const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            Progress p{"render", i + 1, n_frames, double(i + 1) / n_frames, el / double(i + 1) * double(n_frames - i - 1)};
            progress(p);
        }
    }
    if (!writer) fail(ErrorKind::BadInput, "synth: the speech is shorter than one frame");
    const int64_t audio_frames = std::min<int64_t>(int64_t(audio.size()), int64_t(std::llround(n_frames / params.fps * speech.sample_rate)));
    if (!still_only) writer->writeAudio(audio.data(), audio_frames);
    if (still_only) {  // a moving still: no speech, so no ground truth to write
        writer->finish();
        result.json_path.clear();
        result.frames = n_frames;
        return result;
    }

    nlohmann::json j;
    j["face"] = params.face.string();
    j["text"] = params.text;
    j["voice"] = params.voice;
    j["fps"] = params.fps;
    j["sample_rate"] = speech.sample_rate;
    j["phones"] = nlohmann::json::array();
    for (const Phone& p : phones) j["phones"].push_back({{"name", p.name}, {"start_s", p.start_s}, {"end_s", p.end_s}});
    j["frames"] = nlohmann::json::array();
    for (const SynthFrame& f : result.frame_truth)
        j["frames"].push_back({{"opening", f.mouth.opening},
                               {"width", f.mouth.width},
                               {"rounding", f.mouth.rounding},
                               {"blink", f.blink},
                               {"landmark_opening", f.landmark_opening}});
    writer->finish();  // the clip first, then its ground truth
    writeFileAtomically(result.json_path, [&](std::ostream& o) { o << j.dump(1) << "\n"; });
    result.frames = n_frames;
    return result;
}

std::vector<SynthFrame> readTruth(const fs::path& json_file) {
    std::ifstream in(json_file);
    if (!in) fail(ErrorKind::BadInput, json_file, "cannot open the ground-truth JSON");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const std::exception& e) {
        fail(ErrorKind::BadInput, json_file, std::string("not valid JSON: ") + e.what());
    }
    if (!j.contains("frames") || !j["frames"].is_array()) fail(ErrorKind::BadInput, json_file, "no \"frames\" array");
    std::vector<SynthFrame> out;
    for (const auto& f : j["frames"]) {
        SynthFrame s;
        s.mouth.opening = f.value("opening", 0.0f);
        s.mouth.width = f.value("width", 0.0f);
        s.mouth.rounding = f.value("rounding", 0.0f);
        s.blink = f.value("blink", 0.0f);
        s.landmark_opening = f.value("landmark_opening", 0.0f);
        out.push_back(s);
    }
    return out;
}

}  // namespace redub::core::synth
