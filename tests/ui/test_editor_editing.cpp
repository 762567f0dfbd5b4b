// The desktop editor driven like a user would, editing: loading and dropping media,
// the face scan and face choice, the timeline (offset, ranges, zoom), the lip-sync lane
// and playback (J/K/L). Real media, real decoding; runs on the offscreen platform.
#include "editor_fixture.hpp"
#include "ui/preview_view.hpp"
#include "ui/timeline.hpp"

#include "core/dub/dub.hpp"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>

using namespace redub;
using namespace redub::test;
using namespace redub::ui;
namespace fs = std::filesystem;

class TestEditorEditing : public QObject, EditorFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { prepare(); }

    void loadsTheSampleWithThumbnailsWaveformAndFaces() {
        auto w = loadedWindow();
        QVERIFY(w);
        Document* d = w->document();
        QVERIFY(d->hasVideo());
        QCOMPARE(d->frameCount(), int64_t(30));
        QVERIFY(d->frameRate() == Rational(25, 1));
        QCOMPARE(w->preview()->original().size(), QSize(400, 300));
        QVERIFY(!d->media().thumbnails().isEmpty());
        QVERIFY(!d->media().peaks(Lane::Speech).empty());
        QVERIFY(std::abs(d->media().peaks(Lane::Speech).durationSeconds() - 1.5) < 0.05);
        // The bundled sample shows one face in every frame.
        QCOMPARE(d->media().faceScan().frames_scanned, int64_t(30));
        QVERIFY(d->media().faceScan().noFaceFrames().isEmpty());
        QCOMPARE(d->media().facesNear(10).size(), 1);
        QVERIFY(w->lastError().isEmpty());
    }

    void framesWithoutAFaceAreMarked() {
        const QString faceless = greyThenFace("faceless.mp4");
        QVERIFY(!faceless.isEmpty());
        MainWindow w;
        w.show();
        QVERIFY(w.openPaths({faceless, speech_}));
        w.settle();
        const QList<qint64> none = w.document()->media().faceScan().noFaceFrames();
        // The 15 grey frames have no face; the 15 frames of the clip have one.
        QCOMPARE(none.size(), 15);
        QCOMPARE(none.front(), qint64(0));
        QCOMPARE(none.back(), qint64(14));
        QVERIFY(w.document()->media().facesNear(3).isEmpty());
        QCOMPARE(w.document()->media().facesNear(22).size(), 1);
        QVERIFY(w.statusBar()->currentMessage().contains("15 of 30 frames have no face"));
    }

    void theMaskOutlineShowsBeforeAnyPreviewWhereTheFaceIsTracked() {
        const QString faceless = greyThenFace("faceless-overlay.mp4");
        QVERIFY(!faceless.isEmpty());
        MainWindow w;
        w.show();
        QVERIFY(w.openPaths({faceless, speech_}));
        w.settle();
        PreviewView* pv = w.preview();
        // A grey frame: no face box, no mask outline.
        w.seek(3);
        w.settle();
        QVERIFY(pv->faces().isEmpty());
        QVERIFY(pv->maskOutline().isEmpty());
        // A frame with the face: its box is the chosen one and the mask outline (from the
        // tracked landmarks, the bundled model's crop and mask) lies on its lower half,
        // though nothing was generated.
        w.seek(22);
        w.settle();
        QVERIFY(pv->generated().isNull());
        QCOMPARE(pv->faces().size(), 1);
        QCOMPARE(pv->chosenFace(), 0);
        const QRectF box = pv->faces().at(0);
        const QRectF mask = pv->maskOutline().boundingRect();
        QVERIFY2(!mask.isEmpty(), "no mask outline over the face");
        QVERIFY2(box.adjusted(-0.3 * box.width(), 0, 0.3 * box.width(), 0.3 * box.height()).contains(mask),
                 qPrintable(QString("mask %1,%2 %3x%4 vs box %5,%6 %7x%8")
                                .arg(mask.x()).arg(mask.y()).arg(mask.width()).arg(mask.height())
                                .arg(box.x()).arg(box.y()).arg(box.width()).arg(box.height())));
        QVERIFY(mask.center().y() > box.center().y());  // the mouth region, not the eyes
        QVERIFY(mask.width() > 0.3 * box.width());
        // Back on a grey frame the outline goes away again.
        w.seek(5);
        w.settle();
        QVERIFY(pv->maskOutline().isEmpty());
    }

    void droppingAVideoAndAnAudioFileLoadsBoth() {
        MainWindow w;
        w.show();
        // Audio first, video second: the roles come from the streams, not the order.
        dropFiles(&w, {speech_, video_});
        QCOMPARE(QString::fromStdString(w.document()->project().video_path.string()), video_);
        QCOMPARE(QString::fromStdString(w.document()->project().speech_path.string()), speech_);
        w.settle();
        QVERIFY(w.lastError().isEmpty());
    }

    void droppingASecondVideoUsesItsAudioAsTheSpeech() {
        const QString talk = tmp("talk-with-audio.mp4");
        QVERIFY(test::ffmpeg({"-i", video_, "-i", speech_, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
                              "-shortest", talk}));
        MainWindow w;
        w.show();
        dropFiles(&w, {video_});
        dropFiles(&w, {talk});
        QCOMPARE(QString::fromStdString(w.document()->project().video_path.string()), video_);
        QCOMPARE(QString::fromStdString(w.document()->project().speech_path.string()), talk);
        w.settle();
    }

    void droppingABrokenFileShowsAnErrorAndKeepsTheProject() {
        auto w = loadedWindow();
        QVERIFY(w);
        const auto before = w->document()->project();
        dropFiles(w.get(), {garbage_});
        QVERIFY2(w->lastError().contains("broken.mp4"), qPrintable(w->lastError()));
        QVERIFY(w->document()->project() == before);
        auto* box = w->findChild<QMessageBox*>("errorDialog");
        QVERIFY(box);
        QVERIFY(box->isVisible());
        QVERIFY(box->text().contains("broken.mp4"));
    }

    void draggingTheSpeechClipSetsTheOffsetAndUndoRestoresIt() {
        auto w = loadedWindow();
        QVERIFY(w);
        TimelineView* tl = w->timeline()->view();
        const QRect lane = tl->rowRect(TimelineView::SpeechRow);
        const QPointF from(tl->xForSeconds(0.5), lane.center().y());
        const double dx = 50;
        drag(tl, from, from + QPointF(dx, 0));
        const int64_t expected = int64_t(std::llround(dx / tl->pixelsPerSecond() * core::kOffsetSampleRate));
        const int64_t got = w->document()->project().offset_samples;
        QVERIFY2(std::abs(got - expected) <= 2, qPrintable(QString("%1 vs %2").arg(got).arg(expected)));
        // The numeric box follows.
        QCOMPARE(w->timeline()->offsetBox()->value(), int(std::llround(got * 1000.0 / core::kOffsetSampleRate)));
        w->document()->undoStack()->undo();
        QCOMPARE(w->document()->project().offset_samples, int64_t(0));
        w->document()->undoStack()->redo();
        QCOMPARE(w->document()->project().offset_samples, got);
    }

    void typingAnOffsetAndNudgingAreUndoable() {
        auto w = loadedWindow();
        QVERIFY(w);
        w->timeline()->offsetBox()->setValue(-120);
        QCOMPARE(w->document()->project().offset_samples, int64_t(-120 * 16));
        QVERIFY(w->document()->isModified());
        w->document()->undoStack()->undo();
        QCOMPARE(w->document()->project().offset_samples, int64_t(0));
    }

    void theOwnLipsSwitchIsUndoableAndReachesTheDub() {
        auto w = loadedWindow();
        QVERIFY(w);
        auto* box = w->findChild<QCheckBox*>("ownLipsBox");
        QVERIFY(box);
        QVERIFY(box->isChecked());
        QVERIFY(core::dubParamsFor(w->document()->project()).source_lips);
        box->click();
        QVERIFY(!w->document()->project().own_lips);
        QVERIFY(!core::dubParamsFor(w->document()->project()).source_lips);
        QVERIFY(w->document()->isModified());
        w->document()->undoStack()->undo();
        QVERIFY(w->document()->project().own_lips);
        QVERIFY(box->isChecked());  // the panel shows the undone value
    }

    void articulationIsUndoableClampedAndReachesTheDub() {
        auto w = loadedWindow();
        QVERIFY(w);
        auto* box = w->findChild<QDoubleSpinBox*>("articulationBox");
        QVERIFY(box);
        QCOMPARE(box->value(), 1.0);
        QVERIFY(box->isEnabled());
        box->setValue(1.4);
        QVERIFY(QMetaObject::invokeMethod(box, "editingFinished"));
        QCOMPARE(w->document()->project().articulation, 1.4f);
        QCOMPARE(core::dubParamsFor(w->document()->project()).articulation, 1.4f);
        QVERIFY(w->document()->isModified());
        QVERIFY(w->document()->requestArticulation(9.f));  // clamped to the range
        QCOMPARE(w->document()->project().articulation, core::kMaxArticulation);
        w->document()->undoStack()->undo();
        w->document()->undoStack()->undo();
        QCOMPARE(w->document()->project().articulation, 1.0f);
        QCOMPARE(box->value(), 1.0);  // the panel shows the undone value
        // Without the speaker's own lips there is nothing to articulate.
        w->findChild<QCheckBox*>("ownLipsBox")->click();
        QVERIFY(!box->isEnabled());
    }

    void theLipSyncLaneScoresTheSpeechAndAlignMovesItUndoably() {
        // The clip with its own soundtrack: the new speech played 200 ms later.
        const QString talking = tmp("talking.mp4");
        QVERIFY(test::ffmpeg({"-i", video_, "-i", speech_, "-filter_complex", "[1:a]adelay=200[a]", "-map", "0:v", "-map",
                              "[a]", "-c:v", "copy", "-c:a", "aac", talking}));
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy changed(w.document(), &Document::syncMeterChanged);
        QVERIFY(w.openPaths({talking, speech_}));
        w.settle();
        Document* d = w.document();
        const auto& m = d->syncMeter();
        QCOMPARE(m.overall.frames, 30);  // the face on every frame
        QCOMPARE(m.per_second.size(), size_t(2));
        QVERIFY(std::isfinite(m.overall.r) && std::abs(m.overall.r) <= 1);
        QVERIFY(!changed.isEmpty());
        // The lane sits under the speech lane, inside the view.
        const auto* view = w.timeline()->view();
        QVERIFY(view->rect().contains(view->rowRect(TimelineView::SyncRow)));
        QVERIFY(view->rowRect(TimelineView::SyncRow).top() >= view->rowRect(TimelineView::SpeechRow).bottom());
        // Align: the speech belongs 200 ms later (within a frame); one undo step puts it back.
        changed.clear();
        const auto applied = w.timeline()->alignSpeech(false);
        QVERIFY(applied);
        QVERIFY2(std::abs(*applied - 200 * 16) <= 40 * 16, qPrintable(QString::number(*applied)));
        QCOMPARE(d->project().offset_samples, *applied);
        QVERIFY(!changed.isEmpty());  // the meter is measured again at the new offset
        d->undoStack()->undo();
        QCOMPARE(d->project().offset_samples, int64_t(0));
    }

    void draggingOverTheVideoSelectsARangeAndAltDragRemovesPart() {
        auto w = loadedWindow();
        QVERIFY(w);
        TimelineView* tl = w->timeline()->view();
        const int y = tl->rowRect(TimelineView::VideoRow).center().y();
        drag(tl, QPointF(tl->xForFrame(5) + 1, y), QPointF(tl->xForFrame(20) + 1, y));
        auto ranges = w->document()->project().ranges;
        QCOMPARE(ranges.size(), size_t(1));
        QCOMPARE(ranges[0], (core::FrameRange{5, 21}));
        drag(tl, QPointF(tl->xForFrame(10) + 1, y), QPointF(tl->xForFrame(12) + 1, y), Qt::AltModifier);
        ranges = w->document()->project().ranges;
        QCOMPARE(ranges.size(), size_t(2));
        QCOMPARE(ranges[0], (core::FrameRange{5, 10}));
        QCOMPARE(ranges[1], (core::FrameRange{13, 21}));
        w->document()->undoStack()->undo();
        QCOMPARE(w->document()->project().ranges, (std::vector<core::FrameRange>{{5, 21}}));
        w->document()->undoStack()->undo();
        QVERIFY(w->document()->project().ranges.empty());
    }

    void draggingARangeEdgeResizesItSnappedAndMergesInOneUndoStep() {
        auto w = loadedWindow();
        QVERIFY(w);
        Document* d = w->document();
        TimelineView* tl = w->timeline()->view();
        d->requestAddRange({5, 15});
        d->requestAddRange({22, 26});
        const int y = tl->rowRect(TimelineView::VideoRow).center().y();
        const int steps = d->undoStack()->count();
        // Hovering the end edge offers a horizontal resize; the middle of the range does not.
        sendMouse(tl, QEvent::MouseMove, QPointF(tl->xForFrame(15) + 2, y), Qt::NoButton);
        QCOMPARE(tl->cursor().shape(), Qt::SizeHorCursor);
        sendMouse(tl, QEvent::MouseMove, QPointF(tl->xForFrame(10), y), Qt::NoButton);
        QCOMPARE(tl->cursor().shape(), Qt::ArrowCursor);
        // Dragging the end edge a little past frame 18's boundary snaps to it.
        const double frame_px = tl->xForFrame(1) - tl->xForFrame(0);
        drag(tl, QPointF(tl->xForFrame(15), y), QPointF(tl->xForFrame(18) + 0.3 * frame_px, y));
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{5, 18}, {22, 26}}));
        QCOMPARE(d->undoStack()->count(), steps + 1);
        // Dragging it into the next range merges the two.
        drag(tl, QPointF(tl->xForFrame(18), y), QPointF(tl->xForFrame(24), y));
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{5, 26}}));
        // The start edge, dragged past the clip's start, stops at frame 0.
        drag(tl, QPointF(tl->xForFrame(5), y), QPointF(tl->xForFrame(0) - 40, y));
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{0, 26}}));
        // A start edge dragged past the range's end keeps one frame.
        drag(tl, QPointF(tl->xForFrame(0), y), QPointF(tl->xForFrame(29), y));
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{25, 26}}));
        QCOMPARE(d->undoStack()->count(), steps + 4);
        // Each drag is one undo step.
        d->undoStack()->undo();
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{0, 26}}));
        d->undoStack()->undo();
        d->undoStack()->undo();
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{5, 18}, {22, 26}}));
        d->undoStack()->undo();
        QCOMPARE(d->project().ranges, (std::vector<core::FrameRange>{{5, 15}, {22, 26}}));
    }

    void markInAndOutKeysSelectARange() {
        auto w = loadedWindow();
        QVERIFY(w);
        w->seek(3);
        QTest::keyClick(w.get(), Qt::Key_I);
        w->seek(8);
        QTest::keyClick(w.get(), Qt::Key_O);
        QCOMPARE(w->document()->project().ranges, (std::vector<core::FrameRange>{{3, 9}}));
    }

    void clickingTheRulerSeeksAndArrowsStep() {
        auto w = loadedWindow();
        QVERIFY(w);
        TimelineView* tl = w->timeline()->view();
        const QPointF at(tl->xForFrame(17) + 2, TimelineView::kRulerHeight / 2);
        sendMouse(tl, QEvent::MouseButtonPress, at, Qt::LeftButton);
        sendMouse(tl, QEvent::MouseButtonRelease, at, Qt::NoButton);
        QCOMPARE(w->currentFrame(), int64_t(17));
        QCOMPARE(tl->playhead(), int64_t(17));
        QTest::keyClick(w.get(), Qt::Key_Right);
        QCOMPARE(w->currentFrame(), int64_t(18));
        QTest::keyClick(w.get(), Qt::Key_Left);
        QTest::keyClick(w.get(), Qt::Key_Left);
        QCOMPARE(w->currentFrame(), int64_t(16));
        QTest::keyClick(w.get(), Qt::Key_Home);
        QCOMPARE(w->currentFrame(), int64_t(0));
    }

    void lPlaysAndKStops() {
        auto w = loadedWindow();
        QVERIFY(w);
        QTest::keyClick(w.get(), Qt::Key_L);
        QVERIFY(w->isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(w->currentFrame() >= 3, 5000);
        QTest::keyClick(w.get(), Qt::Key_K);
        QVERIFY(!w->isPlaying());
        const int64_t at = w->currentFrame();
        QTest::keyClick(w.get(), Qt::Key_J);
        QVERIFY(w->isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(w->currentFrame() < at, 5000);
        w->pause();
    }

    void jklRampTheSpeedLikeAnNle() {
        auto w = loadedWindow();
        QVERIFY(w);
        auto* speed = w->findChild<QLabel*>("speedLabel");
        QVERIFY(speed);
        const QList<int> forward = {1, 2, 4, 8, 8};  // L again doubles, up to 8x
        for (int expected : forward) {
            QTest::keyClick(w.get(), Qt::Key_L);
            QCOMPARE(w->playSpeed(), expected);
        }
        QCOMPARE(speed->text(), QString::fromUtf8("8\u00d7"));
        QTest::keyClick(w.get(), Qt::Key_K);
        QCOMPARE(w->playSpeed(), 0);
        QVERIFY(speed->text().isEmpty());
        QTest::keyRelease(w.get(), Qt::Key_K);
        QTest::keyClick(w.get(), Qt::Key_J);
        QCOMPARE(w->playSpeed(), -1);
        QTest::keyClick(w.get(), Qt::Key_J);
        QTest::keyClick(w.get(), Qt::Key_J);
        QCOMPARE(w->playSpeed(), -4);
        QCOMPARE(speed->text(), QString::fromUtf8("\u22124\u00d7"));
        // The opposite key turns round at 1x.
        QTest::keyClick(w.get(), Qt::Key_L);
        QCOMPARE(w->playSpeed(), 1);
        // Space pauses and plays at 1x.
        QTest::keyClick(w.get(), Qt::Key_Space);
        QCOMPARE(w->playSpeed(), 0);
    }

    void holdingKAndTappingJOrLStepsOneFrame() {
        auto w = loadedWindow();
        QVERIFY(w);
        w->seek(10);
        QTest::keyPress(w.get(), Qt::Key_K);
        QTest::keyClick(w.get(), Qt::Key_L);
        QCOMPARE(w->currentFrame(), int64_t(11));
        QTest::keyClick(w.get(), Qt::Key_L);
        QCOMPARE(w->currentFrame(), int64_t(12));
        QTest::keyClick(w.get(), Qt::Key_J);
        QCOMPARE(w->currentFrame(), int64_t(11));
        QVERIFY(!w->isPlaying());
        QTest::keyRelease(w.get(), Qt::Key_K);
        // K released: L plays again.
        QTest::keyClick(w.get(), Qt::Key_L);
        QCOMPARE(w->playSpeed(), 1);
        w->pause();
    }

    void jPlaysBackwardsFasterWhenPressedAgain() {
        auto w = loadedWindow();
        QVERIFY(w);
        w->seek(29);
        QTest::keyClick(w.get(), Qt::Key_J);
        QTRY_VERIFY_WITH_TIMEOUT(w->currentFrame() <= 27, 5000);
        QVERIFY(w->isPlaying());
        QTest::keyClick(w.get(), Qt::Key_J);  // -2x: the rest of the clip in well under a second
        QCOMPARE(w->playSpeed(), -2);
        QElapsedTimer t;
        t.start();
        int64_t last = w->currentFrame();
        bool monotonic = true;
        while (w->isPlaying() && t.elapsed() < 5000) {
            QTest::qWait(5);
            monotonic = monotonic && w->currentFrame() <= last;
            last = w->currentFrame();
        }
        QVERIFY(monotonic);
        // It stops at the first frame.
        QCOMPARE(w->currentFrame(), int64_t(0));
        QVERIFY(!w->isPlaying());
    }

    void clickingAFaceChoosesItAndUndoForgetsIt() {
        auto w = loadedWindow();
        QVERIFY(w);
        w->seek(6);
        w->settle();
        const QList<QRectF> faces = w->document()->media().facesNear(6);
        QCOMPARE(faces.size(), 1);
        PreviewView* pv = w->preview();
        const QRectF target = pv->originalRect();
        const QPointF c = faces[0].center();
        const QPointF click(target.left() + c.x() * target.width() / 400, target.top() + c.y() * target.height() / 300);
        sendMouse(pv, QEvent::MouseButtonPress, click, Qt::LeftButton);
        sendMouse(pv, QEvent::MouseButtonRelease, click, Qt::NoButton);
        const auto face = w->document()->project().face;
        QVERIFY(face.has_value());
        QCOMPARE(face->frame, int64_t(6));
        QVERIFY(std::abs(face->x - c.x()) < 2 && std::abs(face->y - c.y()) < 2);
        // A click on the background (top-left corner) chooses nothing.
        sendMouse(pv, QEvent::MouseButtonPress, target.topLeft() + QPointF(3, 3), Qt::LeftButton);
        QCOMPARE(w->document()->project().face, face);
        w->document()->undoStack()->undo();
        QVERIFY(!w->document()->project().face.has_value());
        w->document()->undoStack()->redo();
        QCOMPARE(w->document()->project().face, face);
    }

    void ctrlWheelZoomsAroundTheMouseAndWheelScrolls() {
        auto w = loadedWindow();
        QVERIFY(w);
        TimelineView* tl = w->timeline()->view();
        const QPointF at(tl->xForSeconds(0.6), tl->rowRect(TimelineView::SourceRow).center().y());
        const double t_before = tl->secondsAtX(at.x());
        const double pps = tl->pixelsPerSecond();
        QWheelEvent zoom(at, tl->mapToGlobal(at), {}, QPoint(0, 240), Qt::NoButton, Qt::ControlModifier,
                         Qt::NoScrollPhase, false);
        QApplication::sendEvent(tl, &zoom);
        QVERIFY(tl->pixelsPerSecond() > pps * 1.5);
        QVERIFY(std::abs(tl->secondsAtX(at.x()) - t_before) < 1.0 / tl->pixelsPerSecond() + 1e-9);
        // Zoomed in, the content is wider than the view: the wheel scrolls it.
        const double scroll = tl->scrollPx();
        QWheelEvent roll(at, tl->mapToGlobal(at), {}, QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                         false);
        QApplication::sendEvent(tl, &roll);
        QVERIFY(tl->scrollPx() > scroll);
    }
};

QTEST_MAIN(TestEditorEditing)
#include "test_editor_editing.moc"
