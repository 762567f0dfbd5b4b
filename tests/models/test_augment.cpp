// The trainer's geometric augmentation: one similarity per batch item, within its
// limits; masks stay binary; pixels filled from outside the crop are marked; zero is a no-op.
#include "models/augment.hpp"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace redub::models;
using torch::Tensor;

namespace {

// A white 4x4 square at (x, y) on black, [1,1,16,16].
Tensor square(int x, int y) {
    Tensor t = torch::zeros({1, 1, 16, 16});
    t.index_put_({0, 0, torch::indexing::Slice(y, y + 4), torch::indexing::Slice(x, x + 4)}, 1.0);
    return t;
}

// Centre of mass (x, y) of a [1,1,S,S] image.
std::pair<double, double> centre(const Tensor& t) {
    const Tensor w = t[0][0];
    const Tensor ys = torch::arange(w.size(0), torch::kFloat32).view({-1, 1});
    const Tensor xs = torch::arange(w.size(1), torch::kFloat32).view({1, -1});
    const double m = w.sum().item<double>();
    return {(w * xs).sum().item<double>() / m, (w * ys).sum().item<double>() / m};
}

}  // namespace

class TestAugment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void zeroWarpLeavesImagesAsTheyWere() {
        std::mt19937_64 g(1);
        const Tensor theta = randomSimilarity(3, WarpParams{0, 0, 0}, g);
        const Tensor x = torch::rand({3, 3, 16, 16}) * 2 - 1;
        QVERIFY(torch::allclose(warpItems(x, theta, false), x, 1e-5, 1e-5));
    }

    void randomTransformsStayWithinTheirLimitsAndDifferPerItem() {
        std::mt19937_64 g(7);
        const WarpParams p{0.08, 5.0, 0.05};
        const Tensor th = randomSimilarity(400, p, g);
        double max_zoom = 0, max_angle = 0, max_shift = 0;
        for (int64_t b = 0; b < th.size(0); ++b) {
            const double a = th[b][0][0].item<double>(), c = th[b][1][0].item<double>();
            const double zoom = 1 / std::hypot(a, c), angle = std::atan2(c, a) * 180 / std::numbers::pi;
            max_zoom = std::max(max_zoom, std::abs(zoom - 1));
            max_angle = std::max(max_angle, std::abs(angle));
            max_shift = std::max({max_shift, std::abs(th[b][0][2].item<double>()) / 2, std::abs(th[b][1][2].item<double>()) / 2});
        }
        QVERIFY2(max_zoom <= 0.08 + 1e-6 && max_zoom > 0.06, qPrintable(QString::number(max_zoom)));
        QVERIFY2(max_angle <= 5 + 1e-4 && max_angle > 4, qPrintable(QString::number(max_angle)));
        QVERIFY2(max_shift <= 0.05 + 1e-6 && max_shift > 0.04, qPrintable(QString::number(max_shift)));
        QVERIFY(!torch::allclose(th[0], th[1]));
    }

    void aShiftMovesImageAndMaskAlikeAndTheMaskStaysBinary() {
        // Output pixel (x, y) samples input (x + 2, y - 1): content moves 2 px left, 1 px down.
        Tensor theta = torch::tensor({1.0f, 0.0f, 2 * 2.0f / 16, 0.0f, 1.0f, -2 * 1.0f / 16}).view({1, 2, 3});
        const Tensor img = square(6, 6) * 0.8 - 0.4, mask = square(6, 6);
        const Tensor wi = warpItems(img + 0.4, theta, false), wm = warpItems(mask, theta, true);
        const auto [xi, yi] = centre(wi);
        const auto [xm, ym] = centre(wm);
        QVERIFY2(std::abs(xi - 5.5) < 0.05 && std::abs(yi - 8.5) < 0.05, qPrintable(QString("%1 %2").arg(xi).arg(yi)));
        QVERIFY(std::abs(xm - xi) < 1e-3 && std::abs(ym - yi) < 1e-3);
        QCOMPARE(((wm == 0) | (wm == 1)).all().item<bool>(), true);
        QCOMPARE(wm.sum().item<double>(), 16.0);
    }

    void aHalfPixelShiftBlendsImagesButMasksStayBinary() {
        Tensor theta = torch::tensor({1.0f, 0.0f, 2 * 0.5f / 16, 0.0f, 1.0f, 0.0f}).view({1, 2, 3});
        const Tensor mask = square(6, 6);
        const Tensor soft = warpItems(mask, theta, false), hard = warpItems(mask, theta, true);
        QVERIFY(((soft > 0.01) & (soft < 0.99)).any().item<bool>());  // bilinear blends the edge
        QCOMPARE(((hard == 0) | (hard == 1)).all().item<bool>(), true);
    }

    void coverageMarksPixelsTheWarpFilledFromOutsideTheCrop() {
        // Shift content 2 px left: the two rightmost columns come from outside.
        Tensor theta = torch::tensor({1.0f, 0.0f, 2 * 2.0f / 16, 0.0f, 1.0f, 0.0f}).view({1, 2, 3});
        const Tensor c = coverage(theta, 16);
        QCOMPARE(c.sum().item<double>(), 16.0 * 14);
        QCOMPARE(c[0][0].index({torch::indexing::Slice(), torch::indexing::Slice(14, 16)}).sum().item<double>(), 0.0);
        std::mt19937_64 g(1);
        QCOMPARE(coverage(randomSimilarity(2, WarpParams{0, 0, 0}, g), 16).sum().item<double>(), 2.0 * 256);
    }

    void zoomingInEnlargesTheFace() {
        // Zoom 1.08 about the centre, no rotation or shift.
        Tensor theta = torch::tensor({1 / 1.08f, 0.0f, 0.0f, 0.0f, 1 / 1.08f, 0.0f}).view({1, 2, 3});
        const Tensor mask = square(4, 4);
        const double before = mask.sum().item<double>();
        const double after = warpItems(mask, theta, false).sum().item<double>();
        QVERIFY2(after > before * 1.1, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    }
};

QTEST_APPLESS_MAIN(TestAugment)
#include "test_augment.moc"
