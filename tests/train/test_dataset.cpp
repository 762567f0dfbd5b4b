// The dataset builder: a synthesized clip -> cached crops, masks, mel windows and
// mouth boxes that load back with the shapes of the model config; bad inputs.
#include "core/synth/synth.hpp"
#include "core/train/train_data.hpp"
#include "models/safetensors.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <QTemporaryDir>
#include <QtTest>

using namespace redub;
using namespace redub::core;
namespace fs = std::filesystem;

class TestDataset : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path clip_;

    fs::path path(const std::string& name) { return fs::path(dir_.path().toStdString()) / name; }
    static models::ModelConfig tinyConfig(int size) {
        auto c = models::ModelConfig::redubSmall();
        c.image_size = size;
        c.audio_neighbours = 1;
        return c;
    }

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        auto p = synth::SynthParams::defaults();
        p.face = test::kHopperPhoto.path;
        p.text = "Bob ate a big apple.";
        p.max_side = 320;
        clip_ = path("clip.mp4");
        synth::synthesizeClip(p, clip_);
        QVERIFY(fs::exists(clip_));
    }

    void roundTripKeepsEveryFrameWithConfigShapes() {
        const auto cfg = tinyConfig(32);
        const auto info = buildDatasetClip(clip_, path("ds/clip.safetensors"), DatasetParams::fromConfig(cfg));
        const auto truth = synth::readTruth(path("clip.json"));
        QCOMPARE(info.frames, int64_t(truth.size()));
        QCOMPARE(info.skipped, int64_t(0));
        const models::TrainData d = loadDataset({path("ds")});
        QCOMPARE(d.count(), info.frames);
        QCOMPARE(d.size, 32);
        QCOMPARE(d.audio_windows, 3);
        QCOMPARE(d.n_mels, 80);
        QCOMPARE(d.audio_cols, 16);
        for (float v : d.crops) QVERIFY(v >= -1.0f && v <= 1.0f);
        // lower-half mask: top row kept, bottom row repainted
        QCOMPARE(d.masks[0], 0.0f);
        QCOMPARE(d.masks[size_t(32 * 32 - 1)], 1.0f);
        // mouth boxes lie in the lower half of the crop
        for (int64_t i = 0; i < d.count(); ++i) {
            const float* b = d.mouth_box.data() + i * 4;
            QVERIFY(b[0] < b[2] && b[1] < b[3]);
            QVERIFY(b[1] > 12 && b[3] < 40);
        }
        // The lead-in is silent and the speech is not: the mel windows show it.
        const size_t per = size_t(3) * 80 * 16;
        auto meanWindow = [&](int64_t frame) {
            double s = 0;
            for (size_t k = per / 3; k < 2 * per / 3; ++k) s += d.audio[size_t(frame) * per + k];  // centre window
            return s / double(per / 3);
        };
        QVERIFY(meanWindow(0) < -3.5);
        QVERIFY(meanWindow(d.count() / 2) > meanWindow(0) + 1.0);
        // metadata names the source and the config
        const auto st = models::readSafetensors(path("ds/clip.safetensors"));
        QVERIFY(st.metadata.at("source").find("clip.mp4") != std::string::npos);
        QCOMPARE(models::ModelConfig::fromJsonString(st.metadata.at("redub_dataset_config")).image_size, 32);
    }

    void loadsAClipSplitInTime() {
        const auto cfg = tinyConfig(32);
        const auto info = buildDatasetClip(clip_, path("split/clip.safetensors"), DatasetParams::fromConfig(cfg));
        QVERIFY(info.frames > 30);
        const models::TrainData all = loadDataset({path("split")});
        const models::TrainData head = loadDataset({path("split")}, 0, 20);
        const models::TrainData tail = loadDataset({path("split")}, 20, -1);
        QCOMPARE(head.count(), int64_t(20));  // every frame of the synthesized clip has a face
        QCOMPARE(head.count() + tail.count(), all.count());
        // The tail starts with source frame 20: its first crop is the whole set's 21st.
        const size_t per = size_t(3) * 32 * 32;
        QVERIFY(std::equal(tail.crops.begin(), tail.crops.begin() + std::ptrdiff_t(per),
                           all.crops.begin() + std::ptrdiff_t(20 * per)));
        QVERIFY(!std::equal(tail.crops.begin(), tail.crops.begin() + std::ptrdiff_t(per),
                            all.crops.begin() + std::ptrdiff_t(19 * per)));
        QCOMPARE(tail.audio.size(), all.audio.size() - head.audio.size());
        try {
            loadDataset({path("split")}, info.frames + 10, -1);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("no dataset frames") != std::string::npos);
        }
    }

    void rejectsVideoWithoutAudio() {
        QVERIFY(test::ffmpeg({"-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=1", "-pix_fmt", "yuv420p",
                              QString::fromStdString(path("silent.mp4").string())}));
        try {
            buildDatasetClip(path("silent.mp4"), path("bad/silent.safetensors"), DatasetParams::defaults());
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(std::string(e.what()).find("silent.mp4") != std::string::npos);
        }
        QVERIFY(!fs::exists(path("bad/silent.safetensors")));
    }

    void rejectsEmptyFoldersAndMixedConfigs() {
        fs::create_directories(path("empty"));
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset({path("empty")}));
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset({path("nowhere")}));
        DatasetParams p = DatasetParams::fromConfig(tinyConfig(48));
        p.max_frames = 5;
        buildDatasetClip(clip_, path("mixed/a.safetensors"), p);
        p = DatasetParams::fromConfig(tinyConfig(32));
        p.max_frames = 5;
        buildDatasetClip(clip_, path("mixed/b.safetensors"), p);
        try {
            loadDataset({path("mixed")});
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("different model config") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
