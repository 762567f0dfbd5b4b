// The only translation unit that includes dlib (a dlib HOG TU costs ~14 s to compile).
#include "core/face/face_detector.hpp"

#include "core/project/paths.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace redub::core {

namespace {

void checkFrame(const cv::Mat& rgb, const char* what) {
    if (rgb.empty()) fail(ErrorKind::BadInput, std::string(what) + ": empty image");
    if (rgb.type() != CV_8UC3)
        fail(ErrorKind::BadInput,
             std::string(what) + ": expected an 8-bit RGB image (CV_8UC3), got type " + std::to_string(rgb.type()));
}

cv::Mat toGray(const cv::Mat& rgb) {
    cv::Mat gray;
    cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
    return gray;
}

dlib::rectangle toDlib(const cv::Rect2f& r) {
    return dlib::rectangle(std::lround(r.x), std::lround(r.y), std::lround(r.x + r.width) - 1,
                           std::lround(r.y + r.height) - 1);
}

}  // namespace

// Ratios of dlib's detector box to the landmark layout, medians over dlib's own
// detections of 25 faces (Grace Hopper, the sample clip, dlib's example photos).
// The detector's box itself jumps between pyramid levels (104 <-> 125 px on
// the sample clip), a box derived from landmarks does not.
namespace {
constexpr float kBoxPerJaw = 1.06f;           // box side / jaw width (landmark 0 to 16), frontal faces
constexpr float kBoxPerHeight = 1.12f;        // box side / bridge-to-chin (27 to 8): wins for turned heads
constexpr float kBoxCentreBelowMid = -0.17f;  // box centre below the bridge-chin midpoint, in box sides
}  // namespace

cv::Rect2f boxFromLandmarks(const std::array<cv::Point2f, 68>& lm) {
    const float jaw_w = std::hypot(lm[16].x - lm[0].x, lm[16].y - lm[0].y);
    const float height = std::hypot(lm[8].x - lm[27].x, lm[8].y - lm[27].y);
    const float side = std::max(kBoxPerJaw * jaw_w, kBoxPerHeight * height);
    const cv::Point2f mid = 0.5f * (lm[27] + lm[8]);  // nose bridge top .. chin
    // Offset along the face's own vertical axis, so a tilted head stays centred.
    const cv::Point2f axis = (lm[8] - lm[27]) * (1.f / std::max(1e-3f, height));
    const cv::Point2f c = mid + kBoxCentreBelowMid * side * axis;
    return {c.x - side / 2, c.y - side / 2, side, side};
}

namespace {
// The landmark model (~100 MB in memory, ~0.7 s to load) once per process and file: every
// detector of the same file shares it while any holds it. dlib's shape_predictor is const
// when fitting, so threads may share it (each FaceDetector keeps its own HOG detector).
std::shared_ptr<const dlib::shape_predictor> sharedPredictor(const fs::path& p) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const dlib::shape_predictor>> loaded;
    std::error_code ec;
    const auto stamp = fs::last_write_time(p, ec).time_since_epoch().count();
    const std::string key = fs::weakly_canonical(p, ec).string() + "|" + std::to_string(fs::file_size(p, ec)) + "|" +
                            std::to_string(stamp);
    std::lock_guard lock(mutex);
    if (auto sp = loaded[key].lock()) return sp;
    const auto t0 = std::chrono::steady_clock::now();
    auto sp = std::make_shared<dlib::shape_predictor>();
    try {
        std::ifstream in(p, std::ios::binary);
        if (!in) fail(ErrorKind::Io, p, "cannot open the landmark model for reading");
        dlib::deserialize(*sp, in);
    } catch (const dlib::serialization_error& e) {
        fail(ErrorKind::BadInput, p,
             std::string("not a dlib shape predictor (expected shape_predictor_68_face_landmarks.dat): ") + e.what());
    } catch (const std::bad_alloc&) {
        fail(ErrorKind::BadInput, p, "not a dlib shape predictor (corrupt sizes)");
    }
    if (sp->num_parts() != 68)
        fail(ErrorKind::BadInput, p,
             "shape predictor has " + std::to_string(sp->num_parts()) + " landmarks, Redub needs the 68-point model");
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    log::core()->debug("loaded landmark model {} in {:.0f} ms", p.string(), ms);
    loaded[key] = sp;
    return sp;
}
}  // namespace

struct FaceDetector::Impl {
    DetectorParams params;
    fs::path model_path;
    dlib::frontal_face_detector hog = dlib::get_frontal_face_detector();
    std::shared_ptr<const dlib::shape_predictor> sp;  // shared by every detector of the same file

    // A grey copy of part of the frame; landmarks are fitted on it with boxes
    // shifted by `origin`, so a tracking step never converts the whole frame.
    struct GrayRoi {
        cv::Mat gray;
        cv::Point origin;
    };
    static GrayRoi grayAround(const cv::Mat& rgb, const cv::Rect2f& area, float margin_px) {
        const cv::Rect r = cv::Rect(cv::Point(int(std::floor(area.x - margin_px)), int(std::floor(area.y - margin_px))),
                                    cv::Point(int(std::ceil(area.x + area.width + margin_px)),
                                              int(std::ceil(area.y + area.height + margin_px)))) &
                           cv::Rect(0, 0, rgb.cols, rgb.rows);
        GrayRoi g{{}, r.tl()};
        if (!r.empty()) cv::cvtColor(rgb(r), g.gray, cv::COLOR_RGB2GRAY);
        return g;
    }

    // 68 points for a frame box, then `refits` more fits in the box the points
    // imply (the cascade's result depends on its starting box; refitting in a
    // box derived from the face itself makes the points steadier).
    FaceDetection fitIn(const GrayRoi& g, const cv::Rect2f& box, int refits) const {
        const dlib::cv_image<unsigned char> img(g.gray);
        const cv::Point2f o(float(g.origin.x), float(g.origin.y));
        FaceDetection f;
        cv::Rect2f b = box;
        for (int k = 0; k <= refits; ++k) {
            const dlib::full_object_detection shape = (*sp)(img, toDlib(b - o));
            for (unsigned long i = 0; i < 68; ++i)
                f.landmarks[i] = cv::Point2f(float(shape.part(i).x()), float(shape.part(i).y())) + o;
            b = boxFromLandmarks(f.landmarks);
        }
        f.box = box;
        return f;
    }

    // HOG on `gray` (already scaled by `scale` relative to the frame, offset by
    // `origin` in frame pixels), boxes mapped back to frame coordinates.
    std::vector<std::pair<cv::Rect2f, float>> hogDetect(const cv::Mat& gray, double scale, cv::Point2f origin,
                                                        double threshold) {
        dlib::array2d<unsigned char> up;
        const dlib::cv_image<unsigned char> img(gray);
        std::vector<dlib::rect_detection> dets;
        double s = scale;
        if (params.upsample > 0) {
            dlib::assign_image(up, img);
            for (int i = 0; i < params.upsample; ++i) {
                dlib::pyramid_up(up);
                s *= 2;
            }
            hog(up, dets, threshold);
        } else {
            hog(img, dets, threshold);
        }
        std::vector<std::pair<cv::Rect2f, float>> out;
        for (const auto& d : dets) {
            const auto& r = d.rect;
            cv::Rect2f box(float(r.left() / s) + origin.x, float(r.top() / s) + origin.y, float(r.width() / s),
                           float(r.height() / s));
            out.emplace_back(box, float(d.detection_confidence));
        }
        return out;
    }
};

FaceDetector::FaceDetector(const DetectorParams& params, fs::path landmark_model) : impl_(std::make_unique<Impl>()) {
    if (params.max_side < 0 || params.upsample < 0 || params.upsample > 3 || params.refits < 0 || params.refits > 5)
        fail(ErrorKind::BadInput, "face detector: max_side must be >= 0, upsample in 0..3 and refits in 0..5");
    impl_->params = params;
    impl_->model_path = landmark_model.empty() ? landmarkModelPath() : std::move(landmark_model);
    const fs::path& p = impl_->model_path;
    if (!fs::is_regular_file(p)) fail(ErrorKind::BadInput, p, "landmark model not found");
    impl_->sp = sharedPredictor(p);
}

FaceDetector::~FaceDetector() = default;
FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;
FaceDetector& FaceDetector::operator=(FaceDetector&&) noexcept = default;

const DetectorParams& FaceDetector::params() const { return impl_->params; }
const fs::path& FaceDetector::modelPath() const { return impl_->model_path; }

std::vector<FaceDetection> FaceDetector::detect(const cv::Mat& rgb) {
    checkFrame(rgb, "face detection");
    const cv::Mat gray = toGray(rgb);
    const int longer = std::max(gray.cols, gray.rows);
    double scale = 1.0;
    cv::Mat small = gray;
    if (impl_->params.max_side > 0 && longer > impl_->params.max_side) {
        scale = double(impl_->params.max_side) / longer;
        cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);
        // Exact per-axis factors after rounding of the target size.
    }
    const double sx = double(small.cols) / gray.cols;
    auto boxes = impl_->hogDetect(small, sx, {0, 0}, impl_->params.min_confidence);

    const Impl::GrayRoi full{gray, {0, 0}};
    std::vector<FaceDetection> out;
    out.reserve(boxes.size());
    for (const auto& [box, score] : boxes) {
        FaceDetection f = impl_->fitIn(full, box, impl_->params.refits);
        f.confidence = score;
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(),
              [](const FaceDetection& a, const FaceDetection& b) { return a.box.area() > b.box.area(); });
    return out;
}

FaceDetection FaceDetector::landmarksIn(const cv::Mat& rgb, const cv::Rect2f& box) {
    checkFrame(rgb, "face landmarks");
    if (!(box.width > 1 && box.height > 1)) fail(ErrorKind::BadInput, "face landmarks: empty face box");
    const Impl::GrayRoi g = Impl::grayAround(rgb, box, 0.5f * std::max(box.width, box.height));
    if (g.gray.empty()) fail(ErrorKind::BadInput, "face landmarks: the face box is outside the frame");
    FaceDetection f = impl_->fitIn(g, box, std::max(1, impl_->params.refits));
    f.box = boxFromLandmarks(f.landmarks);
    f.confidence = 0;
    return f;
}

std::vector<FaceDetection> FaceDetector::detectNear(const cv::Mat& rgb, const cv::Rect2f& region,
                                                    float expected_face_px, float slack) {
    checkFrame(rgb, "face tracking");
    const cv::Rect2f frame(0, 0, float(rgb.cols), float(rgb.rows));
    const cv::Rect2f r = region & frame;
    if (r.width < 8 || r.height < 8) return {};
    // The region plus room for landmark features of a face at its edge.
    const Impl::GrayRoi g = Impl::grayAround(rgb, r, 0.25f * expected_face_px);
    // dlib's smallest face is 80x80; aim for ~100 px so one or two pyramid levels find it.
    const double scale = std::clamp(100.0 / std::max(1.0f, expected_face_px), 0.1, 4.0);
    cv::Mat scaled;
    cv::resize(g.gray, scaled, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const double s = double(scaled.cols) / g.gray.cols;
    auto boxes = impl_->hogDetect(scaled, s, cv::Point2f(float(g.origin.x), float(g.origin.y)),
                                  impl_->params.min_confidence - slack);
    std::vector<FaceDetection> out;
    for (const auto& [box, score] : boxes) {
        const cv::Point2f c(box.x + box.width / 2, box.y + box.height / 2);
        if (!r.contains(c)) continue;
        FaceDetection f = impl_->fitIn(g, box, impl_->params.refits);
        f.confidence = score;
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(),
              [](const FaceDetection& a, const FaceDetection& b) { return a.confidence > b.confidence; });
    return out;
}

}  // namespace redub::core
