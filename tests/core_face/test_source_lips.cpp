// The speaker's own lips laid over a generated mouth shape (core/dub/source_lips.hpp), on a
// real photo with real dlib fits. A "generated" frame is made the way the 48-px model paints
// one: the photo's mouth moved by the landmark warp, then the crop's resolution (48 px)
// lost over the lower face.
#include "core/audio/sync_meter.hpp"
#include "core/dub/source_lips.hpp"
#include "core/face/crop.hpp"
#include "core/face/face_detector.hpp"
#include "core/face/face_warp.hpp"
#include "core/face/mask.hpp"
#include "support/test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>

using namespace redub;
using namespace redub::core;

namespace {

cv::Mat loadRgb(const char* path) {
    const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

// What a 48-px crop keeps of the frame: the crop round trip, pasted over the mask.
cv::Mat softened(const cv::Mat& frame, const Crop& crop48, const cv::Mat& paste48) {
    const cv::Mat small = extractCrop(frame, crop48);
    cv::Mat back, weight;
    cv::warpAffine(small, back, cv::Mat(crop48.toFrame()), frame.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::warpAffine(featherMask(paste48, 2), weight, cv::Mat(crop48.toFrame()), frame.size(), cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT, 0);
    cv::Mat out = frame.clone();
    for (int y = 0; y < out.rows; ++y)
        for (int x = 0; x < out.cols; ++x) {
            const float a = weight.at<float>(y, x);
            for (int c = 0; c < 3; ++c)
                out.at<cv::Vec3b>(y, x)[c] =
                    cv::saturate_cast<uchar>(out.at<cv::Vec3b>(y, x)[c] * (1 - a) + back.at<cv::Vec3b>(y, x)[c] * a);
        }
    return out;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const double n = double(x.size());
    double mx = 0, my = 0;
    for (size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i)
        sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx), syy += (y[i] - my) * (y[i] - my);
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

// Mean luma inside the inner-lip polygon of `lm` (the mouth's interior).
double interiorLuma(const cv::Mat& rgb, const Landmarks68& lm) {
    cv::Mat mask = cv::Mat::zeros(rgb.size(), CV_8U);
    std::vector<cv::Point> poly;
    for (int i = 60; i < 68; ++i) poly.emplace_back(cvRound(lm[size_t(i)].x), cvRound(lm[size_t(i)].y));
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, 255);
    cv::erode(mask, mask, cv::Mat());
    cv::Mat grey;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    return cv::mean(grey, mask)[0];
}

}  // namespace

class TestSourceLips : public QObject {
    Q_OBJECT
    std::unique_ptr<FaceDetector> det_;
    std::unique_ptr<SourceLips> lips_;
    cv::Mat photo_;
    FaceDetection face_;
    Crop crop_, crop48_;
    cv::Mat paste_, paste48_;

    synth::FrameControls open(float opening) {
        synth::FrameControls c;
        c.mouth.opening = opening;
        return c;
    }

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kDlibLandmarks);
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        photo_ = loadRgb(test::kHopperPhoto.path);
        QVERIFY(!photo_.empty());
        det_ = std::make_unique<FaceDetector>();
        lips_ = std::make_unique<SourceLips>();
        const auto faces = det_->detect(photo_);
        QCOMPARE(int(faces.size()), 1);
        face_ = faces[0];
        CropParams cp;
        crop_ = computeCrop(face_, cp);
        paste_ = pasteMask(face_, crop_, MaskShape::LowerHalf);
        cp.size = 48;
        crop48_ = computeCrop(face_, cp);
        paste48_ = pasteMask(face_, crop48_, MaskShape::LowerHalf);
    }

    void theMouthTakesTheGeneratedShapeWithTheSourcesSharpLips() {
        // Generated: the closed photo opened by the warp, softened to 48 px.
        Landmarks68 opened_lm;
        const cv::Mat opened = synth::renderFrame(photo_, face_.landmarks, open(0.7f), &opened_lm);
        const cv::Mat generated = softened(opened, crop48_, paste48_);
        const float want = synth::measuredOpening(opened_lm);
        QVERIFY2(want > 0.15f, qPrintable(QString::number(want)));

        cv::Mat out = generated.clone();
        Landmarks68 target;
        QVERIFY(lips_->apply(out, photo_, face_.landmarks, crop_, paste_, 8, &target));
        // The mouth is where the generated one is (measured on the output), not the source's
        // closed mouth...
        const float got = synth::measuredOpening(det_->landmarksIn(out, face_.box).landmarks);
        QVERIFY2(got > 0.7f * want && got < 1.3f * want,
                 qPrintable(QString("opening %1, generated %2").arg(got).arg(want)));
        // ...and as sharp as the source's: the softened lips had lost most of it.
        const double src_sharp = lipSharpness(photo_, face_.landmarks);
        const double soft_sharp = lipSharpness(generated, face_.landmarks);
        const double out_sharp = lipSharpness(out, face_.landmarks);
        QVERIFY2(soft_sharp < 0.5 * src_sharp, qPrintable(QString("%1 vs %2").arg(soft_sharp).arg(src_sharp)));
        QVERIFY2(out_sharp > 0.6 * src_sharp && out_sharp > 2.0 * soft_sharp,
                 qPrintable(QString("output %1, softened %2, source %3").arg(out_sharp).arg(soft_sharp).arg(src_sharp)));
        // Outside the paste mask nothing changed.
        const cv::Rect eyes(cvRound(face_.landmarks[36].x), cvRound(face_.landmarks[37].y) - 5,
                            cvRound(face_.landmarks[45].x - face_.landmarks[36].x), 12);
        QCOMPARE(cv::norm(out(eyes), generated(eyes), cv::NORM_INF), 0.0);
    }

    void theOutputReadsAsOpenAsTheGeneratedMouthAtEveryOpening() {
        // The opening a landmark fit reads on the output must follow the one it reads on the
        // generated frame, closed to widest: a lip-coloured tongue high in the mouth was read
        // as the lower lip (the widest openings read 0.77x of the generated, 0.81x now).
        std::vector<double> gen_open, out_open;
        for (float o : {0.0f, 0.15f, 0.3f, 0.45f, 0.6f, 0.75f, 0.9f, 1.05f}) {
            const cv::Mat generated = softened(synth::renderFrame(photo_, face_.landmarks, open(o)), crop48_, paste48_);
            cv::Mat out = generated.clone();
            QVERIFY(lips_->apply(out, photo_, face_.landmarks, crop_, paste_, 8));
            const double want = synth::measuredOpening(det_->landmarksIn(generated, face_.box).landmarks);
            const double got = synth::measuredOpening(det_->landmarksIn(out, face_.box).landmarks);
            if (o >= 0.45f)
                QVERIFY2(got > 0.75 * want && got < 1.3 * want,
                         qPrintable(QString("opening %1: output reads %2, generated %3").arg(o).arg(got).arg(want)));
            gen_open.push_back(want);
            out_open.push_back(got);
        }
        const double r = pearson(gen_open, out_open);
        QVERIFY2(r > 0.95, qPrintable(QString("r(output opening, generated opening) = %1").arg(r)));
    }

    void aClosedGeneratedMouthNeverShowsTheSourcesOpenMouth() {
        // Source: the photo with its mouth wide open (teeth); generated: closed and soft.
        Landmarks68 open_lm;
        const cv::Mat source = synth::renderFrame(photo_, face_.landmarks, open(0.9f), &open_lm);
        const cv::Mat generated = softened(photo_, crop48_, paste48_);
        const double teeth_luma = interiorLuma(source, open_lm);
        cv::Mat out = generated.clone();
        QVERIFY(lips_->apply(out, source, open_lm, crop_, paste_, 8));
        const float got = synth::measuredOpening(det_->landmarksIn(out, face_.box).landmarks);
        QVERIFY2(got < 0.3f * synth::measuredOpening(open_lm), qPrintable(QString::number(got)));
        // Where the source's teeth and cavity were, the output shows lips: its colour is the
        // closed photo's there, not the open source's.
        const double out_luma = interiorLuma(out, open_lm), closed_luma = interiorLuma(photo_, open_lm);
        QVERIFY2(std::abs(out_luma - closed_luma) < 0.5 * std::abs(teeth_luma - closed_luma),
                 qPrintable(QString("output %1, closed photo %2, open source %3").arg(out_luma).arg(closed_luma).arg(teeth_luma)));
    }

    void aModelThatPaintsTheMouthsInsideKeepsItsOwn() {
        Landmarks68 opened_lm;
        const cv::Mat opened = synth::renderFrame(photo_, face_.landmarks, open(0.8f), &opened_lm);
        const cv::Mat generated = softened(opened, crop48_, paste48_);
        SourceLipsParams own;
        own.render_interior = false;
        SourceLips keeps(own);
        cv::Mat kept = generated.clone(), painted = generated.clone();
        Landmarks68 target;
        QVERIFY(keeps.apply(kept, photo_, face_.landmarks, crop_, paste_, 8, &target));
        QVERIFY(lips_->apply(painted, photo_, face_.landmarks, crop_, paste_, 8));
        // Inside the new mouth: the generated pixels when the model paints it, the renderer's otherwise.
        cv::Mat inside = cv::Mat::zeros(photo_.size(), CV_8U);
        std::vector<cv::Point> poly;
        for (int i = 60; i < 68; ++i) poly.emplace_back(cvRound(target[size_t(i)].x), cvRound(target[size_t(i)].y));
        cv::fillPoly(inside, std::vector<std::vector<cv::Point>>{poly}, 255);
        cv::erode(inside, inside, cv::Mat(), cv::Point(-1, -1), 2);
        QVERIFY(cv::countNonZero(inside) > 50);
        cv::Mat d_kept, d_painted;
        cv::absdiff(kept, generated, d_kept);
        cv::absdiff(painted, generated, d_painted);
        const double kept_err = cv::mean(d_kept, inside)[0], painted_err = cv::mean(d_painted, inside)[0];
        QVERIFY2(kept_err < 2.0 && painted_err > 4.0 * kept_err + 2.0,
                 qPrintable(QString("kept %1, painted %2").arg(kept_err).arg(painted_err)));
    }

    void articulationScalesTheOpeningAndLeavesAClosedMouthClosed() {
        // The same generated mouth, laid over at articulation 1 and 1.5: the target's inner-lip
        // gap grows 1.5x (the lower lip and chin move, the upper lip and corners stay), and the
        // output reads wider; a closed generated mouth stays closed.
        const cv::Mat generated = softened(synth::renderFrame(photo_, face_.landmarks, open(0.45f)), crop48_, paste48_);
        SourceLipsParams as_is, wider;
        as_is.articulation = 1.0f;
        wider.articulation = 1.5f;
        SourceLips one(as_is), more(wider);
        cv::Mat out1 = generated.clone(), out15 = generated.clone();
        Landmarks68 t1, t15;
        QVERIFY(one.apply(out1, photo_, face_.landmarks, crop_, paste_, 8, &t1));
        QVERIFY(more.apply(out15, photo_, face_.landmarks, crop_, paste_, 8, &t15));
        const auto gap = [](const Landmarks68& lm) {
            return ((lm[67].y - lm[61].y) + (lm[66].y - lm[62].y) + (lm[65].y - lm[63].y)) / 3.f;
        };
        QVERIFY2(gap(t1) > 3.f, qPrintable(QString::number(gap(t1))));
        QVERIFY2(std::abs(gap(t15) / gap(t1) - 1.5f) < 0.1f, qPrintable(QString("gap %1 vs %2").arg(gap(t15)).arg(gap(t1))));
        for (int i : {48, 54, 61, 62, 63}) QVERIFY(cv::norm(t15[size_t(i)] - t1[size_t(i)]) < 0.01);
        QVERIFY2(t15[8].y > t1[8].y + 0.4f * (gap(t15) - gap(t1)), "the chin did not follow the lower lip");
        const float read1 = synth::measuredOpening(det_->landmarksIn(out1, face_.box).landmarks);
        const float read15 = synth::measuredOpening(det_->landmarksIn(out15, face_.box).landmarks);
        QVERIFY2(read15 > 1.25f * read1, qPrintable(QString("output reads %1 at 1.5, %2 at 1").arg(read15).arg(read1)));

        const cv::Mat shut = softened(photo_, crop48_, paste48_);
        cv::Mat out_shut = shut.clone();
        Landmarks68 t_shut;
        QVERIFY(more.apply(out_shut, photo_, face_.landmarks, crop_, paste_, 8, &t_shut));
        QVERIFY2(gap(t_shut) < 1.5f, qPrintable(QString::number(gap(t_shut))));
        QVERIFY(SourceLipsParams::defaults().articulation >= 1.0f);
    }

    void aWarpToTheSameLandmarksChangesNothingAndOnlyTheRoiIsReturned() {
        const cv::Rect roi = cropFrameBounds(crop_, 1, photo_.size());
        const cv::Mat same = synth::warpFaceTo(photo_, face_.landmarks, face_.landmarks, roi);
        QCOMPARE(same.size(), roi.size());
        QVERIFY2(cv::norm(same, photo_(roi), cv::NORM_INF) <= 1.0, qPrintable(QString::number(cv::norm(same, photo_(roi), cv::NORM_INF))));
        // Moving the lips down moves the lip pixels there; the ROI's border stays put.
        Landmarks68 lower = face_.landmarks;
        for (int i = 48; i < 68; ++i) lower[size_t(i)].y += 6.f;
        const cv::Mat moved = synth::warpFaceTo(photo_, face_.landmarks, lower, roi);
        const cv::Point2f lip = face_.landmarks[57] - cv::Point2f(float(roi.x), float(roi.y));
        const cv::Vec3b want = photo_(roi).at<cv::Vec3b>(cvRound(lip.y), cvRound(lip.x));
        const cv::Vec3b got = moved.at<cv::Vec3b>(cvRound(lip.y + 6.f), cvRound(lip.x));
        QVERIFY2(cv::norm(cv::Vec3d(want) - cv::Vec3d(got)) < 25.0, "the lower lip did not move with its landmark");
        QVERIFY(cv::norm(moved.row(0), photo_(roi).row(0), cv::NORM_INF) <= 1.0);
        QVERIFY(synth::warpFaceTo(photo_, face_.landmarks, face_.landmarks, cv::Rect(-50, -50, 10, 10)).empty());
    }

    void cameraBlurReadsAKnownBlur() {
        // Ideal edges (a disc and a box drawn at 8x and area-downscaled), blurred by a known sigma.
        cv::Mat hi(800, 800, CV_32F, cv::Scalar(60));
        cv::circle(hi, {400, 400}, 250, cv::Scalar(200), -1);
        cv::rectangle(hi, cv::Point(100, 100), cv::Point(300, 250), cv::Scalar(20), -1);
        cv::Mat sharp;
        cv::resize(hi, sharp, cv::Size(100, 100), 0, 0, cv::INTER_AREA);
        QVERIFY2(cameraBlur(sharp) < 0.35f, qPrintable(QString::number(cameraBlur(sharp))));
        for (const double sigma : {1.0, 1.5, 2.5}) {
            cv::Mat soft;
            cv::GaussianBlur(sharp, soft, cv::Size(0, 0), sigma);
            const float got = cameraBlur(soft);
            QVERIFY2(std::abs(got - sigma) < 0.2 * sigma, qPrintable(QString("sigma %1 read %2").arg(sigma).arg(got)));
        }
        QCOMPARE(cameraBlur(cv::Mat(50, 50, CV_32F, cv::Scalar(90))), 0.f);  // no edges: no blur to match
    }

    void aFrameWithoutAMouthToFitIsLeftAsGenerated() {
        cv::Mat out(photo_.size(), CV_8UC3, cv::Scalar(128, 128, 128));
        const cv::Mat before = out.clone();
        QVERIFY(!lips_->apply(out, photo_, face_.landmarks, crop_, paste_, 8));
        QCOMPARE(cv::norm(out, before, cv::NORM_INF), 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, lips_->apply(out, cv::Mat(10, 10, CV_8UC3), face_.landmarks, crop_, paste_, 8));
    }
};

QTEST_GUILESS_MAIN(TestSourceLips)
#include "test_source_lips.moc"
