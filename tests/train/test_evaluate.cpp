// The lip-sync evaluation on two short synthesized clips and an untrained model:
// every column is a correlation in [-1, 1], the chance column is exactly the
// correlation of the two ground truths, the measurement ceiling is high on true
// frames, and bad clip lists are refused with the file named.
#include "core/synth/synth.hpp"
#include "core/train/train_eval.hpp"
#include "models/config.hpp"
#include "models/generator.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include <unistd.h>

using namespace redub;
using namespace redub::core;
namespace fs = std::filesystem;

namespace {
const char* const kHopper = test::kHopperPhoto.path;
}

class TestEvaluate : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path a_, b_, model_;

    fs::path path(const char* name) { return fs::path(dir_.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        auto p = synth::SynthParams::defaults();
        p.face = kHopper;
        p.voice = "kal16";
        p.text = "Open the window wide, mama.";
        a_ = synth::synthesizeClip(p, path("a.mp4")).video_path;
        p.text = "She sells sea shells.";
        p.seed = 3;
        b_ = synth::synthesizeClip(p, path("b.mp4")).video_path;
        models::ModelConfig c = models::ModelConfig::redubSmall();
        c.image_size = 32;
        c.channel_mult = {1, 2};
        model_ = path("tiny.safetensors");
        models::writeRandomModel(c, model_, 5);
    }

    void reportsCorrelationsAndTheChanceLevel() {
        auto ep = EvalParams::defaults();
        ep.model = model_;
        ep.clips = {a_, b_};
        ep.steps = 2;
        ep.device = "cpu";
        const EvalReport rep = evaluateLipSync(ep);
        QCOMPARE(int(rep.clips.size()), 2);
        const auto ta = synth::readTruth(fs::path(a_).replace_extension(".json"));
        const auto tb = synth::readTruth(fs::path(b_).replace_extension(".json"));
        std::vector<double> x, y;
        for (size_t i = 0; i < std::min(ta.size(), tb.size()); ++i)
            x.push_back(ta[i].mouth.opening), y.push_back(tb[i].mouth.opening);
        const double chance = pearson(x, y);
        for (const ClipEval& c : rep.clips) {
            QVERIFY(c.frames > 20);
            QVERIFY2(c.r_truth > 0.7, qPrintable(QString::number(c.r_truth)));  // dlib measures true frames well
            for (double r : {c.r_own, c.r_still, c.r_still_unrelated, c.r_still_follow, c.r_unrelated, c.r_chance, c.r_follow,
                             c.fast_truth, c.fast_still, c.fast_still_unrelated, c.fast_chance}) QVERIFY(r >= -1.0 && r <= 1.0);
            QVERIFY(std::abs(c.r_chance - chance) < 1e-9);  // symmetric: a vs b = b vs a
            QVERIFY(c.ssim_mouth > 0.0 && c.ssim_mouth <= 1.0);
        }
        QCOMPARE(rep.mean.frames, rep.clips[0].frames + rep.clips[1].frames);
        // The held-still videos and the dubs are temporary: none is left behind.
        for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
            QVERIFY2(e.path().filename().string().rfind("redub-eval-" + std::to_string(::getpid()), 0) != 0,
                     qPrintable(QString::fromStdString(e.path().string())));
        QVERIFY(std::abs(rep.mean.r_own - 0.5 * (rep.clips[0].r_own + rep.clips[1].r_own)) < 1e-12);
        QVERIFY(std::abs(rep.mean.r_still_unrelated - 0.5 * (rep.clips[0].r_still_unrelated + rep.clips[1].r_still_unrelated)) < 1e-12);
        // Each clip's unrelated speech is the other clip's: the still face dubbed with b's
        // speech and measured against b's truth is a real measurement, not a default 0.
        QVERIFY(rep.clips[0].r_still_follow != 0.0 && rep.clips[1].r_still_follow != 0.0);
    }

    void fastCorrelationIgnoresTheEnvelopeTwoSentencesShare() {
        // a and b: one slow hump (speech between two silences) with different syllable
        // rhythms on top; c: a's syllables on another envelope (a ramp).
        const double pi = std::acos(-1.0);
        std::vector<double> a, b, c;
        for (int i = 0; i < 100; ++i) {
            const double env = std::sin(pi * i / 99.0);
            a.push_back(0.5 * env + 0.1 * (1 + std::sin(2 * pi * i / 6.0)));
            b.push_back(0.5 * env + 0.1 * (1 + std::sin(2 * pi * i / 8.5 + 1.0)));
            c.push_back(0.2 * i / 99.0 + 0.1 * (1 + std::sin(2 * pi * i / 6.0)));
        }
        QVERIFY2(pearson(a, b) > 0.8, qPrintable(QString::number(pearson(a, b))));  // the envelope alone
        QVERIFY2(std::abs(pearsonHighPass(a, b, kFastWindow)) < 0.2, qPrintable(QString::number(pearsonHighPass(a, b, kFastWindow))));
        QVERIFY2(pearsonHighPass(a, c, kFastWindow) > 0.9, qPrintable(QString::number(pearsonHighPass(a, c, kFastWindow))));
        // Frames without a face (< 0) are left out, not read as a closed mouth.
        std::vector<double> gaps = a;
        for (int i = 40; i < 44; ++i) gaps[size_t(i)] = -1;
        QVERIFY2(pearsonHighPass(gaps, c, kFastWindow) > 0.9, qPrintable(QString::number(pearsonHighPass(gaps, c, kFastWindow))));
        QCOMPARE(pearsonHighPass(std::vector<double>(20, 0.3), c, kFastWindow), 0.0);  // constant: no fast part
    }

    void meansPerIdentityGroupClipsByTheirNameBeforeTheLastDash() {
        auto clip = [](const char* name, int64_t frames, double r_own) {
            ClipEval c;
            c.clip = name, c.frames = frames, c.r_own = r_own;
            return c;
        };
        const std::vector<ClipEval> clips{clip("astronaut-0.mp4", 70, 0.2), clip("cap13-0.mp4", 60, 0.9),
                                          clip("astronaut-1.mp4", 80, 0.4), clip("ocv_helen_b-2.mp4", 50, 0.6)};
        const auto g = groupMeans(clips);
        QCOMPARE(int(g.size()), 3);
        QCOMPARE(QString::fromStdString(g[0].clip), QString("mean astronaut"));
        QCOMPARE(g[0].frames, int64_t(150));
        QVERIFY(std::abs(g[0].r_own - 0.3) < 1e-12);
        QCOMPARE(QString::fromStdString(g[1].clip), QString("mean cap13"));
        QCOMPARE(QString::fromStdString(g[2].clip), QString("mean ocv_helen_b"));
        QVERIFY(groupMeans({clip("a-0.mp4", 1, 0), clip("a-1.mp4", 1, 1)}).empty());  // one group: no rows
        const auto solo = groupMeans({clip("grace.mp4", 5, 0.5), clip("-1.mp4", 4, 0.1), clip("grace-0.mp4", 3, 0.9)});
        QCOMPARE(int(solo.size()), 2);  // no dash, or only a leading one: the name is its own group
        QCOMPARE(QString::fromStdString(solo[0].clip), QString("mean grace"));
        QCOMPARE(QString::fromStdString(solo[1].clip), QString("mean -1"));
        QCOMPARE(solo[0].frames, int64_t(8));
    }

    void theMeasuredFaceFollowsTheClipsFaceNotTheLargestDetection() {
        auto det = [](float x, float y, float w, float conf) {
            FaceDetection f;
            f.box = cv::Rect2f(x, y, w, w), f.confidence = conf;
            return f;
        };
        std::optional<cv::Rect2f> prev;
        // First frame: the confident face, though a false one (a badge) is larger.
        std::vector<FaceDetection> faces{det(120, 340, 106, -0.05f), det(176, 72, 98, 1.5f)};
        QCOMPARE(followFace(faces, prev), &faces[1]);
        // Next frames: the detection overlapping the face, whatever its score or size.
        faces = {det(122, 336, 110, 0.9f), det(178, 73, 97, 0.2f)};
        QCOMPARE(followFace(faces, prev), &faces[1]);
        // Face missed, only the badge: nothing is measured, and the face is found again later.
        faces = {det(122, 336, 110, 0.9f)};
        QVERIFY(followFace(faces, prev) == nullptr);
        faces = {det(122, 336, 110, 0.9f), det(177, 72, 98, 1.1f)};
        QCOMPARE(followFace(faces, prev), &faces[1]);
    }

    void refusesOneClipOrClipsThatSayTheSame() {
        auto ep = EvalParams::defaults();
        ep.model = model_;
        ep.clips = {a_};
        QVERIFY_THROWS_EXCEPTION(Error, evaluateLipSync(ep));
        ep.clips = {a_, a_};
        try {
            evaluateLipSync(ep);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("a.mp4") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestEvaluate)
#include "test_evaluate.moc"
