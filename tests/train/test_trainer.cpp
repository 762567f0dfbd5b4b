// The trainer on a tiny config and a small learnable task (a disc whose size
// follows the audio level): the loss falls within seconds, checkpoints resume,
// and the written model loads and samples.
#include "models/generator.hpp"
#include "models/trainer.hpp"
#include "redub/error.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace redub;
using namespace redub::models;
namespace fs = std::filesystem;

namespace {

ModelConfig tiny() {
    ModelConfig c = ModelConfig::redubSmall();
    c.image_size = 16;
    c.channel_mult = {1, 2};
    c.attention_resolutions = {};
    c.audio_neighbours = 0;
    c.audio_channel_mult = {1, 2};
    c.motion_grey = true;
    return c;
}

TrainData discs(int n) {
    TrainData d;
    d.size = 16;
    d.audio_windows = 1;
    d.n_mels = 80;
    d.audio_cols = 16;
    for (int i = 0; i < n; ++i) {
        const float level = 0.5f + 0.5f * std::sin(float(i) * 0.7f);  // "loudness"
        const float r = 1.5f + 5.0f * level;
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 16; ++y)
                for (int x = 0; x < 16; ++x) {
                    const float dist = std::hypot(float(x) - 8, float(y) - 10);
                    d.crops.push_back(dist < r ? -0.8f : 0.5f - 0.1f * c);
                }
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x) d.masks.push_back(y >= 8 ? 1.0f : 0.0f);
        for (int k = 0; k < 80 * 16; ++k) d.audio.push_back(-4.0f + 8.0f * level);
        d.mouth_box.insert(d.mouth_box.end(), {4, 8, 12, 15});
        d.clip.push_back(i / 16);
    }
    return d;
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path path(const char* n) { return fs::path(dir_.path().toStdString()) / n; }

private Q_SLOTS:
    // The same tiny run learns with every augmentation of the known region too: half of the
    // items see the identity frame around the mask, the other half a frame up to 12 away.
    void lossFallsOnATinyRun_data() {
        QTest::addColumn<double>("swap");
        QTest::addColumn<double>("shift");
        QTest::newRow("true context") << 0.0 << 0.0;
        QTest::newRow("context swapped or shifted") << 0.5 << 0.5;
    }
    void lossFallsOnATinyRun() {
        QFETCH(double, swap);
        QFETCH(double, shift);
        auto p = TrainParams::defaults();
        p.config = tiny();
        p.out = path(swap > 0 ? "m-swap.safetensors" : "m.safetensors");
        p.batch = 4;
        p.lr = 3e-3;
        p.warmup_steps = 3;
        p.max_steps = 40;
        p.checkpoint_every_s = 1e9;
        p.threads = 1;
        p.context_swap = swap;
        p.context_shift = shift;
        const TrainData data = discs(64);
        Trainer t(p);
        const TrainStats st = t.run(data, &data);
        QCOMPARE(st.step, int64_t(40));
        QCOMPARE(int(st.history.size()), 40);
        double first = 0, last = 0;
        for (int i = 0; i < 10; ++i) first += st.history[size_t(i)], last += st.history[st.history.size() - 1 - size_t(i)];
        qInfo("mean loss of the first 10 steps %.4f, of the last 10 %.4f", first / 10, last / 10);
        QVERIFY(last < 0.7 * first);
        QVERIFY(st.val_loss > 0 && std::isfinite(st.val_loss));
        QVERIFY(fs::exists(p.out));
        QVERIFY(fs::exists(fs::path(p.out).concat(".state")));
    }

    void resumesFromTheCheckpointAndWritesALoadableModel() {
        auto p = TrainParams::defaults();
        p.config = tiny();
        p.out = path("m.safetensors");  // the state of the previous test
        p.batch = 4;
        p.max_steps = 44;
        p.threads = 1;
        Trainer t(p);
        const TrainStats st = t.run(discs(32), nullptr);
        QCOMPARE(st.step, int64_t(44));
        QCOMPARE(int(st.history.size()), 4);  // only the missing steps ran
        auto gen = Generator::load(p.out, DeviceKind::Cpu, 2);
        QCOMPARE(gen->config().image_size, 16);
        FrameBatch b;
        b.batch = 1;
        b.size = 16;
        const TrainData d = discs(1);
        b.source.assign(d.crops.begin(), d.crops.end());
        b.mask = d.masks;
        b.identity = b.source;
        b.motion.assign(size_t(2) * 16 * 16, 0.0f);
        b.audio = d.audio;
        auto sp = SamplerParams::defaults();
        sp.steps = 4;
        const auto out = gen->sample(b, sp);
        QCOMPARE(out.size(), b.source.size());
    }

    void rejectsDataOfAnotherSizeAndDiff2LipModels() {
        auto p = TrainParams::defaults();
        p.config = tiny();
        p.out = path("other.safetensors");
        p.max_steps = 1;
        Trainer t(p);
        TrainData d = discs(16);
        d.size = 32;  // arrays no longer match either
        QVERIFY_THROWS_EXCEPTION(Error, t.run(d, nullptr));
        auto q = p;
        q.config = ModelConfig::diff2lip();
        QVERIFY_THROWS_EXCEPTION(Error, Trainer{q});
    }
    void rejectsContextProbabilitiesThatAreNotOneDraw() {
        auto p = TrainParams::defaults();
        p.config = tiny();
        p.out = path("ctx.safetensors");
        p.max_steps = 1;
        p.context_swap = 0.8, p.context_shift = 0.3;  // sum > 1
        QVERIFY_THROWS_EXCEPTION(Error, Trainer{p});
        p.context_swap = -0.1, p.context_shift = 0;
        QVERIFY_THROWS_EXCEPTION(Error, Trainer{p});
        QVERIFY(!fs::exists(p.out));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
