// Diff2Lip compatibility: a Diff2Lip-layout checkpoint with random weights, written
// by an independent PyTorch implementation (tests/fixtures/diff2lip/make_fixtures.py),
// imports with every key and shape matched and reproduces the reference's outputs.
#include "models/generator.hpp"
#include "models/pt_import.hpp"
#include "models/safetensors.hpp"
#include "redub/error.hpp"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace redub::models;
using redub::Error;
using redub::ErrorKind;

namespace {

const std::filesystem::path kDir = REDUB_MODEL_FIXTURES;

double relError(const std::vector<float>& a, const std::vector<float>& ref) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += double(a[i] - ref[i]) * (a[i] - ref[i]);
        den += double(ref[i]) * ref[i];
    }
    return std::sqrt(num / den);
}

std::string readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <class F>
QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

FrameBatch batchFrom(const SafetensorsFile& f) {
    const auto& src = f.tensors.at("source");
    FrameBatch b;
    b.batch = static_cast<int>(src.shape[0]);
    b.size = static_cast<int>(src.shape[2]);
    b.source = src.data;
    b.mask = f.tensors.at("mask").data;
    b.identity = f.tensors.at("identity").data;
    b.audio = f.tensors.at("audio").data;
    return b;
}

}  // namespace

class TestModelsDiff2Lip : public QObject {
    Q_OBJECT
    ModelConfig config_;
    std::unique_ptr<Generator> gen_;

private Q_SLOTS:
    void initTestCase() {
        config_ = ModelConfig::fromFile(kDir / "diff2lip_small.json");
        const auto out = std::filesystem::path(QDir::tempPath().toStdString()) / "redub_d2l_small.safetensors";
        const int64_t params = importDiff2Lip(kDir / "diff2lip_small.pt", out, config_);
        QCOMPARE(params, int64_t(447846));
        gen_ = Generator::load(out, DeviceKind::Cpu, 2);
        std::filesystem::remove(out);
    }
    void checkpointImportsWithEveryKeyAndShape() {
        const TensorMap pt = readTorchCheckpoint(kDir / "diff2lip_small.pt");
        QCOMPARE(pt.size(), size_t(216));
        const TensorMap w = gen_->weights();
        QCOMPARE(w.size(), pt.size());
        for (const auto& [k, v] : pt) {
            QVERIFY2(w.count(k), k.c_str());
            QVERIFY2(w.at(k).shape == v.shape, k.c_str());
            QVERIFY2(w.at(k).data == v.data, k.c_str());
        }
        // Layout spot checks against guided-diffusion / Diff2Lip names.
        for (const char* k : {"input_blocks.0.0.weight", "input_blocks.2.0.in_layers.2.weight",
                              "middle_block.1.qkv.weight", "output_blocks.1.2.out_layers.3.weight",
                              "output_blocks.0.0.skip_connection.weight", "audio_encoder.input_block.0.weight",
                              "audio_encoder.encoder_blocks.0.0.weight", "audio_encoder.middle_block.0.emb_layers.1.weight",
                              "audio_encoder_to_style.3.weight", "time_embed.2.bias", "out.2.weight"})
            QVERIFY2(pt.count(k), k);
        QCOMPARE(config_.inChannels(), 9);
        QVERIFY(pt.at("out.2.weight").shape == (std::vector<int64_t>{6, 32, 3, 3}));
    }
    void oneForwardMatchesReference() {
        const auto f = readSafetensors(kDir / "forward.safetensors");
        TensorMap in = f.tensors;
        in.erase("eps");
        const TensorMap out = gen_->runStep(in);
        const auto& ref = f.tensors.at("eps");
        QVERIFY(out.at("eps").shape == ref.shape);
        const double err = relError(out.at("eps").data, ref.data);
        qInfo("forward: relative error %.3g", err);
        QVERIFY2(err < 1e-4, qPrintable(QString("relative error %1").arg(err)));
    }
    void ddim25SampleMatchesReference() {
        const auto f = readSafetensors(kDir / "ddim25.safetensors");
        const FrameBatch b = batchFrom(f);
        SamplerParams p;
        p.steps = 25;
        p.seed = 7;
        std::vector<int> ts;
        const auto out = gen_->sample(b, p, [&](const StepInfo& s) {
            ts.push_back(s.timestep);
        });
        QCOMPARE(ts.front(), 960);
        QCOMPARE(ts.back(), 0);
        const double err = relError(out, f.tensors.at("sample").data);
        qInfo("ddim25: relative error %.3g", err);
        QVERIFY2(err < 1e-3, qPrintable(QString("relative error %1").arg(err)));
    }
    void importerHonoursDtypesStridesAndSharedStorages() {
        const TensorMap t = readTorchCheckpoint(kDir / "views.pt");
        QCOMPARE(t.size(), size_t(5));
        QVERIFY(t.at("half").data == (std::vector<float>{1.0f, -2.0f, 0.5f}));
        QVERIFY(t.at("double").shape == (std::vector<int64_t>{1, 2}));
        QVERIFY(t.at("double").data == (std::vector<float>{1.5f, 2.5f}));
        // base = arange(12).reshape(3,4): transposed, a row and a column share its storage.
        QVERIFY(t.at("transposed").shape == (std::vector<int64_t>{4, 3}));
        QVERIFY(t.at("transposed").data == (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
        QVERIFY(t.at("row1").data == (std::vector<float>{4, 5, 6, 7}));
        QVERIFY(t.at("col2").data == (std::vector<float>{2, 6, 10}));
    }
    void hostileCheckpointsGiveClearErrors_data() {
        QTest::addColumn<int>("cut");  // bytes kept (-1: corrupt instead)
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << 0 << "too short";
        QTest::newRow("truncated half") << 900000 << "end-of-directory";
        QTest::newRow("truncated tail") << -2 << "end-of-directory";
        QTest::newRow("garbage") << -1 << "end-of-directory";
        QTest::newRow("legacy pickle") << -3 << "legacy";
        QTest::newRow("bad pickle") << -4 << "data.pkl";
        QTest::newRow("storage missing") << -5 << "missing from the archive";
    }
    void hostileCheckpointsGiveClearErrors() {
        QFETCH(int, cut);
        QFETCH(QString, expected);
        std::string bytes = readAll(kDir / "diff2lip_small.pt");
        if (cut >= 0) bytes.resize(size_t(cut));
        else if (cut == -1) bytes.assign(5000, 'x');
        else if (cut == -2) bytes.resize(bytes.size() - 10);
        else if (cut == -3) bytes = std::string("\x80\x02\x8a\x0a", 4) + std::string(100, '\0');
        else if (cut == -4) {
            const auto pos = bytes.find("collections");  // break the pickle's first GLOBAL
            QVERIFY(pos != std::string::npos);
            bytes[pos - 1] = '\xfe';
        } else if (cut == -5) {
            const auto pos = bytes.find("/data/0");  // rename a storage record in the directory
            QVERIFY(pos != std::string::npos);
            for (size_t p = 0; (p = bytes.find("/data/0", p)) != std::string::npos; ++p)
                if (bytes[p + 7] < '0' || bytes[p + 7] > '9') bytes[p + 6] = 'z';
        }
        const QString msg = errorOf([&] { parseTorchCheckpoint(bytes, "evil.pt"); });
        QVERIFY2(msg.contains("evil.pt") && msg.contains(expected), qPrintable(msg));
    }
    void checkpointOfAnotherLayoutIsRejectedNamingKeys() {
        ModelConfig other = config_;
        other.num_res_blocks = 2;
        const auto out = std::filesystem::path(QDir::tempPath().toStdString()) / "redub_d2l_other.safetensors";
        const QString msg = errorOf([&] { importDiff2Lip(kDir / "diff2lip_small.pt", out, other); });
        QVERIFY2(msg.contains("missing") && msg.contains("diff2lip_small.pt"), qPrintable(msg));
        QVERIFY(!std::filesystem::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestModelsDiff2Lip)
#include "test_models_diff2lip.moc"
