// The talking-face synthesizer on a real photo: the clip's audio is the speech,
// its JSON holds one ground-truth entry per frame, and the mouth opening that
// dlib measures on the encoded frames follows that ground truth.
#include "core/face/face_detector.hpp"
#include "core/synth/synth.hpp"
#include "core/train/train_eval.hpp"
#include "media/audio_reader.hpp"
#include "media/video_reader.hpp"
#include "redub/error.hpp"
#include "support/test_support.hpp"

#include <opencv2/imgcodecs.hpp>

#include <QTemporaryDir>
#include <QtTest>

using namespace redub;
using namespace redub::core;
namespace fs = std::filesystem;

namespace {
const char* const kHopper = test::kHopperPhoto.path;
}

class TestSynth : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    fs::path path(const char* name) { return fs::path(dir_.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase() { REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto); }

    void measuredMouthOpeningFollowsTheGroundTruth() {
        auto p = synth::SynthParams::defaults();
        p.face = kHopper;
        p.text = "Papa, pop the big bottle of apple juice, and wave bye bye.";
        p.voice = "awb";
        const auto r = synth::synthesizeClip(p, path("clip.mp4"));
        QVERIFY(fs::exists(r.video_path));
        QVERIFY(fs::exists(r.json_path));
        const auto truth = synth::readTruth(r.json_path);
        QCOMPARE(int64_t(truth.size()), r.frames);

        media::VideoReader reader(r.video_path);
        QCOMPARE(reader.frameCount(), r.frames);
        FaceDetector det;
        std::vector<double> measured, gt;
        media::VideoFrame f;
        while (reader.next(f)) {
            auto faces = det.detect(f.rgb);
            QVERIFY2(!faces.empty(), "the synthesized face must stay detectable");
            measured.push_back(synth::measuredOpening(faces.front().landmarks));
            gt.push_back(truth[size_t(f.index)].mouth.opening);
        }
        const double r_gt = pearson(measured, gt);
        qInfo("r(measured opening, ground truth) = %.3f over %zu frames", r_gt, gt.size());
        QVERIFY2(r_gt > 0.7, "the rendered mouth must open and close with the phones");
        // A shuffled ground truth does not correlate: the test can fail.
        std::vector<double> shifted(gt.begin() + long(gt.size() / 2), gt.end());
        shifted.insert(shifted.end(), gt.begin(), gt.begin() + long(gt.size() / 2));
        QVERIFY(pearson(measured, shifted) < r_gt - 0.3);

        const auto audio = media::readAudio(r.video_path, 16000, 1);
        QVERIFY(std::abs(audio.duration_s() - r.frames / p.fps) < 0.15);
        double energy = 0;
        for (float s : audio.samples) energy += double(s) * s;
        QVERIFY(energy / double(audio.samples.size()) > 1e-5);  // the speech is there
    }

    void rejectsMissingAndFacelessInputsWithoutLeavingFiles() {
        auto p = synth::SynthParams::defaults();
        p.text = "Hello.";
        p.face = path("missing.jpg");
        try {
            synth::synthesizeClip(p, path("a.mp4"));
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(std::string(e.what()).find("missing.jpg") != std::string::npos);
        }
        cv::imwrite(path("wall.png").string(), cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 120, 150)));
        p.face = path("wall.png");
        try {
            synth::synthesizeClip(p, path("b.mp4"));
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY(std::string(e.what()).find("no face") != std::string::npos);
        }
        QVERIFY(!fs::exists(path("b.mp4")));
        QVERIFY(!fs::exists(path("b.json")));
    }
};

QTEST_GUILESS_MAIN(TestSynth)
#include "test_synth.moc"
