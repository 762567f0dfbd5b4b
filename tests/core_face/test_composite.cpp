// Compositing a generated crop back into the frame: exact round trips, untouched pixels,
// seams, colour match, the detail stage and edge restoration. No dlib, no files.
#include "core/dub/composite.hpp"
#include "core/face/crop.hpp"
#include "core/face/mask.hpp"
#include "redub/error.hpp"
#include "tests/core_face/test_pictures.hpp"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <random>

using namespace redub;
using namespace redub::core;
using namespace redub::test;

class TestComposite : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void compositingTheSourceCropGivesBackTheFrame() {
        cv::Mat frame = texturedFrame(320, 240);
        const cv::Mat original = frame.clone();
        const FaceDetection f = syntheticFace({160, 120}, 70, 8);
        CropParams p;
        p.size = 192;  // ~1:1 with the frame, so the round trip loses little
        const Crop c = computeCrop(f, p);
        const cv::Mat mask = makeMask(f, c, MaskShape::Landmarks);
        composite(frame, extractCrop(original, c), c, mask, CompositeParams::defaults());
        QCOMPARE(frame.size(), original.size());
        // PSNR inside the mask's footprint.
        cv::Mat inside;
        cv::warpAffine(mask, inside, cv::Mat(c.to_crop), frame.size(), cv::INTER_NEAREST | cv::WARP_INVERSE_MAP);
        const cv::Mat in8 = inside > 0.5f;
        QVERIFY(cv::countNonZero(in8) > 2000);
        cv::Mat d;
        cv::absdiff(frame, original, d);
        d.convertTo(d, CV_32FC3);
        d = d.mul(d);
        const double mse = cv::mean(d, in8)[0] / 3 + cv::mean(d, in8)[1] / 3 + cv::mean(d, in8)[2] / 3;
        const double psnr = mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : 99;
        QVERIFY2(psnr >= 45, qPrintable(QString("PSNR %1 dB").arg(psnr)));
    }

    void textureMaskKeepsSkinDetailButNotTheMouth() {
        const FaceDetection f = syntheticFace({160, 120}, 70, 5);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat t = textureMask(f, c);
        QCOMPARE(t.type(), CV_32F);
        QCOMPARE(t.size(), cv::Size(c.size, c.size));
        cv::Point2f mouth(0, 0);
        for (int i = 48; i < 68; ++i) mouth += c.apply(f.landmarks[size_t(i)]) * (1.f / 20.f);
        QCOMPARE(t.at<float>(int(mouth.y), int(mouth.x)), 0.f);
        for (int i : {48, 54, 51, 57}) {  // corners and lips: no old detail
            const cv::Point2f q = c.apply(f.landmarks[size_t(i)]);
            QCOMPARE(t.at<float>(int(std::lround(q.y)), int(std::lround(q.x))), 0.f);
        }
        for (int i : {3, 13, 30}) {  // jaw sides and nose tip: the skin's own detail
            const cv::Point2f q = c.apply(f.landmarks[size_t(i)]);
            QCOMPARE(t.at<float>(int(std::lround(q.y)), int(std::lround(q.x))), 1.f);
        }
        // Composited with a colour-shifted crop: outside the mouth the frame keeps the
        // source's detail (equal up to the shift), inside the mouth it does not.
        cv::Mat frame = texturedFrame(320, 240);
        const cv::Mat original = frame.clone();
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        cv::Mat gen = extractCrop(original, c);
        gen += cv::Scalar(20, 20, 20);
        auto cp = CompositeParams::defaults();
        cp.texture = t;
        composite(frame, gen, c, mask, cp);
        const cv::Matx23d inv = c.toFrame();
        auto toFrame = [&](cv::Point2f q) {
            return cv::Point(int(std::lround(inv(0, 0) * q.x + inv(0, 1) * q.y + inv(0, 2))),
                             int(std::lround(inv(1, 0) * q.x + inv(1, 1) * q.y + inv(1, 2))));
        };
        // A cheek pixel well inside the mask: source + the shift (within rounding).
        const cv::Point cheek = toFrame(c.apply(f.landmarks[4]) + 0.3f * (mouth - c.apply(f.landmarks[4])));
        for (int ch = 0; ch < 3; ++ch)
            QVERIFY(std::abs(int(frame.at<cv::Vec3b>(cheek)[ch]) - std::min(255, original.at<cv::Vec3b>(cheek)[ch] + 20)) <= 2);
        QVERIFY_THROWS_EXCEPTION(Error, [&] {
            auto bad = CompositeParams::defaults();
            bad.texture = cv::Mat::ones(3, 3, CV_32F);
            cv::Mat fr = original.clone();
            composite(fr, gen, c, mask, bad);
        }());
    }

    void changedContentShowsNoneOfTheOldDetail() {
        // A generated mouth unlike the source: detail restoration must not bring
        // the old pixels back there (no ghost of the old mouth).
        cv::Mat frame = texturedFrame(320, 240);
        const cv::Mat original = frame.clone();
        const FaceDetection f = syntheticFace({160, 120}, 70, 5);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        cv::Mat gen = extractCrop(original, c);
        gen(cv::Rect(40, 80, 48, 24)).setTo(cv::Scalar(250, 10, 10));  // a flat red "mouth"
        composite(frame, gen, c, mask, CompositeParams::defaults());
        int checked = 0;
        for (int v = 86; v < 98; ++v)
            for (int u = 46; u < 82; ++u) {
                const cv::Point2f p = [&] {
                    const cv::Matx23d inv = c.toFrame();
                    return cv::Point2f(float(inv(0, 0) * u + inv(0, 1) * v + inv(0, 2)),
                                       float(inv(1, 0) * u + inv(1, 1) * v + inv(1, 2)));
                }();
                const cv::Vec3b px = frame.at<cv::Vec3b>(int(std::lround(p.y)), int(std::lround(p.x)));
                QVERIFY2(
                    std::abs(px[0] - 250) <= 3 && px[1] <= 13 && px[2] <= 13,
                    qPrintable(QString("(%1,%2,%3) at crop %4,%5").arg(px[0]).arg(px[1]).arg(px[2]).arg(u).arg(v)));
                ++checked;
            }
        QVERIFY(checked > 300);
    }

    void detailFollowsAMovedMouth() {
        // A large face (a 48-px crop, ~7 frame px per crop px) whose lips carry fine stripes
        // that the crop cannot hold; the "generated" crop is the crop of the same face with the
        // lips 15 px lower (a mouth opening). The composite must show the stripes at their new
        // place - the source's detail carried along the motion - not a blur, and not at the
        // old place.
        const FaceDetection f = syntheticFace({320, 220}, 150);
        const int mouth_y = int(std::lround(f.landmarks[51].y + f.landmarks[57].y) / 2);
        const int d = 15;
        auto lips = [&](int shift) {
            cv::Mat m = smoothFrame(640, 480);
            for (int y = mouth_y - 12 + shift; y <= mouth_y + 12 + shift; ++y)
                for (int x = 270; x <= 370; ++x) {
                    const double v = 35 * std::sin(x * 1.3 + y * 0.4);
                    m.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(170 + v), cv::saturate_cast<uchar>(60 + v),
                                                      cv::saturate_cast<uchar>(70 + v));
                }
            return m;
        };
        const cv::Mat source = lips(0), truth = lips(d);
        CropParams p;
        p.size = 48;
        const Crop c = computeCrop(f, p);
        QVERIFY(c.scale() < 0.2);
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        const cv::Mat gen = extractCrop(truth, c);
        CompositeParams follow = CompositeParams::defaults(), still = follow;
        still.detail_follows_motion = false;
        cv::Mat a = source.clone(), b = source.clone();
        composite(a, gen, c, mask, follow);
        composite(b, gen, c, mask, still);
        const cv::Rect band(280, mouth_y - 8 + d, 80, 16);  // the lips' new place, inside their edges
        const double sharp_truth = lapVar(truth(band)), sharp_follow = lapVar(a(band)), sharp_still = lapVar(b(band));
        // The detail in the right place: the correlation of the fine part (image minus its
        // blur) with the truth's.
        auto fineCorr = [&](const cv::Mat& img) {
            cv::Mat g, t, gb, tb;
            cv::cvtColor(img(band), g, cv::COLOR_RGB2GRAY);
            cv::cvtColor(truth(band), t, cv::COLOR_RGB2GRAY);
            g.convertTo(g, CV_32F);
            t.convertTo(t, CV_32F);
            cv::GaussianBlur(g, gb, cv::Size(0, 0), 2.0);
            cv::GaussianBlur(t, tb, cv::Size(0, 0), 2.0);
            g -= gb;
            t -= tb;
            const double n = cv::norm(g) * cv::norm(t);
            return n > 0 ? g.dot(t) / n : 0.0;
        };
        const double corr_follow = fineCorr(a), corr_still = fineCorr(b);
        const QString fig = QString("sharpness %1 / %2 / truth %3; fine-detail correlation with the truth %4 / %5")
                                .arg(sharp_follow).arg(sharp_still).arg(sharp_truth).arg(corr_follow).arg(corr_still);
        qInfo("%s", qPrintable(fig));
        QVERIFY2(sharp_follow > 0.6 * sharp_truth, qPrintable(fig));
        QVERIFY2(sharp_still < 0.3 * sharp_truth, qPrintable(fig));
        QVERIFY2(corr_follow > 0.45, qPrintable(fig));
        QVERIFY2(std::abs(corr_still) < 0.2, qPrintable(fig));
        // Where the lips were and no longer are, no stripes come back (no ghost of the old mouth).
        const cv::Rect old_top(280, mouth_y - 12, 80, 6);
        QVERIFY2(lapVar(a(old_top)) < 0.2 * sharp_truth, qPrintable(QString::number(lapVar(a(old_top)))));
    }

    void edgeRestorationSharpensAMouthThatOpened() {
        // A face the size of a webcam clip's (a 48-px crop, ~2.6 frame px per crop px). The
        // source has a closed mouth (a sharp dark line) and a sharp-edged mole in the mask; the
        // generated crop shows a wide-open mouth (a dark ellipse) that nothing in the source
        // maps onto, so its edges come back as ramps. The edge stage predicts the lost detail
        // with gains fitted on the source's own round trip: the edges get closer to the truth's
        // sharpness and the picture closer to the truth.
        const FaceDetection f = syntheticFace({320, 220}, 50);
        const int mx = 320, my = int(std::lround(f.landmarks[51].y + f.landmarks[57].y) / 2);
        auto face = [&](bool open) {
            cv::Mat m = smoothFrame(640, 480);
            cv::circle(m, {mx - 24, my + 14}, 3, cv::Scalar(60, 40, 35), cv::FILLED);  // the mole
            if (open)
                cv::ellipse(m, {mx, my}, {16, 9}, 0, 0, 360, cv::Scalar(40, 15, 20), cv::FILLED);
            else
                cv::rectangle(m, cv::Rect(mx - 16, my - 1, 32, 3), cv::Scalar(120, 40, 50), cv::FILLED);
            return m;
        };
        const cv::Mat source = face(false), truth = face(true);
        CropParams p;
        p.size = 48;
        const Crop c = computeCrop(f, p);
        QVERIFY(c.scale() > 0.3 && c.scale() < 0.5);
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        const cv::Mat gen = extractCrop(truth, c);
        CompositeParams on = CompositeParams::defaults(), off = on;
        off.restore_edges = false;
        cv::Mat a = source.clone(), b = source.clone();
        composite(a, gen, c, mask, on);
        composite(b, gen, c, mask, off);
        const cv::Rect box(mx - 22, my - 13, 44, 26);  // the open mouth and its edges
        auto err = [&](const cv::Mat& img) { return cv::norm(img(box), truth(box), cv::NORM_L2) / std::sqrt(double(box.area())); };
        const double s_on = lapVar(a(box)), s_off = lapVar(b(box)), s_truth = lapVar(truth(box));
        const QString fig = QString("lip-box sharpness with edges %1, without %2, truth %3; rms error %4 / %5")
                                .arg(s_on).arg(s_off).arg(s_truth).arg(err(a)).arg(err(b));
        qInfo("%s", qPrintable(fig));
        QVERIFY2(s_on > 1.1 * s_off, qPrintable(fig));  // measured 1.18x
        QVERIFY2(s_on < 1.2 * s_truth, qPrintable(fig));  // no overshoot past the truth
        QVERIFY2(err(a) < 0.95 * err(b), qPrintable(fig));  // measured 0.88x
        // Outside the mask nothing changes.
        QCOMPARE(cv::norm(a(cv::Rect(0, 0, 640, 60)), source(cv::Rect(0, 0, 640, 60)), cv::NORM_INF), 0.0);
    }

    void withoutDetailRestorationTheRoundTripOnlyResamples() {
        cv::Mat frame(240, 320, CV_8UC3);
        for (int y = 0; y < 240; ++y)  // smooth content: bilinear resampling loses little
            for (int x = 0; x < 320; ++x)
                frame.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(128 + 100 * std::sin(x / 9.0)),
                                                      uchar(128 + 100 * std::cos(y / 11.0)), uchar((x + y) / 3));
        const cv::Mat original = frame.clone();
        const FaceDetection f = syntheticFace({160, 120}, 70, 8);
        const Crop c = computeCrop(f, CropParams::defaults());
        CompositeParams cp;
        cp.restore_detail = false;
        composite(frame, extractCrop(original, c), c, makeMask(f, c, MaskShape::LowerHalf), cp);
        const double psnr = cv::PSNR(frame, original);
        QVERIFY2(psnr > 35 && psnr < 90, qPrintable(QString("PSNR %1 dB").arg(psnr)));  // changed, but only slightly
    }

    void pixelsWithZeroWeightAreBitIdentical() {
        cv::Mat frame = texturedFrame(320, 240);
        const cv::Mat original = frame.clone();
        const FaceDetection f = syntheticFace({150, 130}, 60, -12);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat mask = makeMask(f, c, MaskShape::Landmarks);
        cv::Mat noise(c.size, c.size, CV_8UC3);
        cv::randu(noise, 0, 256);
        composite(frame, noise, c, mask, CompositeParams::defaults());
        // The blend weight in frame space, as composite computes it.
        cv::Mat w;
        cv::warpAffine(featherMask(mask, CompositeParams::defaults().feather_px), w, cv::Mat(c.to_crop), frame.size(),
                       cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, 0);
        cv::Mat diff = frame != original, changed;
        cv::reduce(diff.reshape(1, frame.rows * frame.cols), changed, 1, cv::REDUCE_MAX);
        changed = changed.reshape(1, frame.rows);
        const cv::Mat untouched = w <= 0;
        QVERIFY(cv::countNonZero(untouched) > frame.total() / 2);
        QCOMPARE(cv::countNonZero(changed & untouched), 0);
        QVERIFY(cv::countNonZero(changed) > 1000);  // the noise did go in
        // Not a hard box: along a row through the mouth, changes fade in.
        const cv::Point2f mouth = f.landmarks[62];
        QVERIFY(w.at<float>(int(mouth.y), int(mouth.x)) > 0.99f);
    }

    void faceAtTheFrameEdgeCompositesOnlyInsideTheFrame() {
        cv::Mat frame = texturedFrame(200, 150);
        const cv::Mat original = frame.clone();
        const FaceDetection f = syntheticFace({10, 140}, 50);  // crop mostly outside the picture
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat crop = extractCrop(original, c);
        QCOMPARE(crop.size(), cv::Size(128, 128));
        cv::Mat gen(128, 128, CV_8UC3, cv::Scalar(255, 0, 255));
        composite(frame, gen, c, makeMask(f, c, MaskShape::LowerHalf), CompositeParams::defaults());
        QCOMPARE(frame.size(), original.size());
        QVERIFY(cv::norm(frame, original, cv::NORM_INF) > 0);  // something went in
        QCOMPARE(cv::norm(frame.colRange(100, 200), original.colRange(100, 200), cv::NORM_INF),
                 0.0);  // far side untouched
    }

    void noVisibleSeamAroundTheMask() {
        // A generated crop 40 levels brighter everywhere: the change must fade in
        // over the feather, never step (a visible box around the mouth).
        for (MaskShape shape : {MaskShape::LowerHalf, MaskShape::Landmarks}) {
            cv::Mat frame = smoothFrame(320, 240);
            const cv::Mat original = frame.clone();
            const FaceDetection f = syntheticFace({160, 110}, 60, 10);
            const Crop c = computeCrop(f, CropParams::defaults());
            cv::Mat gen;
            cv::add(extractCrop(original, c), cv::Scalar(40, 40, 40), gen);
            composite(frame, gen, c, makeMask(f, c, shape), CompositeParams::defaults());
            cv::Mat diff;
            cv::subtract(frame, original, diff, cv::noArray(), CV_32FC3);
            diff = diff.reshape(1, frame.rows * frame.cols);
            cv::reduce(diff, diff, 1, cv::REDUCE_AVG);
            diff = diff.reshape(1, frame.rows);
            double lo, hi;
            cv::minMaxLoc(diff, &lo, &hi);
            QVERIFY2(hi >= 39, qPrintable(QString::number(hi)));  // the full change inside
            cv::Mat dx = cv::abs(diff.colRange(1, diff.cols) - diff.colRange(0, diff.cols - 1));
            cv::Mat dy = cv::abs(diff.rowRange(1, diff.rows) - diff.rowRange(0, diff.rows - 1));
            double sx, sy;
            cv::minMaxLoc(dx, nullptr, &sx);
            cv::minMaxLoc(dy, nullptr, &sy);
            QVERIFY2(std::max(sx, sy) <= 12,
                     qPrintable(QString("step of %1 levels between neighbours").arg(std::max(sx, sy))));
        }
    }

    void colourMatchRemovesAConstantCast() {
        const FaceDetection f = syntheticFace({160, 120}, 70);
        const cv::Mat original = texturedFrame(320, 240);
        const Crop c = cropAtFrameScale(f);
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        cv::Mat gen;
        cv::add(extractCrop(original, c), cv::Scalar(0, 30, 20), gen);  // a greenish/blue cast
        CompositeParams cp;
        cv::Mat plain = original.clone(), matched = original.clone();
        composite(plain, gen, c, mask, cp);
        cp.colour_match = true;
        composite(matched, gen, c, mask, cp);
        const cv::Rect mouth_area(cvRound(f.landmarks[48].x), cvRound(f.landmarks[51].y), 40, 10);
        const double err_plain = cv::norm(plain(mouth_area), original(mouth_area), cv::NORM_L1) / mouth_area.area();
        const double err_matched = cv::norm(matched(mouth_area), original(mouth_area), cv::NORM_L1) / mouth_area.area();
        QVERIFY2(err_plain > 40, qPrintable(QString::number(err_plain)));
        QVERIFY2(err_matched < 6, qPrintable(QString::number(err_matched)));
    }

    void colourMatchOnTheSkinRemovesACastOnlyInsideTheMask() {
        // What a model does on an unseen face: the whole generated region drifts, while the
        // pixels it kept (outside the mask) are exact - so a band outside the mask sees no
        // cast; the skin around the mouth (texture map) does.
        const FaceDetection f = syntheticFace({160, 120}, 70);
        const cv::Mat original = texturedFrame(320, 240);
        const Crop c = cropAtFrameScale(f);
        const cv::Mat mask = pasteMask(f, c, MaskShape::LowerHalf);
        cv::Mat src = extractCrop(original, c), cast;
        cv::add(src, cv::Scalar(0, 30, 20), cast);
        cv::Mat gen = src.clone();
        cast.copyTo(gen, mask > 0.5f);
        CompositeParams cp;
        cp.colour_match = true;
        cv::Mat band_only = original.clone(), skin = original.clone();
        composite(band_only, gen, c, mask, cp);
        cp.texture = textureMask(f, c);
        composite(skin, gen, c, mask, cp);
        const cv::Rect chin(cvRound(f.landmarks[7].x), cvRound(f.landmarks[57].y) + 8, 24, 8);
        const double err_band = cv::norm(band_only(chin), original(chin), cv::NORM_L1) / chin.area();
        const double err_skin = cv::norm(skin(chin), original(chin), cv::NORM_L1) / chin.area();
        QVERIFY2(err_band > 30, qPrintable(QString::number(err_band)));
        QVERIFY2(err_skin < 6, qPrintable(QString::number(err_skin)));
    }

    void compositeRejectsMismatchedInputs() {
        cv::Mat frame = texturedFrame(100, 100);
        const FaceDetection f = syntheticFace({50, 50}, 30);
        const Crop c = computeCrop(f, CropParams::defaults());
        const cv::Mat mask = makeMask(f, c, MaskShape::LowerHalf);
        QVERIFY_THROWS_EXCEPTION(Error, composite(frame, cv::Mat(64, 64, CV_8UC3), c, mask, {}));
        QVERIFY_THROWS_EXCEPTION(Error, composite(frame, cv::Mat(128, 128, CV_8UC3), c, cv::Mat(128, 128, CV_8U), {}));
        cv::Mat empty;
        QVERIFY_THROWS_EXCEPTION(Error, composite(empty, cv::Mat(128, 128, CV_8UC3), c, mask, {}));
    }

};

QTEST_GUILESS_MAIN(TestComposite)
#include "test_composite.moc"
