#include "core/train/train_eval.hpp"

#include "core/audio/correlation.hpp"
#include "core/dub/dub.hpp"
#include "core/face/face_detector.hpp"
#include "core/face/face_track.hpp"
#include "core/face/face_warp.hpp"
#include "core/synth/synth.hpp"
#include "media/video_reader.hpp"
#include "media/video_writer.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

#include <cmath>
#include <mutex>
#include <optional>

#include <unistd.h>

namespace redub::core {
namespace fs = std::filesystem;

namespace {

double ssimGrey(const cv::Mat& a_rgb, const cv::Mat& b_rgb) {
    cv::Mat a, b;
    cv::cvtColor(a_rgb, a, cv::COLOR_RGB2GRAY);
    cv::cvtColor(b_rgb, b, cv::COLOR_RGB2GRAY);
    a.convertTo(a, CV_64F);
    b.convertTo(b, CV_64F);
    const double c1 = 6.5025, c2 = 58.5225;
    cv::Mat mu_a, mu_b, saa, sbb, sab;
    const cv::Size k(7, 7);
    cv::GaussianBlur(a, mu_a, k, 1.5);
    cv::GaussianBlur(b, mu_b, k, 1.5);
    cv::GaussianBlur(a.mul(a), saa, k, 1.5);
    cv::GaussianBlur(b.mul(b), sbb, k, 1.5);
    cv::GaussianBlur(a.mul(b), sab, k, 1.5);
    saa -= mu_a.mul(mu_a);
    sbb -= mu_b.mul(mu_b);
    sab -= mu_a.mul(mu_b);
    cv::Mat num = (2 * mu_a.mul(mu_b) + c1).mul(2 * sab + c2);
    cv::Mat den = (mu_a.mul(mu_a) + mu_b.mul(mu_b) + c1).mul(saa + sbb + c2);
    cv::Mat s;
    cv::divide(num, den, s);
    return cv::mean(s)[0];
}

// Measured opening per output frame (-1 where no face), and the frames themselves when asked.
std::vector<double> dubAndMeasure(const fs::path& video, const fs::path& speech, const EvalParams& ep,
                                  const fs::path& tmp_out, std::vector<cv::Mat>* frames, std::stop_token stop) {
    auto p = DubParams::defaults();
    p.video = video;
    p.speech = speech;
    p.output = tmp_out;
    p.model = ep.model;
    p.steps = ep.steps;
    p.chunks = ep.chunks;
    p.device = ep.device;
    p.preset = "ultrafast";
    std::vector<cv::Mat> out;
    std::mutex m;
    DubSession s(p);
    DubCallbacks cb;
    cb.on_frame = [&](const DubFrame& f) {
        std::lock_guard l(m);
        out.push_back(f.rgb->clone());
    };
    s.run(cb, stop);
    fs::remove(tmp_out);
    FaceDetector det;
    std::vector<double> open;
    std::optional<cv::Rect2f> prev;
    for (const cv::Mat& f : out) {
        const auto faces = det.detect(f);
        const FaceDetection* face = followFace(faces, prev);
        open.push_back(face ? synth::measuredOpening(face->landmarks) : -1.0);
    }
    if (frames) *frames = std::move(out);
    return open;
}

std::string clipText(const fs::path& clip) {
    const fs::path json = fs::path(clip).replace_extension(".json");
    std::ifstream in(json);
    if (!in) fail(ErrorKind::BadInput, json, "ground-truth JSON missing (evaluate needs clips made by redub-cli synth)");
    try {
        nlohmann::json j;
        in >> j;
        return j.value("text", std::string());
    } catch (const std::exception& e) {
        fail(ErrorKind::BadInput, json, std::string("not valid JSON: ") + e.what());
    }
}

std::vector<double> openings(const std::vector<synth::SynthFrame>& truth) {
    std::vector<double> v;
    for (const auto& f : truth) v.push_back(f.mouth.opening);
    return v;
}

// Correlation over frames where both are valid.
double corrValid(const std::vector<double>& measured, const std::vector<synth::SynthFrame>& truth) {
    const std::vector<double> t = openings(truth);
    std::vector<double> a, b;
    for (size_t i = 0; i < std::min(measured.size(), t.size()); ++i)
        if (measured[i] >= 0) a.push_back(measured[i]), b.push_back(t[i]);
    return pearson(a, b);
}
double corrFast(const std::vector<double>& measured, const std::vector<synth::SynthFrame>& truth) {
    return pearsonHighPass(measured, openings(truth), kFastWindow);
}

}  // namespace

EvalReport evaluateLipSync(const EvalParams& ep, const ProgressFn& progress, std::stop_token stop) {
    if (ep.clips.size() < 2) fail(ErrorKind::BadInput, "evaluate: give at least two clips (one's speech is the other's unrelated audio)");
    EvalReport rep;
    FaceDetector det;
    const fs::path tmp = fs::temp_directory_path() / ("redub-eval-" + std::to_string(::getpid()) + ".mp4");
    for (size_t c = 0; c < ep.clips.size(); ++c) {
        const fs::path& clip = ep.clips[c];
        // Unrelated speech: the next clip (cyclically) that says something else.
        fs::path other;
        const std::string text = clipText(clip);
        for (size_t k = 1; k < ep.clips.size() && other.empty(); ++k) {
            const fs::path& cand = ep.clips[(c + k) % ep.clips.size()];
            if (clipText(cand) != text) other = cand;
        }
        if (other.empty()) fail(ErrorKind::BadInput, clip, "evaluate: every clip says the same text; give clips with different utterances");
        const auto truth = synth::readTruth(fs::path(clip).replace_extension(".json"));
        ClipEval ce;
        ce.clip = clip.filename().string();
        // The clip itself: true frames, measured opening (ceiling of the measurement).
        std::vector<cv::Mat> true_frames;
        std::vector<double> true_open;
        std::vector<cv::Rect> mouth_boxes;
        Rational fps{25, 1};
        {
            media::VideoReader r(clip);
            fps = r.frameRate();
            media::VideoFrame f;
            std::optional<cv::Rect2f> prev;
            while (r.next(f, stop)) {
                true_frames.push_back(f.rgb.clone());
                const auto faces = det.detect(f.rgb);
                const FaceDetection* face = followFace(faces, prev);
                if (!face) {
                    true_open.push_back(-1);
                    mouth_boxes.emplace_back();
                    continue;
                }
                const auto& lm = face->landmarks;
                true_open.push_back(synth::measuredOpening(lm));
                std::vector<cv::Point2f> mouth(lm.begin() + 48, lm.begin() + 68);
                cv::Rect b = cv::boundingRect(mouth);
                b.x -= b.width / 4, b.width += b.width / 2, b.y -= b.height / 2, b.height += b.height;
                mouth_boxes.push_back(b & cv::Rect(0, 0, f.rgb.cols, f.rgb.rows));
            }
        }
        ce.frames = int64_t(true_frames.size());
        ce.r_truth = corrValid(true_open, truth);
        ce.fast_truth = corrFast(true_open, truth);
        std::vector<cv::Mat> gen;
        const auto own = dubAndMeasure(clip, clip, ep, tmp, &gen, stop);
        ce.r_own = corrValid(own, truth);
        double ssum = 0;
        int sn = 0;
        for (size_t i = 0; i < std::min(gen.size(), true_frames.size()); ++i) {
            const cv::Rect& b = mouth_boxes[i];
            if (b.width < 8 || b.height < 8 || gen[i].size() != true_frames[i].size()) continue;
            ssum += ssimGrey(gen[i](b), true_frames[i](b));
            ++sn;
        }
        ce.ssim_mouth = sn ? ssum / sn : 0;
        const auto other_truth = synth::readTruth(fs::path(other).replace_extension(".json"));
        if (!true_frames.empty()) {
            // The clip's first frame held still, dubbed with its speech and with the other
            // clip's: every movement of the mouth comes from the audio (the other columns dub
            // the moving true clip, whose jaw and cheeks outside the mask still carry its motion).
            const fs::path still = fs::path(tmp).replace_extension(".still.mp4");
            {
                auto wp = media::WriterParams::defaults();
                wp.width = true_frames[0].cols, wp.height = true_frames[0].rows, wp.frame_rate = fps;
                wp.with_audio = false, wp.preset = "ultrafast";
                media::VideoWriter w(still, wp);
                for (size_t i = 0; i < true_frames.size(); ++i) w.writeFrame(true_frames[0]);
                w.finish();
            }
            try {
                const auto so = dubAndMeasure(still, clip, ep, tmp, nullptr, stop);
                ce.r_still = corrValid(so, truth);
                ce.fast_still = corrFast(so, truth);
                const auto su = dubAndMeasure(still, other, ep, tmp, nullptr, stop);
                ce.r_still_unrelated = corrValid(su, truth);
                ce.fast_still_unrelated = corrFast(su, truth);
                ce.r_still_follow = corrValid(su, other_truth);
            } catch (...) {
                fs::remove(still);
                throw;
            }
            fs::remove(still);
        }
        const auto unrel = dubAndMeasure(clip, other, ep, tmp, nullptr, stop);
        ce.r_unrelated = corrValid(unrel, truth);
        ce.r_follow = corrValid(unrel, other_truth);
        ce.r_chance = pearson(openings(truth), openings(other_truth));  // pearson/pearsonHighPass use the shorter length
        ce.fast_chance = pearsonHighPass(openings(truth), openings(other_truth), kFastWindow);
        log::core()->info("evaluate {}: r_still {:.3f} (unrelated speech {:.3f}, follows it {:.3f}) r_truth {:.3f} r_own {:.3f} r_unrelated {:.3f} (chance {:.3f}, follows it {:.3f}) ssim {:.3f}",
                          ce.clip, ce.r_still, ce.r_still_unrelated, ce.r_still_follow, ce.r_truth, ce.r_own, ce.r_unrelated, ce.r_chance, ce.r_follow, ce.ssim_mouth);
        rep.clips.push_back(ce);
        if (progress) progress({"evaluate", int64_t(c + 1), int64_t(ep.clips.size()), double(c + 1) / double(ep.clips.size()), -1});
        throwIfCancelled(stop);
    }
    rep.mean = meanOf(rep.clips, "mean");
    return rep;
}

// The per-clip figures a mean averages (frames are summed).
constexpr double ClipEval::*kAveraged[] = {
    &ClipEval::r_truth,     &ClipEval::r_still,    &ClipEval::r_still_unrelated,   &ClipEval::r_still_follow,
    &ClipEval::r_own,       &ClipEval::r_unrelated, &ClipEval::r_chance,           &ClipEval::r_follow,
    &ClipEval::fast_truth,  &ClipEval::fast_still, &ClipEval::fast_still_unrelated, &ClipEval::fast_chance,
    &ClipEval::ssim_mouth};

ClipEval meanOf(const std::vector<ClipEval>& clips, const std::string& name) {
    ClipEval m;
    m.clip = name;
    for (const auto& c : clips) {
        const double k = 1.0 / double(clips.size());
        m.frames += c.frames;
        for (double ClipEval::*f : kAveraged) m.*f += c.*f * k;
    }
    return m;
}

std::vector<ClipEval> groupMeans(const std::vector<ClipEval>& clips) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<ClipEval>> groups;
    for (const auto& c : clips) {
        const std::string stem = std::filesystem::path(c.clip).stem().string();
        const auto dash = stem.rfind('-');
        const std::string g = dash == std::string::npos || dash == 0 ? stem : stem.substr(0, dash);
        if (!groups.count(g)) order.push_back(g);
        groups[g].push_back(c);
    }
    std::vector<ClipEval> out;
    if (order.size() < 2) return out;
    for (const auto& g : order) out.push_back(meanOf(groups[g], "mean " + g));
    return out;
}

}  // namespace redub::core
