// The LibTorch engine with real (randomly initialised) family-A networks: model files,
// sampling invariants (known region, shared noise, determinism, cancel) and bad input.
#include "support/tiny_model.hpp"
#include "models/generator.hpp"
#include "models/safetensors.hpp"
#include "random_batch.hpp"
#include "redub/error.hpp"

#include <QtTest>

#include <cstring>
#include <random>

using namespace redub::models;
using redub::Error;
using redub::ErrorKind;

namespace {

ModelConfig tinyA() { return redub::test::tinyEngineConfig(); }

FrameBatch batchFor(const ModelConfig& c, int B, uint32_t seed) { return redub::test::randomBatch(c, B, seed); }

std::filesystem::path tmp(const char* name) { return std::filesystem::path(QDir::tempPath().toStdString()) / name; }

template <class F>
QString errorOf(F&& f, ErrorKind* kind = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (kind) *kind = e.kind();
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestModelsEngine : public QObject {
    Q_OBJECT
    std::unique_ptr<Generator> gen_;
    std::filesystem::path file_ = tmp("redub_tinyA.safetensors");

private Q_SLOTS:
    void initTestCase() {
        writeRandomModel(tinyA(), file_, 11);
        gen_ = Generator::load(file_, DeviceKind::Cpu, 2);
    }
    void cleanupTestCase() { std::filesystem::remove(file_); }

    void randomModelLoadsWithItsConfig() {
        QVERIFY(gen_->config() == tinyA());
        QVERIFY(gen_->parameterCount() > 50000);
        QVERIFY(gen_->flopsPerStep() > 1e6);
        QCOMPARE(QString::fromStdString(gen_->deviceName()), QString("cpu"));
        // Writing the loaded weights back reproduces them exactly.
        const auto f = readSafetensors(file_);
        const auto w = gen_->weights();
        QCOMPARE(w.size(), f.tensors.size());
        for (const auto& [k, v] : w) QVERIFY2(f.tensors.at(k).data == v.data, k.c_str());
    }
    void redubSmallBuildsAndCountsFlops() {
        const auto path = tmp("redub_small.safetensors");
        writeRandomModel(ModelConfig::redubSmall(), path, 1);
        auto g = Generator::load(path, DeviceKind::Cpu);
        std::filesystem::remove(path);
        QVERIFY(g->config() == ModelConfig::redubSmall());
        QVERIFY(g->parameterCount() > 500000);
        // Diff2Lip is 156.8 GFLOP per step; the small CPU model must be far lighter.
        QVERIFY2(g->flopsPerStep() > 1e8 && g->flopsPerStep() < 5e9, qPrintable(QString::number(g->flopsPerStep())));
    }
    void sampleKeepsKnownRegionBitExact() {
        const auto& c = gen_->config();
        auto b = batchFor(c, 2, 1);
        auto out = gen_->sample(b, SamplerParams::defaults());
        QCOMPARE(out.size(), b.source.size());
        const int S = c.image_size;
        size_t generated = 0;
        for (size_t i = 0; i < out.size(); ++i) {
            const float m = b.mask[(i / (3 * S * S)) * S * S + i % (S * S)];
            if (m == 0.f) QVERIFY(std::memcmp(&out[i], &b.source[i], 4) == 0);
            else generated += out[i] != b.source[i];
            QVERIFY(out[i] >= -1.f && out[i] <= 1.f);
        }
        QVERIFY(generated > out.size() / 2 - 10);
    }
    void sameSeedIsDeterministicAndSharedAcrossTheBatch() {
        const auto& c = gen_->config();
        auto b = batchFor(c, 2, 2);
        // Item 1 = item 0: the shared initial noise makes their results identical.
        const size_t img = 3 * c.image_size * c.image_size;
        std::copy_n(b.source.begin(), img, b.source.begin() + img);
        std::copy_n(b.identity.begin(), img, b.identity.begin() + img);
        const size_t mot = b.motion.size() / 2, aud = b.audio.size() / 2;
        std::copy_n(b.motion.begin(), mot, b.motion.begin() + mot);
        std::copy_n(b.audio.begin(), aud, b.audio.begin() + aud);
        auto p = SamplerParams::defaults();
        auto a1 = gen_->sample(b, p), a2 = gen_->sample(b, p);
        QVERIFY(a1 == a2);
        QVERIFY(std::equal(a1.begin(), a1.begin() + img, a1.begin() + img));
        p.seed = 8;
        QVERIFY(gen_->sample(b, p) != a1);
        // DDPM and stochastic DDIM are deterministic per seed too.
        p.kind = SamplerParams::Kind::Ddpm;
        QVERIFY(gen_->sample(b, p) == gen_->sample(b, p));
    }
    void audioChangesTheResult() {
        const auto& c = gen_->config();
        auto b = batchFor(c, 1, 3);
        auto a = gen_->sample(b, SamplerParams::defaults());
        for (auto& v : b.audio) v = -v;
        QVERIFY(gen_->sample(b, SamplerParams::defaults()) != a);
    }
    void greyMotionConfigSamplesWithDdpm() {
        ModelConfig c = tinyA();
        c.motion_grey = true;
        c.motion_frames = 1;
        c.schedule = "linear";
        QCOMPARE(c.inChannels(), 3 + 1 + 3 + 1);
        const auto path = tmp("redub_grey.safetensors");
        writeRandomModel(c, path, 3);
        auto g = Generator::load(path, DeviceKind::Cpu, 2);
        std::filesystem::remove(path);
        auto b = batchFor(c, 2, 6);
        QCOMPARE(b.motion.size(), size_t(2 * 1 * 1 * 16 * 16));
        SamplerParams p;
        p.kind = SamplerParams::Kind::Ddpm;
        p.steps = 3;
        auto out = g->sample(b, p);
        for (size_t i = 0; i < out.size(); ++i)
            if (b.mask[(i / (3 * 256)) * 256 + i % 256] == 0.f) QVERIFY(std::memcmp(&out[i], &b.source[i], 4) == 0);
    }
    void stepCallbackReportsProgressAndCancelStopsWithinOneStep() {
        auto b = batchFor(gen_->config(), 1, 4);
        SamplerParams p;
        p.steps = 6;
        std::vector<int> timesteps;
        gen_->sample(b, p, [&](const StepInfo& s) {
            timesteps.push_back(s.timestep);
            QVERIFY(s.total == 6 && s.x0 != nullptr);
        });
        // redub-a samples with trailing spacing (models/sampler.hpp): the first step is at T-1.
        QVERIFY(timesteps == (std::vector<int>{999, 833, 666, 499, 333, 166}));
        timesteps.clear();
        p.spacing = "leading";
        gen_->sample(b, p, [&](const StepInfo& s) {
            timesteps.push_back(s.timestep);
        });
        QVERIFY(timesteps == (std::vector<int>{833, 666, 500, 333, 166, 0}));
        p.spacing.clear();
        int calls = 0;
        ErrorKind kind{};
        {  // a stop requested from the step callback ends sampling before the next step
            std::stop_source during;
            errorOf([&] { gen_->sample(b, p, [&](const StepInfo&) { if (++calls >= 2) during.request_stop(); }, during.get_token()); }, &kind);
        }
        QVERIFY(kind == ErrorKind::Cancelled);
        QCOMPARE(calls, 2);
        std::stop_source stop;
        stop.request_stop();
        errorOf([&] { gen_->sample(b, p, {}, stop.get_token()); }, &kind);
        QVERIFY(kind == ErrorKind::Cancelled);
    }
    void wrongBatchShapesAreBadInput() {
        auto b = batchFor(gen_->config(), 1, 5);
        b.audio.pop_back();
        ErrorKind kind{};
        QString msg = errorOf([&] { gen_->sample(b, SamplerParams::defaults()); }, &kind);
        QVERIFY(kind == ErrorKind::BadInput);
        QVERIFY2(msg.contains("FrameBatch.audio"), qPrintable(msg));
        b = batchFor(gen_->config(), 1, 5);
        b.size = 32;
        msg = errorOf([&] { gen_->sample(b, SamplerParams::defaults()); }, &kind);
        QVERIFY2(msg.contains("image_size"), qPrintable(msg));
    }
    void modelFileWithoutConfigOrWithWrongWeightsIsRejected() {
        const auto path = tmp("redub_bad.safetensors");
        writeSafetensors(path, {{"w", {{1}, {1.f}}}}, {});
        QString msg = errorOf([&] { Generator::load(path, DeviceKind::Cpu); });
        QVERIFY2(msg.contains("redub_config") && msg.contains(QString::fromStdString(path.string())), qPrintable(msg));
        auto w = gen_->weights();
        w["time_embed.0.weight"].shape = {1, static_cast<int64_t>(w["time_embed.0.weight"].data.size())};
        w.erase("out.2.bias");
        writeModel(tinyA(), w, path);
        ErrorKind kind{};
        msg = errorOf([&] { Generator::load(path, DeviceKind::Cpu); }, &kind);
        QVERIFY(kind == ErrorKind::Model);
        QVERIFY2(msg.contains("out.2.bias") && msg.contains("time_embed.0.weight"), qPrintable(msg));
        std::filesystem::remove(path);
        msg = errorOf([&] { Generator::load("/nonexistent/x.safetensors"); });
        QVERIFY2(msg.contains("not found"), qPrintable(msg));
    }
};

QTEST_GUILESS_MAIN(TestModelsEngine)
#include "test_models_engine.moc"
