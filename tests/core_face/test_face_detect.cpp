// Real dlib detections and tracking on real photos, moved around in frames
// generated here. The landmark model is loaded once for the whole executable.
#include "core/dub/composite.hpp"
#include "core/face/crop.hpp"
#include "core/face/face_detector.hpp"
#include "core/face/face_track.hpp"
#include "core/face/face_tracker.hpp"
#include "core/face/mask.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <set>

using namespace redub;
using namespace redub::core;

namespace {

const char* const kHopper = test::kHopperPhoto.path;

cv::Mat loadRgb(const std::string& path) {
    const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

cv::Mat background(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(90 + x % 40), uchar(110 + y % 30), 130);
    return m;
}

cv::Mat scaled(const cv::Mat& img, double f) {
    cv::Mat out;
    cv::resize(img, out, cv::Size(), f, f, cv::INTER_AREA);
    return out;
}

void paste(cv::Mat& frame, const cv::Mat& img, cv::Point at) { img.copyTo(frame(cv::Rect(at, img.size()))); }

cv::Point2f centroid(const FaceDetection& f) {
    cv::Point2f s(0, 0);
    for (const auto& p : f.landmarks) s += p;
    return s * (1.f / 68.f);
}

cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

}  // namespace

class TestFaceDetect : public QObject {
    Q_OBJECT
    std::unique_ptr<FaceDetector> det_;
    cv::Mat hopper_;
    cv::Mat second_;  // a real webcam frame from the bundled clip

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kDlibLandmarks);
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        det_ = std::make_unique<FaceDetector>();
        hopper_ = loadRgb(kHopper);
        QVERIFY2(!hopper_.empty(), kHopper);
        QTemporaryDir dir;
        const QString png = dir.filePath("frame.png");
        QVERIFY(redub::test::ffmpeg({"-i",
                                     QString::fromStdString(redub::test::resource("sample/talking-face.mp4").string()),
                                     "-vf", "select=eq(n\\,40)", "-frames:v", "1", png}));
        second_ = loadRgb(png.toStdString());
        QVERIFY(!second_.empty());
    }

    void findsGraceHoppersFaceWithPlausibleLandmarks() {
        const auto faces = det_->detect(hopper_);
        QCOMPARE(int(faces.size()), 1);
        const FaceDetection& f = faces[0];
        QVERIFY(f.confidence > 0);
        QVERIFY(f.box.width > 120 && f.box.width < 300);  // a large portrait face
        const cv::Rect2f image(0, 0, float(hopper_.cols), float(hopper_.rows));
        QVERIFY((f.box & image) == f.box);
        const auto& lm = f.landmarks;
        cv::Point2f eye_l(0, 0), eye_r(0, 0), mouth(0, 0);
        for (int i = 36; i < 42; ++i) eye_l += lm[size_t(i)] / 6;
        for (int i = 42; i < 48; ++i) eye_r += lm[size_t(i)] / 6;
        for (int i = 48; i < 68; ++i) mouth += lm[size_t(i)] / 20;
        const float eye_dist = std::hypot(eye_r.x - eye_l.x, eye_r.y - eye_l.y);
        QVERIFY2(eye_dist > 0.3f * f.box.width && eye_dist < 0.55f * f.box.width,
                 qPrintable(QString::number(eye_dist)));
        QVERIFY(eye_l.x < eye_r.x);
        QVERIFY(std::abs(eye_l.y - eye_r.y) < 0.15f * eye_dist);                 // an upright portrait
        QVERIFY(eye_l.y < lm[30].y && lm[30].y < mouth.y && mouth.y < lm[8].y);  // eyes, nose, mouth, chin
        QVERIFY(mouth.x > eye_l.x && mouth.x < eye_r.x);
        QVERIFY(lm[48].x < lm[54].x && lm[0].x < eye_l.x && lm[16].x > eye_r.x);
        for (const auto& p : lm) QVERIFY(image.contains(p));
        // The landmark-implied box agrees with the detector's box.
        const cv::Rect2f implied = boxFromLandmarks(lm);
        QVERIFY2(iou(implied, f.box) > 0.7f, qPrintable(QString::number(iou(implied, f.box))));
    }

    void tracksAPhotoMovedAlongAPathWithin2Px() {
        const cv::Mat photo = scaled(hopper_, 0.6);
        auto at = [](int t) { return cv::Point(30 + 9 * t, 40 + int(std::lround(40 * std::sin(t / 4.0)))); };
        FaceTracker tracker(*det_);
        std::set<int> ids;
        float worst = 0;
        cv::Point2f ref_c;  // the photo's landmark centroid, from the first frame
        for (int t = 0; t < 30; ++t) {
            cv::Mat frame = background(640, 480);
            paste(frame, photo, at(t));
            const auto faces = tracker.push(frame);
            QCOMPARE(int(faces.size()), 1);
            ids.insert(faces[0].track_id);
            if (t == 0) ref_c = centroid(faces[0].face) - cv::Point2f(at(0));
            const cv::Point2f d = centroid(faces[0].face) - (ref_c + cv::Point2f(at(t)));
            worst = std::max(worst, std::hypot(d.x, d.y));
        }
        qInfo("worst landmark-centroid error over 30 frames: %.2f px", worst);
        QVERIFY2(worst <= 2.f, qPrintable(QString("%1 px").arg(worst)));
        QCOMPARE(int(ids.size()), 1);
    }

    void twoPhotosSideBySideGiveTwoTracksAndTheChosenOneIsFollowed() {
        const cv::Mat left = scaled(hopper_, 0.5);  // 256x300
        const cv::Mat right = second_;              // 400x300 webcam frame
        std::vector<std::vector<TrackedFace>> all;
        FaceTracker tracker(*det_);
        std::set<int> ids;
        for (int t = 0; t < 20; ++t) {
            cv::Mat frame = background(760, 360);
            paste(frame, left, {10 + 2 * t, 20 + t});
            paste(frame, right, {340 - 3 * t, 50 - t});
            all.push_back(tracker.push(frame));
            QCOMPARE(int(all.back().size()), 2);
            for (const auto& f : all.back()) ids.insert(f.track_id);
        }
        QCOMPARE(int(ids.size()), 2);  // stable ids
        FaceChoice choice;
        choice.policy = FaceChoice::Policy::Point;
        choice.frame = 10;
        const auto& in10 = all[10];
        const auto& rf = centre(in10[0].face.box).x > centre(in10[1].face.box).x ? in10[0] : in10[1];
        choice.point = centre(rf.face.box);
        const FaceTrack track = selectTrack(all, choice);
        QCOMPARE(track.coverage(), 1.0);
        for (int t = 0; t < 20; ++t) {
            const float expected_x = float(340 - 3 * t) + (rf.face.box.x + rf.face.box.width / 2 - float(340 - 30));
            QVERIFY2(std::abs(centre(track.frames[size_t(t)]->box).x - expected_x) < 6,
                     qPrintable(QString("frame %1").arg(t)));
        }
        // The Largest policy picks whichever face is larger in the choice frame.
        choice.policy = FaceChoice::Policy::Largest;
        const auto& big = in10[0].face.box.area() >= in10[1].face.box.area() ? in10[0] : in10[1];
        QCOMPARE(centre(selectTrack(all, choice).frames[10]->box), centre(big.face.box));
    }

    void framesWithoutAFaceAreReported() {
        const cv::Mat photo = scaled(hopper_, 0.5);
        QVERIFY(det_->detect(background(320, 240)).empty());
        FaceTracker tracker(*det_);
        std::vector<std::vector<TrackedFace>> all;
        for (int t = 0; t < 18; ++t) {
            cv::Mat frame = background(480, 360);
            if (t < 6) paste(frame, photo, {40, 30});
            if (t >= 12) paste(frame, photo, {60, 40});  // back after a faceless shot, a little moved
            all.push_back(tracker.push(frame));
        }
        for (int t = 0; t < 18; ++t)
            QVERIFY2(all[size_t(t)].empty() == (t >= 6 && t < 12), qPrintable(QString("frame %1").arg(t)));
        const FaceTrack track = selectTrack(all, FaceChoice{});
        QVERIFY(std::abs(track.coverage() - 12.0 / 18.0) < 1e-9);
        QVERIFY(track.frames[13].has_value());  // the same face, re-acquired after the gap
    }

    void aFaceLeavingThePictureIsNotFollowedIntoTheBackground() {
        const cv::Mat photo = scaled(hopper_, 0.5);  // 256x300
        FaceTracker tracker(*det_);
        int last_seen = -1;
        for (int t = 0; t < 24; ++t) {
            cv::Mat frame = background(480, 360);
            const int x = 100 + 20 * t;  // slides out to the right; gone from t = 19
            if (x < frame.cols) {
                const int w = std::min(photo.cols, frame.cols - x);
                photo(cv::Rect(0, 0, w, photo.rows)).copyTo(frame(cv::Rect(x, 30, w, photo.rows)));
            }
            const auto faces = tracker.push(frame);
            if (t < 3) QCOMPARE(int(faces.size()), 1);
            if (!faces.empty()) last_seen = t;
            if (x >= frame.cols)
                QVERIFY2(faces.empty(), qPrintable(QString("frame %1: a face in the background").arg(t)));
        }
        QVERIFY2(last_seen >= 4 && last_seen < 19, qPrintable(QString::number(last_seen)));
    }

    void landmarksInAKnownBoxConverge() {
        // Tracking refits landmarks in the previous frame's box; a box a few
        // pixels off must give the same points (real webcam face).
        const auto faces = det_->detect(second_);
        QCOMPARE(int(faces.size()), 1);
        const FaceDetection at_box = det_->landmarksIn(second_, faces[0].box);
        for (const cv::Point2f off : {cv::Point2f(6, -5), cv::Point2f(-8, 4)}) {
            cv::Rect2f b = faces[0].box;
            b.x += off.x;
            b.y += off.y;
            const FaceDetection g = det_->landmarksIn(second_, b);
            float worst = 0;
            for (size_t i = 0; i < 68; ++i) {
                const cv::Point2f d = g.landmarks[i] - at_box.landmarks[i];
                worst = std::max(worst, std::hypot(d.x, d.y));
            }
            QVERIFY2(worst < 3,
                     qPrintable(QString("%1 px for a box off by (%2, %3)").arg(worst).arg(off.x).arg(off.y)));
        }
        // And agree with the detection's own fit.
        QVERIFY(std::hypot(centroid(at_box).x - centroid(faces[0]).x, centroid(at_box).y - centroid(faces[0]).y) < 2);
    }

    void compositingTheSourceCropReproducesARealFrame() {
        const auto faces = det_->detect(hopper_);
        QCOMPARE(int(faces.size()), 1);
        CropParams cp;
        cp.size = 256;  // about the face's own size in the photo (~1:1)
        const Crop crop = computeCrop(faces[0], cp);
        const cv::Mat mask = makeMask(faces[0], crop, MaskShape::Landmarks);
        cv::Mat frame = hopper_.clone();
        composite(frame, extractCrop(hopper_, crop), crop, mask, CompositeParams::defaults());
        cv::Mat inside;
        cv::warpAffine(mask, inside, cv::Mat(crop.to_crop), frame.size(), cv::INTER_NEAREST | cv::WARP_INVERSE_MAP);
        cv::Mat weight;
        cv::warpAffine(featherMask(mask, CompositeParams::defaults().feather_px), weight, cv::Mat(crop.to_crop),
                       frame.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
        const cv::Mat in8 = inside > 0.5f, zero = weight <= 0;
        cv::Mat d;
        cv::absdiff(frame, hopper_, d);
        d.convertTo(d, CV_32FC3);
        d = d.mul(d);
        const cv::Scalar m = cv::mean(d, in8);
        const double mse = (m[0] + m[1] + m[2]) / 3;
        const double psnr = mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : 99;
        qInfo("PSNR inside the mask: %.1f dB", psnr);
        QVERIFY2(psnr >= 45, qPrintable(QString("%1 dB").arg(psnr)));
        cv::Mat outside_diff;
        cv::cvtColor(frame != hopper_, outside_diff, cv::COLOR_RGB2GRAY);
        QCOMPARE(cv::countNonZero(outside_diff & zero), 0);
    }

    void rejectsAMissingOrCorruptLandmarkModel() {
        try {
            FaceDetector bad(DetectorParams::defaults(), "/nonexistent/shape_predictor.dat");
            QFAIL("no throw");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(QString(e.what()).contains("/nonexistent/shape_predictor.dat"));
        }
        QTemporaryDir dir;
        const std::string junk = dir.filePath("junk.dat").toStdString();
        std::ofstream(junk) << "this is not a dlib model, just some bytes that look like nothing";
        try {
            FaceDetector bad(DetectorParams::defaults(), junk);
            QFAIL("no throw");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY2(QString(e.what()).contains("junk.dat"), e.what());
        }
    }

    void rejectsImagesThatAreNotRgb() {
        QVERIFY_THROWS_EXCEPTION(Error, det_->detect(cv::Mat()));
        QVERIFY_THROWS_EXCEPTION(Error, det_->detect(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0))));
        FaceTracker tracker(*det_);
        QVERIFY_THROWS_EXCEPTION(Error, tracker.push(cv::Mat(10, 10, CV_32FC3)));
        QVERIFY_THROWS_EXCEPTION(Error, FaceTracker(*det_, TrackerParams{.detect_every = 0}));
    }
};

QTEST_GUILESS_MAIN(TestFaceDetect)
#include "test_face_detect.moc"
