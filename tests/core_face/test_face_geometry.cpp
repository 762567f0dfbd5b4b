// Pure geometry of faces: crops, masks, track choice and smoothing (compositing:
// test_composite.cpp). No dlib, no files.
#include "core/dub/composite.hpp"
#include "core/face/crop.hpp"
#include "core/face/face_track.hpp"
#include "core/face/mask.hpp"
#include "redub/error.hpp"
#include "tests/core_face/test_pictures.hpp"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <random>

using namespace redub;
using namespace redub::core;
using namespace redub::test;

class TestFaceGeometry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detectorBoxCropOfExactSizeIsThePixelsOfTheBox() {
        const cv::Mat frame = texturedFrame(320, 240);
        FaceDetection f = syntheticFace({160, 120}, 50);
        f.box = cv::Rect2f(100, 60, 96, 96);
        CropParams p;
        p.policy = CropParams::Policy::DetectorBox;
        p.size = 96;
        p.padding = 0;
        p.pad_bottom = 0;
        const Crop c = computeCrop(f, p);
        const cv::Mat crop = extractCrop(frame, c);
        QCOMPARE(crop.size(), cv::Size(96, 96));
        QCOMPARE(cv::norm(crop, frame(cv::Rect(100, 60, 96, 96)), cv::NORM_INF), 0.0);
    }

    void detectorBoxCropStretchesWithoutKeepingAspect() {
        FaceDetection f = syntheticFace({160, 120}, 50);
        f.box = cv::Rect2f(100, 50, 80, 120);
        CropParams p;
        p.policy = CropParams::Policy::DetectorBox;
        p.size = 64;
        p.padding = 0;
        p.pad_bottom = 0;
        const Crop c = computeCrop(f, p);
        // Outer pixel edges of the box land on the crop's outer pixel edges.
        const cv::Point2f tl = c.apply({100 - 0.5f, 50 - 0.5f}), br = c.apply({180 - 0.5f, 170 - 0.5f});
        QVERIFY(std::abs(tl.x + 0.5f) < 1e-4 && std::abs(tl.y + 0.5f) < 1e-4);
        QVERIFY(std::abs(br.x - 63.5f) < 1e-4 && std::abs(br.y - 63.5f) < 1e-4);
    }

    void similarityCropLevelsATiltedFace() {
        for (float angle : {-25.f, 0.f, 17.f}) {
            const FaceDetection f = syntheticFace({200, 150}, 60, angle);
            const Crop c = computeCrop(f, CropParams::defaults());
            cv::Point2f el(0, 0), er(0, 0);
            for (int i = 36; i < 42; ++i) el += c.apply(f.landmarks[size_t(i)]) / 6;
            for (int i = 42; i < 48; ++i) er += c.apply(f.landmarks[size_t(i)]) / 6;
            QVERIFY2(std::abs(el.y - er.y) < 0.5f,
                     qPrintable(QString("angle %1: eyes at y %2 / %3").arg(angle).arg(el.y).arg(er.y)));
            QVERIFY(el.x < er.x);
            // Symmetric about the crop's vertical axis, the whole face inside.
            QVERIFY(std::abs((el.x + er.x) / 2 - 63.5f) < 0.5f);
            for (const auto& p : f.landmarks) {
                const cv::Point2f q = c.apply(p);
                QVERIFY(q.x > 0 && q.x < 127 && q.y > 0 && q.y < 127);
            }
            // The mouth is in the lower half: what a lower-half mask repaints.
            QVERIFY(c.apply(f.landmarks[51]).y > 64);
            QVERIFY(el.y < 64 && er.y < 64);
        }
    }

    void similarityCropFollowsTheFaceExactly() {
        const FaceDetection a = syntheticFace({200, 150}, 60), b = syntheticFace({233.5f, 141.25f}, 60);
        const Crop ca = computeCrop(a, CropParams::defaults()), cb = computeCrop(b, CropParams::defaults());
        const cv::Point2f pa = ca.apply(a.landmarks[30]), pb = cb.apply(b.landmarks[30]);
        QVERIFY(std::hypot(pa.x - pb.x, pa.y - pb.y) < 1e-3);
        // Side = padding 1.2 x max(2.4 x eye distance (0.8 half), 2.5 x 1.84 x eye-to-nostrils (0.45 half)).
        QVERIFY(std::abs(ca.scale() - 128.0 / (1.2 * std::max(2.4 * 0.8, 2.5 * 1.84 * 0.45) * 60)) < 1e-3);
    }

    void similarityCropIgnoresTheMouth() {
        // An opening mouth must not move or scale the crop: the model would read the
        // old mouth from the unmasked upper half of the crop.
        const FaceDetection closed = syntheticFace({200, 150}, 60);
        FaceDetection open = closed;
        for (int k = 48; k <= 67; ++k) open.landmarks[size_t(k)].y += (k >= 55 && k <= 59) || k >= 65 ? 14.f : 3.f;
        for (int k = 5; k <= 11; ++k) open.landmarks[size_t(k)].y += 10.f;  // the jaw drops too
        const Crop a = computeCrop(closed, CropParams::defaults()), b = computeCrop(open, CropParams::defaults());
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 3; ++c) QCOMPARE(a.to_crop(r, c), b.to_crop(r, c));
    }

    void rejectsDegenerateCropsAndFrames() {
        CropParams p;
        p.size = 4;
        QVERIFY_THROWS_EXCEPTION(Error, computeCrop(syntheticFace({50, 50}, 20), p));
        FaceDetection dot;  // every landmark at (0,0)
        QVERIFY_THROWS_EXCEPTION(Error, computeCrop(dot, CropParams::defaults()));
        const Crop c = computeCrop(syntheticFace({50, 50}, 20), CropParams::defaults());
        QVERIFY_THROWS_EXCEPTION(Error, extractCrop(cv::Mat(), c));
        QVERIFY_THROWS_EXCEPTION(Error, extractCrop(cv::Mat(10, 10, CV_8UC1), c));
    }

    void lowerHalfMaskIsTheBottomRows() {
        const FaceDetection f = syntheticFace({100, 100}, 40);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat m = makeMask(f, c, MaskShape::LowerHalf);
        QCOMPARE(m.type(), CV_32F);
        QCOMPARE(cv::countNonZero(m), 128 * 64);
        QCOMPARE(m.at<float>(63, 10), 0.f);
        QCOMPARE(m.at<float>(64, 10), 1.f);
    }

    void landmarkMaskCoversMouthAndJawButNotEyesOrNose() {
        const FaceDetection f = syntheticFace({100, 100}, 40, 10);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat m = makeMask(f, c, MaskShape::Landmarks);
        auto at = [&](int i) {
            const cv::Point2f q = c.apply(f.landmarks[size_t(i)]);
            return m.at<float>(int(std::lround(q.y)), int(std::lround(q.x)));
        };
        for (int i = 48; i < 68; ++i) QCOMPARE(at(i), 1.f);
        for (int i = 5; i <= 11; ++i) QCOMPARE(at(i), 1.f);  // jaw and chin (pushed outwards, so inside)
        for (int i : {30, 36, 39, 42, 45, 27}) QCOMPARE(at(i), 0.f);
        // Room below the chin for a mouth that opens wider than the source.
        const cv::Point2f chin = c.apply(f.landmarks[8]);
        QCOMPARE(m.at<float>(int(chin.y) + 3, int(chin.x)), 1.f);
    }

    void pasteMaskIsTheFacePartOfTheModelMask() {
        const FaceDetection f = syntheticFace({100, 100}, 40, 10);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat model = makeMask(f, c, MaskShape::LowerHalf);
        const cv::Mat paste = pasteMask(f, c, MaskShape::LowerHalf);
        cv::Mat outside = (paste > 0.5f) & (model <= 0.5f);
        QCOMPARE(cv::countNonZero(outside), 0);  // never outside what the model repaints
        const int n = c.size;
        QCOMPARE(paste.at<float>(n - 1, 0), 0.f);  // the lower corners are background: kept
        QCOMPARE(paste.at<float>(n - 1, n - 1), 0.f);
        QVERIFY(cv::countNonZero(paste) < cv::countNonZero(model));
        for (int i = 48; i < 68; ++i) {  // the whole mouth is pasted
            const cv::Point2f q = c.apply(f.landmarks[size_t(i)]);
            QCOMPARE(paste.at<float>(int(std::lround(q.y)), int(std::lround(q.x))), 1.f);
        }
        // A landmark-shaped model mask is pasted as it is.
        cv::Mat diff;
        cv::absdiff(pasteMask(f, c, MaskShape::Landmarks), makeMask(f, c, MaskShape::Landmarks), diff);
        QCOMPARE(cv::countNonZero(diff), 0);
    }

    void featherStaysInsideTheMaskAndReachesOne() {
        cv::Mat hard = cv::Mat::zeros(64, 64, CV_32F);
        hard(cv::Rect(16, 16, 32, 48)).setTo(1);  // touches the bottom border
        const cv::Mat w = featherMask(hard, 8);
        double lo, hi;
        cv::minMaxLoc(w, &lo, &hi);
        QCOMPARE(lo, 0.0);
        QCOMPARE(hi, 1.0);
        QCOMPARE(cv::countNonZero(w.mul(1 - hard)), 0);                  // nothing outside the hard mask
        QCOMPARE(cv::countNonZero(w.row(63)), 0);                        // the crop border is outside
        QCOMPARE(w.at<float>(40, 32), 1.f);                              // deep inside
        QVERIFY(w.at<float>(40, 17) > 0 && w.at<float>(40, 17) < 0.5f);  // a soft edge
        // Monotone from the edge inwards.
        for (int x = 16; x < 32; ++x) QVERIFY(w.at<float>(40, x) <= w.at<float>(40, x + 1) + 1e-6f);
        QVERIFY_THROWS_EXCEPTION(Error, featherMask(cv::Mat(4, 4, CV_8U), 2));
    }

    void maskOutlineTracesTheHalfWeightEdgeInFramePixels() {
        const FaceDetection f = syntheticFace({160, 120}, 40, 10);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat hard = makeMask(f, c, MaskShape::Landmarks);
        const auto outline = maskOutline(hard, c, 8);
        QCOMPARE(outline.size(), size_t(1));
        const std::vector<cv::Point2f>& poly = outline[0];
        QVERIFY(poly.size() >= 4);
        // The mouth is inside, the eyes and the nose tip outside (frame pixels).
        for (int i : {48, 54, 57, 62}) QVERIFY(cv::pointPolygonTest(poly, f.landmarks[size_t(i)], false) > 0);
        for (int i : {36, 45, 30}) QVERIFY(cv::pointPolygonTest(poly, f.landmarks[size_t(i)], false) < 0);
        // Its area is the frame area where the composite's weight is at least one half.
        cv::Mat weight;
        cv::warpAffine(featherMask(hard, 8), weight, cv::Mat(c.toFrame()), cv::Size(320, 240), cv::INTER_LINEAR,
                       cv::BORDER_CONSTANT, 0);
        const double half_area = cv::countNonZero(weight >= 0.5f);
        const double area = cv::contourArea(poly);
        QVERIFY2(std::abs(area - half_area) < 0.1 * half_area, qPrintable(QString("%1 vs %2").arg(area).arg(half_area)));
        // A mask with nothing to repaint has no outline.
        QVERIFY(maskOutline(cv::Mat::zeros(c.size, c.size, CV_32F), c, 8).empty());
    }

    void smoothingHasNoLagOnSteadyMotion() {
        FaceTrack t;
        for (int i = 0; i < 30; ++i)
            t.frames.push_back(syntheticFace({100.f + 3.f * float(i), 80.f + 1.5f * float(i)}, 40));
        const FaceTrack s = smoothTrack(t, 7);
        for (size_t i = 0; i < 30; ++i)
            for (size_t p = 0; p < 68; ++p) {
                const cv::Point2f d = s.frames[i]->landmarks[p] - t.frames[i]->landmarks[p];
                QVERIFY2(std::hypot(d.x, d.y) < 1e-3, qPrintable(QString("frame %1 point %2").arg(i).arg(p)));
            }
        QVERIFY(landmarkJitter(t) < 1e-4);
    }

    void smoothingReducesJitter() {
        std::mt19937 rng(7);
        std::normal_distribution<float> noise(0, 1.5f);
        FaceTrack t;
        for (int i = 0; i < 60; ++i) {
            FaceDetection f = syntheticFace({100.f + 2.f * float(i), 120}, 40);
            const cv::Point2f shake(noise(rng), noise(rng));
            for (auto& p : f.landmarks) p += shake;
            f.box.x += shake.x;
            f.box.y += shake.y;
            t.frames.push_back(f);
        }
        const double before = landmarkJitter(t), after = landmarkJitter(smoothTrack(t, 5));
        QVERIFY2(after < before / 3, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
        QCOMPARE(smoothTrack(t, 5).coverage(), 1.0);
    }

    void smoothingKeepsGapsAndCutsSharp() {
        FaceTrack t;
        for (int i = 0; i < 10; ++i) t.frames.push_back(syntheticFace({100, 100}, 40));
        t.frames.push_back(std::nullopt);
        for (int i = 0; i < 10; ++i) t.frames.push_back(syntheticFace({300, 100}, 40));  // reappears elsewhere
        for (int i = 0; i < 10; ++i) t.frames.push_back(syntheticFace({100, 250}, 40));  // a cut with no gap
        const FaceTrack s = smoothTrack(t, 9);
        QVERIFY(!s.frames[10].has_value());
        QCOMPARE(s.frames[9]->landmarks[30], t.frames[9]->landmarks[30]);
        QCOMPARE(s.frames[20]->landmarks[30], t.frames[20]->landmarks[30]);  // last before the cut
        QCOMPARE(s.frames[21]->landmarks[30], t.frames[21]->landmarks[30]);  // first after it
        QVERIFY(std::abs(t.coverage() - 30.0 / 31.0) < 1e-9);
    }

    void choosesTheLargestTheCentralOrTheClickedFace() {
        std::vector<std::vector<TrackedFace>> frames(3);
        for (auto& f : frames) f = {tracked(0, {80, 100}, 50), tracked(1, {320, 240}, 30), tracked(2, {560, 100}, 40)};
        FaceChoice c;
        c.policy = FaceChoice::Policy::Largest;
        QCOMPARE(centre(selectTrack(frames, c).frames[1]->box).x, 80.f);
        c.policy = FaceChoice::Policy::Central;
        QVERIFY_THROWS_EXCEPTION(Error, selectTrack(frames, c));  // needs the frame size
        c.frame_size = cv::Size(640, 480);
        QCOMPARE(centre(selectTrack(frames, c).frames[2]->box).x, 320.f);
        c.policy = FaceChoice::Policy::Point;
        c.point = {570, 90};
        c.frame = 2;
        const FaceTrack t = selectTrack(frames, c);
        QCOMPARE(t.coverage(), 1.0);
        for (const auto& f : t.frames) QCOMPARE(centre(f->box).x, 560.f);
        c.frame = 3;
        QVERIFY_THROWS_EXCEPTION(Error, selectTrack(frames, c));
    }

    void choiceSurvivesACutWhereTheFaceReappearsNearby() {
        std::vector<std::vector<TrackedFace>> frames;
        for (int i = 0; i < 5; ++i) frames.push_back({tracked(0, {100, 100}, 40), tracked(1, {400, 100}, 40)});
        frames.push_back({});  // a cut to a shot without faces
        frames.push_back({});
        // Both reappear with new ids; the chosen one a little off where it was.
        for (int i = 0; i < 5; ++i) frames.push_back({tracked(2, {390, 110}, 44), tracked(3, {120, 95}, 38)});
        FaceChoice c;
        c.policy = FaceChoice::Policy::Point;
        c.point = {400, 100};
        const FaceTrack t = selectTrack(frames, c);
        QVERIFY(!t.frames[5] && !t.frames[6]);
        for (int i : {0, 4, 7, 11}) QVERIFY(t.frames[size_t(i)] && centre(t.frames[size_t(i)]->box).x > 300);
        // Choosing in the second shot also reaches back into the first.
        c.frame = 9;
        c.point = {120, 95};
        const FaceTrack back = selectTrack(frames, c);
        QVERIFY(back.frames[0] && centre(back.frames[0]->box).x < 200);
    }

    void neverTakesOverAnotherPersonsTrack() {
        // Two people close together; the chosen one leaves, the other stays.
        std::vector<std::vector<TrackedFace>> frames;
        for (int i = 0; i < 5; ++i) frames.push_back({tracked(0, {100, 100}, 40), tracked(1, {150, 100}, 40)});
        for (int i = 0; i < 5; ++i) frames.push_back({tracked(1, {150, 100}, 40)});
        FaceChoice c;
        c.policy = FaceChoice::Policy::Point;
        c.point = {95, 100};
        const FaceTrack t = selectTrack(frames, c);
        QCOMPARE(t.coverage(), 0.5);
        QVERIFY(!t.frames[7]);
    }

    void noFacesGiveAnEmptyTrack() {
        std::vector<std::vector<TrackedFace>> frames(4);
        const FaceTrack t = selectTrack(frames, FaceChoice{});
        QCOMPARE(int(t.frames.size()), 4);
        QCOMPARE(t.coverage(), 0.0);
        QCOMPARE(selectTrack({}, FaceChoice{}).coverage(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestFaceGeometry)
#include "test_face_geometry.moc"
