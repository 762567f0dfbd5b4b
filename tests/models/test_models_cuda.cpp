// CPU against CUDA: the bundled model's denoiser and a whole guided DDIM sampling give the
// same numbers on both devices (and the sampler's time on each is reported). Skipped, with
// the reason, where this LibTorch has no CUDA or no GPU is visible (Debian's LibTorch is
// CPU-only): build with -DREDUB_WITH_CUDA=ON -DTorch_DIR=<CUDA libtorch> (docs/models.md).
#include "models/generator.hpp"
#include "models/runtime.hpp"
#include "random_batch.hpp"
#include "support/test_support.hpp"

#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace redub;
using namespace redub::models;

namespace {

// Largest |a - b| relative to the largest |a|.
double relError(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, scale = 1e-12;
    for (size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, double(std::abs(a[i] - b[i])));
        scale = std::max(scale, double(std::abs(a[i])));
    }
    return diff / scale;
}

}  // namespace

class TestModelsCuda : public QObject {
    Q_OBJECT
    std::unique_ptr<Generator> cpu_, cuda_;

private Q_SLOTS:
    void initTestCase() {
        if (!cudaAvailable())
            QSKIP("no CUDA here: this LibTorch is CPU-only or no GPU is visible (build with -DREDUB_WITH_CUDA=ON "
                  "-DTorch_DIR=<CUDA libtorch>/share/cmake/Torch on a machine with a GPU; docs/models.md)");
        const auto model = test::resource("models/default/model.safetensors");
        cpu_ = Generator::load(model, DeviceKind::Cpu, 0);
        cuda_ = Generator::load(model, DeviceKind::Cuda, 0);
        QVERIFY(cuda_->deviceName().rfind("cuda", 0) == 0);
    }

    void theDenoiserGivesTheSameOutputOnBothDevices() {
        const FrameBatch b = test::randomBatch(cpu_->config(), 4, 3);
        std::mt19937 g(5);
        std::normal_distribution<float> n;
        std::vector<float> x(b.source.size());
        for (auto& v : x) v = n(g);
        for (int t : {0, 500, cpu_->config().diffusion_steps - 1}) {
            const double e = relError(cpu_->forward(b, x, t), cuda_->forward(b, x, t));
            qInfo("denoiser at t=%d: relative error %.2e", t, e);
            QVERIFY2(e < 1e-3, qPrintable(QString("t=%1: %2").arg(t).arg(e)));
        }
    }

    void aGuidedSamplingGivesTheSameCropsOnBothDevices() {
        const FrameBatch b = test::randomBatch(cpu_->config(), 8, 9);
        SamplerParams p;
        p.steps = 5;
        p.audio_guidance = 2.0f;
        QElapsedTimer t;
        t.start();
        const auto on_cpu = cpu_->sample(b, p);
        const double cpu_ms = t.nsecsElapsed() / 1e6;
        cuda_->sample(b, p);  // warm-up: kernels and allocator
        t.restart();
        const auto on_cuda = cuda_->sample(b, p);
        const double cuda_ms = t.nsecsElapsed() / 1e6;
        const double e = relError(on_cpu, on_cuda);
        qInfo("8 frames, 5 guided DDIM steps: cpu %.1f ms, cuda %.1f ms; relative error %.2e", cpu_ms, cuda_ms, e);
        QVERIFY2(e < 2e-3, qPrintable(QString::number(e)));
    }
};

QTEST_GUILESS_MAIN(TestModelsCuda)
#include "test_models_cuda.moc"
