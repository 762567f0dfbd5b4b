// Pure math of the model engine: schedules, respacing, the sampler loop with
// analytic denoisers, safetensors parsing and the model config. No LibTorch network.
#include "models/config.hpp"
#include "models/safetensors.hpp"
#include "models/sampler.hpp"
#include "redub/error.hpp"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <random>

using namespace redub::models;
using redub::Error;
using redub::ErrorKind;

namespace {

std::vector<float> randomImage(size_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> v(n);
    for (auto& x : v) x = u(g);
    return v;
}

std::vector<float> gaussian(size_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(n);
    for (auto& x : v) x = d(g);
    return v;
}

// eps that a perfect denoiser would predict for target x0: (x - sqrt(ab) x0) / sqrt(1 - ab)
EpsFn perfectPredictor(const Schedule& s, const std::vector<float>& x0, int* calls = nullptr) {
    return [&s, &x0, calls](const std::vector<float>& x, int t, std::vector<float>& eps) {
        if (calls) ++*calls;
        const double ab = s.alphas_cumprod[t];
        eps.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i)
            eps[i] = static_cast<float>((x[i] - std::sqrt(ab) * x0[i]) / std::sqrt(1 - ab));
    };
}

NoiseFn normalNoise(uint32_t seed) {
    auto g = std::make_shared<std::mt19937>(seed);
    return [g](std::vector<float>& out) {
        std::normal_distribution<float> d;
        for (auto& v : out) v = d(*g);
    };
}

// Returns the message of the redub::Error `f` throws (fails the test when none).
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

std::string safetensorsImage(const std::string& header, const std::string& data) {
    std::string s(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(s.data(), &n, 8);
    return s + header + data;
}

}  // namespace

class TestModelsMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linearScheduleMatchesClosedForm() {
        const Schedule s = Schedule::linear(1000);
        QCOMPARE(s.steps(), 1000);
        QVERIFY(std::abs(s.betas[0] - 1e-4) < 1e-15);
        QVERIFY(std::abs(s.betas[999] - 0.02) < 1e-15);
        QVERIFY(std::abs(s.betas[500] - (1e-4 + (0.02 - 1e-4) * 500.0 / 999.0)) < 1e-15);
        double a = 1;
        for (int t = 0; t < 1000; ++t) a *= 1 - s.betas[t];
        QVERIFY(std::abs(s.alphas_cumprod[999] - a) < 1e-15);
        // Known value of the DDPM linear schedule: abar_999 ~= 4.04e-5
        QVERIFY(std::abs(s.alphas_cumprod[999] - 4.0358e-5) < 1e-8);
    }
    void cosineScheduleMatchesClosedForm() {
        const Schedule s = Schedule::cosine(1000);
        auto f = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
        for (int t : {0, 1, 10, 250, 500, 750, 900}) {  // before beta hits the 0.999 clip
            const double expected = f((t + 1) / 1000.0) / f(0);
            QVERIFY2(std::abs(s.alphas_cumprod[t] - expected) < 1e-12, qPrintable(QString::number(t)));
        }
        QVERIFY(s.betas[999] <= 0.999);
        QVERIFY(s.alphas_cumprod[999] < 1e-6);
    }
    void respacingGivesDiff2LipTimesteps() {
        const auto ts = respace(1000, 25);
        QCOMPARE(int(ts.size()), 25);
        for (int i = 0; i < 25; ++i) QCOMPARE(ts[i], 40 * i);
        QCOMPARE(respace(1000, 1000).back(), 999);
        QVERIFY(!errorOf([] { respace(1000, 0); }).isEmpty());
        QVERIFY(!errorOf([] { respace(10, 11); }).isEmpty());
    }
    void trailingSpacingStartsAtTheLastTimestep() {
        const auto ts = respace(1000, 10, Spacing::Trailing);
        QCOMPARE(int(ts.size()), 10);
        for (int i = 0; i < 10; ++i) QCOMPARE(ts[i], 99 + 100 * i);
        const auto odd = respace(1000, 3, Spacing::Trailing);  // 999 - {666, 333, 0}
        QCOMPARE(odd, (std::vector<int>{333, 666, 999}));
        const auto all = respace(1000, 1000, Spacing::Trailing);
        for (int i = 0; i < 1000; ++i) QCOMPARE(all[i], i);  // every step: both spacings agree
        QVERIFY(parseSpacing("trailing") == Spacing::Trailing);
        QVERIFY(!errorOf([] { parseSpacing("middle"); }).isEmpty());
    }
    void modelConfigsChooseTheirSpacing() {
        QCOMPARE(QString::fromStdString(ModelConfig::redubSmall().timestep_spacing), QString("trailing"));
        QCOMPARE(QString::fromStdString(ModelConfig::diff2lip().timestep_spacing), QString("leading"));
        auto j = ModelConfig::redubSmall().toJson();
        j["timestep_spacing"] = "sideways";
        QVERIFY(errorOf([&] { ModelConfig::fromJson(j, "cfg.json"); }).contains("timestep_spacing"));
    }
    void ddimWithPerfectPredictorRecoversX0() {
        for (const char* name : {"linear", "cosine"}) {
            const Schedule s = Schedule::named(name, 1000);
            const int B = 2, S = 8;
            const size_t n = B * 3 * S * S;
            const auto x0 = randomImage(n, 1), noise = gaussian(n, 2);
            const std::vector<float> source(n, 0.f), mask(B * S * S, 1.f);
            SampleRequest req{B, S, &source, &mask, &noise};
            for (int steps : {1, 10, 25}) {
                auto out = runSampler(s, SamplerParams::defaults(), steps, req, perfectPredictor(s, x0),
                                      normalNoise(3), {}, {});
                double err = 0;
                for (size_t i = 0; i < n; ++i) err = std::max(err, double(std::abs(out[i] - x0[i])));
                QVERIFY2(err < 1e-4, qPrintable(QString("%1 %2 steps: max error %3").arg(name).arg(steps).arg(err)));
            }
        }
    }
    void ddpmAndStochasticDdimWithPerfectPredictorRecoverX0() {
        const Schedule s = Schedule::linear(1000);
        const int B = 1, S = 8;
        const size_t n = B * 3 * S * S;
        const auto x0 = randomImage(n, 4), noise = gaussian(n, 5);
        const std::vector<float> source(n, 0.f), mask(S * S, 1.f);
        SampleRequest req{B, S, &source, &mask, &noise};
        SamplerParams ddpm;
        ddpm.kind = SamplerParams::Kind::Ddpm;
        SamplerParams ddim_eta;
        ddim_eta.eta = 1.0f;
        for (const auto& p : {ddpm, ddim_eta}) {
            auto out = runSampler(s, p, 50, req, perfectPredictor(s, x0), normalNoise(6), {}, {});
            double err = 0;
            for (size_t i = 0; i < n; ++i) err = std::max(err, double(std::abs(out[i] - x0[i])));
            QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
        }
    }
    void knownRegionIsBitIdenticalAfterSampling() {
        const Schedule s = Schedule::cosine(1000);
        const int B = 2, S = 16;
        const size_t n = B * 3 * S * S;
        const auto source = randomImage(n, 7), noise = gaussian(n, 8);
        std::vector<float> mask(B * S * S, 0.f);
        for (int b = 0; b < B; ++b)
            for (int y = S / 2; y < S; ++y)
                for (int x = 0; x < S; ++x) mask[(b * S + y) * S + x] = 1.f;
        SampleRequest req{B, S, &source, &mask, &noise};
        // A wild denoiser (random eps) must not leak into the known region.
        EpsFn wild = [](const std::vector<float>& x, int t, std::vector<float>& eps) {
            eps = gaussian(x.size(), 100 + t);
            for (auto& v : eps) v *= 3;
        };
        SamplerParams p;
        p.clip_x0 = false;
        auto out = runSampler(s, p, 7, req, wild, normalNoise(9), {}, {});
        size_t changed = 0;
        for (size_t i = 0; i < n; ++i) {
            const bool known = mask[(i / (3 * S * S)) * S * S + i % (S * S)] == 0.f;
            if (known) QVERIFY(std::memcmp(&out[i], &source[i], sizeof(float)) == 0);
            else changed += out[i] != source[i];
        }
        QVERIFY(changed > n / 2 - 10);  // the masked half was generated
    }
    void cancelStopsWithinOneStep() {
        const Schedule s = Schedule::linear(1000);
        const int S = 4;
        const size_t n = 3 * S * S;
        const auto x0 = randomImage(n, 1), noise = gaussian(n, 2);
        const std::vector<float> source(n, 0.f), mask(S * S, 1.f);
        SampleRequest req{1, S, &source, &mask, &noise};
        int calls = 0, callbacks = 0;
        ErrorKind kind{};
        // The step callback reports; cancelling is the stop token's job alone (one channel).
        std::stop_source first;
        QString msg = errorOf(
            [&] {
                runSampler(s, SamplerParams::defaults(), 25, req, perfectPredictor(s, x0, &calls), normalNoise(1),
                           [&](const StepInfo& info) {
                               ++callbacks;
                               QVERIFY(info.total == 25 && info.x0 != nullptr);
                               if (info.step == 3) first.request_stop();  // cancel after the 3rd step
                           },
                           first.get_token());
            },
            &kind);
        QVERIFY(kind == ErrorKind::Cancelled);
        QCOMPARE(calls, 3);
        QCOMPARE(callbacks, 3);
        // A stop_token requested during step 2 stops before step 3's network call.
        std::stop_source stop;
        calls = 0;
        msg = errorOf(
            [&] {
                runSampler(s, SamplerParams::defaults(), 25, req, perfectPredictor(s, x0, &calls), normalNoise(1),
                           [&](const StepInfo& info) {
                               if (info.step == 2) stop.request_stop();
                           },
                           stop.get_token());
            },
            &kind);
        QVERIFY(kind == ErrorKind::Cancelled);
        QCOMPARE(calls, 2);
    }
    void safetensorsRoundTripKeepsTensorsAndMetadata() {
        const auto path = std::filesystem::path(QDir::tempPath().toStdString()) / "redub_rt.safetensors";
        TensorMap m;
        m["a"] = {{2, 3}, {1, 2, 3, 4, 5, 6}};
        m["b.c"] = {{1}, {-7.5f}};
        m["empty"] = {{0, 4}, {}};
        writeSafetensors(path, m, {{"redub_config", "{}"}, {"k", "v"}});
        auto f = readSafetensors(path);
        QCOMPARE(f.metadata.at("k"), std::string("v"));
        QCOMPARE(f.tensors.size(), size_t(3));
        QVERIFY(f.tensors.at("a").shape == (std::vector<int64_t>{2, 3}));
        QVERIFY(f.tensors.at("a").data == m["a"].data);
        QVERIFY(f.tensors.at("b.c").data == m["b.c"].data);
        QVERIFY(f.tensors.at("empty").shape == (std::vector<int64_t>{0, 4}) && f.tensors.at("empty").data.empty());
        QVERIFY(!std::filesystem::exists(path.string() + ".part"));
        std::filesystem::remove(path);
    }
    void safetensorsConvertsHalfAndBfloat16() {
        // F16 1.0 = 0x3c00, -2.0 = 0xc000; BF16 0.5 = 0x3f00
        std::string data("\x00\x3c\x00\xc0\x00\x3f", 6);
        auto f = parseSafetensors(
            safetensorsImage(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                             R"("b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}})",
                             data),
            "mem");
        QCOMPARE(f.tensors.at("h").data[0], 1.0f);
        QCOMPARE(f.tensors.at("h").data[1], -2.0f);
        QCOMPARE(f.tensors.at("b").data[0], 0.5f);
    }
    void hostileSafetensorsGiveClearErrors_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string ok = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        auto img = [](const std::string& s) { return QByteArray(s.data(), int(s.size())); };
        QTest::newRow("empty") << QByteArray() << "truncated";
        QTest::newRow("truncated data") << img(safetensorsImage(ok, std::string(4, '\0'))) << "outside";
        std::string huge(8, '\xff');
        QTest::newRow("huge header") << img(huge + "{}") << "limit";
        std::string longer(8, '\0');
        longer[0] = 100;
        QTest::newRow("header past end") << img(longer + "{}") << "truncated";
        QTest::newRow("not json") << img(safetensorsImage("{nope", "")) << "not valid JSON";
        // Found by fuzzing: a number too large for any type escaped as a JSON library exception.
        QTest::newRow("number overflow") << img(safetensorsImage(R"({"__metadata__":{"a":"b"},"x":444444440E4020244264})", ""))
                                         << "not valid JSON";
        QTest::newRow("offsets out of range")
            << img(safetensorsImage(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4000000000]}})",
                                    std::string(8, '\0')))
            << "outside";
        QTest::newRow("reversed offsets")
            << img(safetensorsImage(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", std::string(8, '\0')))
            << "outside";
        QTest::newRow("wrong dtype")
            << img(safetensorsImage(R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})",
                                    std::string(2, '\0')))
            << "unsupported dtype 'F8_E4M3'";
        QTest::newRow("size mismatch")
            << img(safetensorsImage(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')))
            << "needs 12";
        QTest::newRow("negative shape")
            << img(safetensorsImage(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", std::string(8, '\0')))
            << "negative";
        QTest::newRow("overflowing shape")
            << img(safetensorsImage(
                   R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                   std::string(8, '\0')))
            << "overflows";
        QTest::newRow("metadata not string")
            << img(safetensorsImage(R"({"__metadata__":{"a":1}})", "")) << "not a string";
    }
    void hostileSafetensorsGiveClearErrors() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        ErrorKind kind{};
        const QString msg = errorOf(
            [&] { parseSafetensors(std::string(bytes.constData(), size_t(bytes.size())), "evil.safetensors"); }, &kind);
        QVERIFY2(msg.contains("evil.safetensors") && msg.contains(expected), qPrintable(msg));
        QVERIFY(kind == ErrorKind::BadInput);
    }
    void missingSafetensorsFileNamesIt() {
        const QString msg = errorOf([] { readSafetensors("/nonexistent/m.safetensors"); });
        QVERIFY2(msg.contains("/nonexistent/m.safetensors"), qPrintable(msg));
    }
    void configRoundTripsThroughJson() {
        for (const ModelConfig& c : {ModelConfig::redubSmall(), ModelConfig::diff2lip()}) {
            c.validate();
            const ModelConfig back = ModelConfig::fromJsonString(c.toJsonString());
            QVERIFY(back == c);
        }
        QCOMPARE(ModelConfig::diff2lip().inChannels(), 9);
        QCOMPARE(ModelConfig::diff2lip().outChannels(), 6);
        QCOMPARE(ModelConfig::redubSmall().inChannels(), 3 + 1 + 3 + 2 * 3);
        QCOMPARE(ModelConfig::redubSmall().audioWindows(), 5);
    }
    void badConfigNamesTheField() {
        QString msg = errorOf([] { ModelConfig::fromJsonString(R"({"image_size":"big"})", "cfg.json"); });
        QVERIFY2(msg.contains("cfg.json") && msg.contains("image_size"), qPrintable(msg));
        msg = errorOf([] { ModelConfig::fromJsonString(R"({"model_channels":48})", "cfg.json"); });
        QVERIFY2(msg.contains("model_channels"), qPrintable(msg));
        msg = errorOf([] { ModelConfig::fromJsonString(R"({"famliy":"x"})", "cfg.json"); });
        QVERIFY2(msg.contains("unknown model config field 'famliy'"), qPrintable(msg));
        msg = errorOf([] { ModelConfig::fromJsonString("[1,2", "cfg.json"); });
        QVERIFY2(msg.contains("not valid JSON"), qPrintable(msg));
        msg = errorOf([] { ModelConfig::fromJsonString(R"({"schedule":"quadratic"})", "cfg.json"); });
        QVERIFY2(msg.contains("schedule"), qPrintable(msg));
    }
};

QTEST_GUILESS_MAIN(TestModelsMath)
#include "test_models_math.moc"
