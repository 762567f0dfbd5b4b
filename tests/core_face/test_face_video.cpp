// Tracking the real webcam clip bundled with Redub (resources/sample), decoded
// with the media layer: the face must be found in (nearly) every frame.
#include "core/face/face_track.hpp"
#include "core/face/face_tracker.hpp"
#include "media/video_reader.hpp"
#include "support/test_support.hpp"

#include <QtTest>

using namespace redub;
using namespace redub::core;

class TestFaceVideo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void talkingFaceClipIsTrackedInNearlyEveryFrame() {
        media::VideoReader reader(redub::test::resource("sample/talking-face.mp4"));
        FaceDetector det;
        FaceTracker tracker(det);
        std::vector<std::vector<TrackedFace>> all;
        media::VideoFrame frame;
        int max_faces = 0;
        while (reader.next(frame)) {
            all.push_back(tracker.push(frame.rgb));
            max_faces = std::max(max_faces, int(all.back().size()));
        }
        QVERIFY(all.size() >= 130);  // 5.5 s at 25 fps
        QCOMPARE(max_faces, 1);      // one person, no phantom faces
        FaceChoice choice;
        choice.frame_size = cv::Size(reader.info().width, reader.info().height);
        choice.policy = FaceChoice::Policy::Central;
        const FaceTrack raw = selectTrack(all, choice);
        qInfo("coverage %.1f%% of %d frames", 100 * raw.coverage(), int(all.size()));
        QVERIFY2(raw.coverage() >= 0.98, qPrintable(QString::number(raw.coverage())));
        const FaceTrack smooth = smoothTrack(raw, 5);
        const double before = landmarkJitter(raw), after = landmarkJitter(smooth);
        qInfo("landmark jitter %.2f px raw, %.2f px smoothed", before, after);
        QVERIFY(after < 0.6 * before);
        // Every tracked face lies inside the picture.
        const cv::Rect2f pic(0, 0, float(choice.frame_size.width), float(choice.frame_size.height));
        for (const auto& f : smooth.frames)
            if (f) QVERIFY(pic.contains(f->landmarks[30]));
    }
};

QTEST_GUILESS_MAIN(TestFaceVideo)
#include "test_face_video.moc"
