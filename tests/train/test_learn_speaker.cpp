// "Learn this speaker" end to end on a short synthesized clip (a real photo, flite speech):
// the bundled model fine-tuned for a few steps, measured before and after on the held-out
// part, the report written; a cancel leaves the previous speaker model byte for byte; bad
// clips are refused before anything is trained.
#include "core/dub/dub.hpp"
#include "core/synth/synth.hpp"
#include "core/train/learn_speaker.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

using namespace redub;
using namespace redub::core;
namespace fs = std::filesystem;

namespace {
std::string bytes(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

class TestLearnSpeaker : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path clip_;

    fs::path path(const std::string& name) { return fs::path(dir_.path().toStdString()) / name; }
    LearnSpeakerParams quick(const fs::path& out) {
        auto p = LearnSpeakerParams::defaults();
        p.video = clip_;
        p.out = out;
        p.steps = 2;
        p.batch = 2;
        p.measure_seconds = 1.5;
        p.threads = 2;
        return p;
    }

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        auto p = synth::SynthParams::defaults();
        p.face = test::kHopperPhoto.path;
        p.text = "Bob ate a big apple. Then he walked to the market and bought some fresh bread.";
        p.max_side = 240;
        clip_ = path("talk.mp4");
        synth::synthesizeClip(p, clip_);
        QVERIFY(fs::exists(clip_));
    }

    void aLearnedModelThatFollowsTheSpeechLessWellIsNotRecommended() {
        core::LearnSpeakerReport r;
        r.steps = 500;
        r.before = {0.28, 0.58};
        r.after = {0.19, 0.56};  // measured: 8 min on a synthesized minute of one speaker
        QVERIFY(!core::learnedModelIsBetter(r));
        QVERIFY(QString::fromStdString(core::describe(r)).contains("keep using that one"));
        r.after.sync_r = 0.26;  // within the measure's noise of the start
        QVERIFY(core::learnedModelIsBetter(r));
        QVERIFY(!QString::fromStdString(core::describe(r)).contains("keep using"));
        r.steps = 0;  // nothing trained
        QVERIFY(!core::learnedModelIsBetter(r));
    }

    void learnsAndReportsBeforeAndAfterOnTheHeldOutPart() {
        const fs::path out = path("talk.speaker.safetensors");
        std::vector<std::string> stages;
        const auto r = learnSpeaker(quick(out), [&](const Progress& p) {
            if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
        });
        QVERIFY(fs::exists(out));
        QVERIFY(!fs::exists(fs::path(out).concat(".learning.safetensors")));  // renamed into place
        QVERIFY(!fs::exists(fs::path(out).concat(".measure")));              // scratch removed
        QCOMPARE(r.steps, int64_t(2));
        QVERIFY(r.holdout_from > 0 && r.train_frames == r.holdout_from);
        QVERIFY(r.holdout_from_s > 1.5);
        for (const SpeakerMeasure& m : {r.before, r.after}) {
            QVERIFY(std::isfinite(m.sync_r) && m.sync_r >= -1 && m.sync_r <= 1);
            QVERIFY(m.sharpness > 0.05 && m.sharpness < 5);
        }
        // The stages in order, the dataset and the training between the two measures.
        const std::vector<std::string> want = {"measure", "dataset: faces", "dataset", "train", "measure"};
        std::vector<std::string> seen;
        for (const auto& s : stages)
            if (std::find(want.begin(), want.end(), s) != want.end() && (seen.empty() || seen.back() != s)) seen.push_back(s);
        QCOMPARE(seen.front(), std::string("measure"));
        QVERIFY(std::find(seen.begin(), seen.end(), "train") != seen.end());
        QCOMPARE(seen.back(), std::string("measure"));
        // The report beside the model reads back.
        const auto back = readSpeakerReport(out);
        QCOMPARE(back.steps, r.steps);
        QCOMPARE(back.holdout_from, r.holdout_from);
        QVERIFY(std::abs(back.after.sync_r - r.after.sync_r) < 1e-9);
        QVERIFY(describe(back).find("lip sync r") != std::string::npos);
        // The fine-tuned weights differ from the bundled ones.
        QVERIFY(bytes(out) != bytes(defaultModelPath()));
    }

    void cancelLeavesThePreviousModelUntouched() {
        const fs::path out = path("kept.speaker.safetensors");
        fs::copy_file(defaultModelPath(), out);
        const std::string before = bytes(out);
        std::stop_source stop;
        try {
            auto p = quick(out);
            p.steps = 50;
            learnSpeaker(p, [&](const Progress& pr) {
                if (pr.stage == "train" && pr.done >= 1) stop.request_stop();
            }, stop.get_token());
            QFAIL("expected a cancel");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::Cancelled);
            QVERIFY(std::string(e.what()).find("unchanged") != std::string::npos);
        }
        QVERIFY(bytes(out) == before);
        QVERIFY(!fs::exists(fs::path(out).concat(".json")));
    }

    void refusesAShortClipAndAClipWithoutSpeech() {
        QVERIFY(test::ffmpeg({"-i", QString::fromStdString(clip_.string()), "-t", "2", "-c:v", "libx264", "-c:a", "aac",
                              QString::fromStdString(path("short.mp4").string())}));
        QVERIFY(test::ffmpeg({"-i", QString::fromStdString(clip_.string()), "-an", "-c:v", "copy",
                              QString::fromStdString(path("mute.mp4").string())}));
        for (const char* name : {"short.mp4", "mute.mp4"}) {
            auto p = quick(path(std::string(name) + ".speaker.safetensors"));
            p.video = path(name);
            try {
                learnSpeaker(p);
                QFAIL("expected an error");
            } catch (const Error& e) {
                QVERIFY(e.kind() == ErrorKind::BadInput);
                QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
            }
            QVERIFY(!fs::exists(p.out));
        }
    }
};

QTEST_GUILESS_MAIN(TestLearnSpeaker)
#include "test_learn_speaker.moc"
