// The sampling loop that stays on the model's device (Generator::sample) against the torch-free
// reference loop (runSampler, fed one denoiser call per step through forward(), as sample()
// worked before it kept its tensors on the device): bit-identical on the CPU for DDIM, DDIM
// with eta, DDPM, audio guidance and Diff2Lip, step previews included. And the opt-in fast
// paths (REDUB_MEMORY_FORMAT=channels_last; in-place ops when sampling) against the plain one.
#include "support/tiny_model.hpp"
#include "models/generator.hpp"
#include "models/nets.hpp"
#include "models/pt_import.hpp"
#include "models/sampler.hpp"
#include "random_batch.hpp"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace redub::models;

namespace {

const std::filesystem::path kDir = REDUB_MODEL_FIXTURES;

ModelConfig tinyA() { return redub::test::tinyEngineConfig(); }

std::unique_ptr<Generator> tinyAGenerator() {
    const auto file = std::filesystem::path(QDir::tempPath().toStdString()) / "redub_sampling_tinyA.safetensors";
    writeRandomModel(tinyA(), file, 11);
    auto g = Generator::load(file, DeviceKind::Cpu, 2);
    std::filesystem::remove(file);
    return g;
}

std::unique_ptr<Generator> smallDiff2Lip() {  // the fixture of test_models_diff2lip
    const ModelConfig c = ModelConfig::fromFile(kDir / "diff2lip_small.json");
    return Generator::fromWeights(c, readTorchCheckpoint(kDir / "diff2lip_small.pt"), DeviceKind::Cpu, 2);
}

struct Run {
    std::vector<float> out;
    std::vector<std::vector<float>> previews;
};

// What Generator::sample computed before its loop moved onto the device: runSampler with one
// forward() per step (guidance: the batch twice, the second half hearing silence; Diff2Lip:
// the cond image source*(1-M) + M*noise), noise from the same CPU generator.
Run reference(Generator& g, const FrameBatch& batch, const SamplerParams& p, int steps) {
    const auto& c = g.config();
    const int B = batch.batch, S = batch.size;
    const size_t item = size_t(3) * S * S, plane = size_t(S) * S;
    auto gen = at::detail::createCPUGenerator(p.seed);
    torch::Tensor n0 = torch::randn({1, 3, S, S}, gen, torch::kFloat32).contiguous();
    std::vector<float> noise(B * item);
    for (int b = 0; b < B; ++b) std::memcpy(noise.data() + b * item, n0.data_ptr<float>(), item * sizeof(float));
    FrameBatch net = batch;
    if (c.isDiff2Lip())
        for (int b = 0; b < B; ++b)
            for (size_t i = 0; i < item; ++i) {
                const float m = batch.mask[b * plane + i % plane];
                net.source[b * item + i] = batch.source[b * item + i] * (1 - m) + m * noise[b * item + i];
            }
    const bool guided = p.audio_guidance != 1.0f && !c.isDiff2Lip();
    if (guided) {
        net.batch = 2 * B;
        for (auto* v : {&net.source, &net.mask, &net.identity, &net.motion}) v->insert(v->end(), v->begin(), v->end());
        net.audio.resize(2 * batch.audio.size(), kSilentMel);
    }
    const int outC = c.outChannels();
    EpsFn eps_fn = [&](const std::vector<float>& x, int t, std::vector<float>& eps) {
        std::vector<float> xin = x;
        if (guided) xin.insert(xin.end(), x.begin(), x.end());
        const std::vector<float> out = g.forward(net, xin, t);
        eps.resize(B * item);
        for (int b = 0; b < B; ++b) {
            const float* e = out.data() + b * outC * plane;
            float* o = eps.data() + b * item;
            if (!guided) {
                std::memcpy(o, e, item * sizeof(float));
                continue;
            }
            const float* e0 = out.data() + (B + b) * outC * plane;
            for (size_t i = 0; i < item; ++i) o[i] = e0[i] + p.audio_guidance * (e[i] - e0[i]);
        }
    };
    NoiseFn noise_fn = [&](std::vector<float>& out) {
        torch::Tensor n = torch::randn({static_cast<int64_t>(out.size())}, gen, torch::kFloat32);
        std::memcpy(out.data(), n.data_ptr<float>(), out.size() * sizeof(float));
    };
    SampleRequest req;
    req.batch = B;
    req.size = S;
    req.source = &batch.source;
    req.mask = &batch.mask;
    req.noise = &noise;
    SamplerParams sp = p;
    if (sp.spacing.empty()) sp.spacing = c.timestep_spacing;
    Run r;
    r.out = runSampler(Schedule::named(c.schedule, c.diffusion_steps), sp, steps, req, eps_fn, noise_fn,
                       [&](const StepInfo& s) { r.previews.emplace_back(s.x0, s.x0 + B * item); }, {});
    return r;
}

Run onDevice(Generator& g, const FrameBatch& b, const SamplerParams& p) {
    Run r;
    const size_t n = b.source.size();
    r.out = g.sample(b, p, [&](const StepInfo& s) { r.previews.emplace_back(s.x0, s.x0 + n); });
    return r;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

double relError(const std::vector<float>& a, const std::vector<float>& ref) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += double(a[i] - ref[i]) * (a[i] - ref[i]);
        den += double(ref[i]) * ref[i];
    }
    return std::sqrt(num / den);
}

}  // namespace

class TestModelsSampling : public QObject {
    Q_OBJECT
    std::unique_ptr<Generator> a_, d2l_;

private Q_SLOTS:
    void initTestCase() {
        a_ = tinyAGenerator();
        d2l_ = smallDiff2Lip();
    }

    void deviceLoopEqualsTheReferenceSamplerBitExactly_data() {
        QTest::addColumn<bool>("diff2lip");
        QTest::addColumn<int>("kind");
        QTest::addColumn<float>("eta");
        QTest::addColumn<float>("guidance");
        QTest::addColumn<int>("steps");
        QTest::newRow("A ddim") << false << int(SamplerParams::Kind::Ddim) << 0.0f << 1.0f << 4;
        QTest::newRow("A ddim eta 0.5") << false << int(SamplerParams::Kind::Ddim) << 0.5f << 1.0f << 3;
        QTest::newRow("A ddpm") << false << int(SamplerParams::Kind::Ddpm) << 0.0f << 1.0f << 3;
        QTest::newRow("A guided 2.5") << false << int(SamplerParams::Kind::Ddim) << 0.0f << 2.5f << 3;
        QTest::newRow("diff2lip ddim") << true << int(SamplerParams::Kind::Ddim) << 0.0f << 1.0f << 5;
    }
    void deviceLoopEqualsTheReferenceSamplerBitExactly() {
        QFETCH(bool, diff2lip);
        QFETCH(int, kind);
        QFETCH(float, eta);
        QFETCH(float, guidance);
        QFETCH(int, steps);
        Generator& g = diff2lip ? *d2l_ : *a_;
        FrameBatch b = redub::test::randomBatch(g.config(), 3, 5);
        if (diff2lip) b.motion.clear();
        SamplerParams p = SamplerParams::defaults();
        p.kind = SamplerParams::Kind(kind);
        p.eta = eta;
        p.audio_guidance = guidance;
        p.steps = steps;
        p.seed = 42;
        const Run want = reference(g, b, p, steps);
        const Run got = onDevice(g, b, p);
        QVERIFY(sameBits(got.out, want.out));
        QCOMPARE(got.previews.size(), size_t(steps));
        QCOMPARE(want.previews.size(), size_t(steps));
        for (int s = 0; s < steps; ++s) QVERIFY2(sameBits(got.previews[s], want.previews[s]), qPrintable(QString("step %1").arg(s + 1)));
        // Without a callback (no preview computed) the frames are the same.
        QVERIFY(sameBits(g.sample(b, p), want.out));
    }

    void inPlaceOpsInInferenceEqualTheTrainingPath() {
        // Sampling runs SiLU and the residual adds in place (no gradient recorded); training
        // runs them out of place. The values must not differ by one bit (seeded frames).
        for (bool diff2lip : {false, true}) {
            const ModelConfig c = diff2lip ? ModelConfig::fromFile(kDir / "diff2lip_small.json") : tinyA();
            torch::manual_seed(3);
            auto net = nets::build(c);
            net->eval();
            const int64_t B = 2, S = c.image_size;
            nets::NetInputs in;
            in.x = torch::randn({B, 3, S, S});
            in.t = torch::full({B}, int64_t(400), torch::kLong);
            in.source = torch::rand({B, 3, S, S}) * 2 - 1;
            in.mask = (torch::rand({B, 1, S, S}) > 0.5).to(torch::kFloat32);
            in.identity = torch::rand({B, 3, S, S}) * 2 - 1;
            if (!diff2lip) in.motion = torch::rand({B, c.motion_frames * (c.motion_grey ? 1 : 3), S, S});
            in.audio = torch::rand({B, c.audioWindows(), c.n_mels, c.audio_cols}) * 8 - 4;
            torch::Tensor train_path;
            {
                torch::AutoGradMode grad(true);
                train_path = net->forward(in).detach().contiguous();
            }
            torch::Tensor infer_path;
            {
                c10::InferenceMode guard;
                infer_path = net->forward(in).contiguous();
            }
            QVERIFY(torch::equal(train_path, infer_path.clone()));
        }
    }

    void channelsLastEqualsThePlainPath() {
        // Each model built both ways, whatever the default for its family.
        auto build = [](bool diff2lip, const char* format, const TensorMap& a_weights) {
            ::setenv("REDUB_MEMORY_FORMAT", format, 1);
            std::unique_ptr<Generator> g = diff2lip ? smallDiff2Lip()
                                                    : Generator::fromWeights(tinyA(), a_weights, DeviceKind::Cpu, 2);
            ::unsetenv("REDUB_MEMORY_FORMAT");
            return g;
        };
        const TensorMap a_weights = a_->weights();
        for (bool diff2lip : {false, true}) {
            auto plain = build(diff2lip, "contiguous", a_weights);
            auto fast = build(diff2lip, "channels_last", a_weights);
            FrameBatch b = redub::test::randomBatch(plain->config(), 2, 9);
            if (diff2lip) b.motion.clear();
            const std::vector<float> x(b.source.size(), 0.25f);
            const double fwd = relError(fast->forward(b, x, 300), plain->forward(b, x, 300));
            SamplerParams p = SamplerParams::defaults();
            p.steps = 4;
            const double smp = relError(fast->sample(b, p), plain->sample(b, p));
            qInfo("%s channels_last vs contiguous: forward %.2e, 4-step sample %.2e",
                  diff2lip ? "diff2lip" : "family A", fwd, smp);
            QVERIFY(fwd > 0);  // really two different paths
            QVERIFY(fwd <= 1e-5);
            // Four steps of a random network amplify the ~1e-6 of one call; the bound of the
            // side-by-side benchmark (bench/diff2lip-side-by-side.sh).
            QVERIFY(smp <= 1e-4);
        }
    }
};

QTEST_GUILESS_MAIN(TestModelsSampling)
#include "test_models_sampling.moc"
