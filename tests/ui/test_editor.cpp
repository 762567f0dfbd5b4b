// The desktop editor driven like a user would: real media (a 1.2 s cut of the
// bundled sample), real decoding, face scan and a tiny random model for the
// generation tests. Runs on the offscreen platform.
#include "core/dub/dub.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "models/config.hpp"
#include "models/generator.hpp"
#include "redub/log.hpp"
#include "support/test_support.hpp"
#include "ui/document.hpp"
#include "ui/dub_controller.hpp"
#include "ui/export_dialog.hpp"
#include "ui/learn_speaker_dialog.hpp"
#include "ui/log_panel.hpp"
#include "ui/main_window.hpp"
#include "ui/preview_view.hpp"
#include "ui/speech_dialog.hpp"
#include "ui/timeline.hpp"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <fstream>

using namespace redub;
using namespace redub::ui;
namespace fs = std::filesystem;

namespace {

void sendMouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButtons buttons,
               Qt::KeyboardModifiers mods = Qt::NoModifier) {
    const Qt::MouseButton button = type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, mods);
    QApplication::sendEvent(w, &e);
}

// Press at `from`, move in steps to `to`, release there.
void drag(QWidget* w, QPointF from, QPointF to, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    sendMouse(w, QEvent::MouseButtonPress, from, Qt::LeftButton, mods);
    for (int i = 1; i <= 5; ++i) sendMouse(w, QEvent::MouseMove, from + (to - from) * (i / 5.0), Qt::LeftButton, mods);
    sendMouse(w, QEvent::MouseButtonRelease, to, Qt::NoButton, mods);
}

// The project's model, sampler steps and seed, on the CPU (one undo step each).
void useModel(Document* d, const std::string& model, int steps, uint64_t seed) {
    d->requestModel(model);
    d->requestSteps(steps);
    d->requestSeed(seed);
    d->requestDevice("cpu");
}

void dropFiles(QWidget* target, const QStringList& files) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& f : files) urls << QUrl::fromLocalFile(f);
    mime.setUrls(urls);
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    QVERIFY(drop.isAccepted());
    QCoreApplication::processEvents();  // the drop opens the files on the next turn of the loop
}

}  // namespace

class TestEditor : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString video_, speech_, long_video_, model_, garbage_;

    QString tmp(const QString& name) const { return dir_.filePath(name); }

    // A window with the short clip and the speech loaded and analysed.
    std::unique_ptr<MainWindow> loadedWindow() {
        auto w = std::make_unique<MainWindow>();
        w->resize(1280, 800);
        w->show();
        if (!w->openPaths({video_, speech_})) return nullptr;
        w->settle();
        return w;
    }

    // 15 grey frames (no face) followed by the first 15 frames of the sample (a face).
    QString greyThenFace(const char* name) {
        const QString out = tmp(name);
        const bool ok = test::ffmpeg({"-f", "lavfi", "-i", "color=c=gray:s=400x300:r=25:d=0.6", "-i", video_, "-filter_complex",
                                      "[1:v]trim=duration=0.6,setpts=PTS-STARTPTS[f];[0:v][f]concat=n=2:v=1[v]", "-map",
                                      "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out});
        return ok ? out : QString();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings go to a throw-away place
        QVERIFY(dir_.isValid());
        const QString sample = QString::fromStdString(test::resource("sample/talking-face.mp4").string());
        const QString wav = QString::fromStdString(test::resource("sample/new-speech.wav").string());
        video_ = tmp("clip.mp4");
        speech_ = tmp("speech.wav");
        long_video_ = tmp("long.mp4");
        QVERIFY(test::ffmpeg({"-i", sample, "-t", "1.2", "-c:v", "libx264", "-preset", "ultrafast", video_}));
        QVERIFY(test::ffmpeg({"-i", wav, "-t", "1.5", speech_}));
        QVERIFY(test::ffmpeg({"-i", sample, "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", long_video_}));
        garbage_ = tmp("broken.mp4");
        std::ofstream(garbage_.toStdString()) << std::string(4096, 'x');

        models::ModelConfig c = models::ModelConfig::redubSmall();
        c.image_size = 32;
        c.channel_mult = {1, 2};
        c.attention_resolutions = {};
        c.audio_neighbours = 1;
        c.audio_channel_mult = {1, 2};
        c.default_sampling_steps = 2;
        model_ = tmp("tiny.safetensors");
        models::writeRandomModel(c, model_.toStdString(), 1);
    }

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

    void speechFromTextLandsInTheSpeechLaneAndIsSavedWithTheProject() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(w.openPaths({video_}));
        w.settle();
        QSignalSpy done(w.dub(), &DubController::finished);
        w.newSpeechFromText("Hello world, this is the new take.", "rms", 1.2);
        QVERIFY(done.wait(60000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        w.settle();
        Document* d = w.document();
        const QString wav = QString::fromStdString(d->project().speech_path.string());
        QVERIFY2(wav.startsWith(QFileInfo(video_).absolutePath()) && wav.endsWith(".wav"), qPrintable(wav));
        QVERIFY(!d->media().peaks(Lane::Speech).empty());
        QVERIFY(d->media().peaks(Lane::Speech).durationSeconds() > 1.0);
        QVERIFY(!w.findChild<QMessageBox*>("exportDoneDialog"));  // no export dialog for this job
        QVERIFY(w.saveProjectAs(tmp("spoken.redub")));
        QFile f(tmp("spoken.redub"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(f.readAll()).contains(QFileInfo(wav).fileName()));
    }

    void theSpeechDialogRefusesTextTheVoicesCannotSpeak() {
        SpeechFromTextDialog dlg;
        dlg.setText(QString::fromUtf8("Caf\xC3\xA9 au lait"));
        dlg.accept();
        QVERIFY(dlg.result() != QDialog::Accepted);
        QVERIFY2(dlg.error().contains(QString::fromUtf8("\xC3\xA9")), qPrintable(dlg.error()));
        dlg.setText("   ");
        dlg.accept();
        QVERIFY(dlg.error().contains("empty"));
        dlg.setText("Coffee with milk, please.");
        dlg.accept();
        QCOMPARE(dlg.result(), int(QDialog::Accepted));
        QVERIFY(dlg.error().isEmpty());
        QCOMPARE(dlg.voice(), QString("slt"));
    }

    void newFromPhotoLoadsAMovingStillAsLongAsTheSpeech() {
        REDUB_REQUIRE_SYSTEM_FILE(test::kHopperPhoto);
        const QString photo = tmp("hopper.jpg");
        QVERIFY(QFile::copy(test::kHopperPhoto.path, photo));
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(w.openPaths({speech_}));
        w.settle();
        QSignalSpy done(w.dub(), &DubController::finished);
        w.newFromPhoto(photo);
        QVERIFY(done.wait(120000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        w.settle();
        Document* d = w.document();
        QVERIFY(d->hasVideo());
        QCOMPARE(QFileInfo(QString::fromStdString(d->project().video_path.string())).fileName(), QString("hopper-moving.mp4"));
        QVERIFY2(std::abs(d->frameCount() - 37) <= 1, qPrintable(QString::number(d->frameCount())));  // 1.5 s at 25 fps
        QVERIFY(d->media().faceScan().noFaceFrames().isEmpty());
        // Again from the same photo: a new file beside the first, never over it.
        done.clear();
        w.newFromPhoto(photo);
        QVERIFY(done.wait(120000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        w.settle();
        QCOMPARE(QFileInfo(QString::fromStdString(d->project().video_path.string())).fileName(), QString("hopper-moving-2.mp4"));
        QVERIFY(QFileInfo::exists(tmp("hopper-moving.mp4")));
        // A photo without a face: an error dialog, the document keeps its video.
        QVERIFY(test::ffmpeg({"-f", "lavfi", "-i", "color=c=gray:s=320x240", "-frames:v", "1", tmp("blank.png")}));
        done.clear();
        w.newFromPhoto(tmp("blank.png"));
        QVERIFY(done.wait(60000));
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY2(w.lastError().contains("no face"), qPrintable(w.lastError()));
        QVERIFY(!QFileInfo::exists(tmp("blank-moving.mp4")));
        QCOMPARE(QFileInfo(QString::fromStdString(d->project().video_path.string())).fileName(), QString("hopper-moving-2.mp4"));
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

    void undoRestoresAGenerationSetting() {
        MainWindow w;
        Document* d = w.document();
        const core::Project before = d->project();
        QSignalSpy changed(d, &Document::settingsChanged);
        QVERIFY(d->requestModel(model_.toStdString()));
        QVERIFY(d->requestSteps(12));
        QVERIFY(!d->requestSteps(12));  // unchanged: no undo step
        QCOMPARE(d->undoStack()->count(), 2);
        QCOMPARE(changed.size(), 2);
        QVERIFY(d->isModified());
        auto* box = w.findChild<QComboBox*>("modelBox");
        QVERIFY(box);
        QCOMPARE(box->currentData().toString(), model_);
        d->undoStack()->undo();
        QCOMPARE(d->project().steps, before.steps);
        QCOMPARE(d->project().model_path, fs::path(model_.toStdString()));
        d->undoStack()->undo();
        QVERIFY(d->project() == before);
        QCOMPARE(box->currentData().toString(), QString());
        QVERIFY(!d->isModified());
    }

    void savesAndReopensAProject() {
        const QString file = tmp("edit.redub");
        core::Project saved;
        {
            auto w = loadedWindow();
            QVERIFY(w);
            Document* d = w->document();
            d->requestOffset(-800);
            d->requestAddRange({4, 12});
            d->requestFace(core::FacePoint{200, 150, 4});
            useModel(d, model_.toStdString(), 3, 11);
            QVERIFY(d->isModified());
            QVERIFY(w->saveProjectAs(file));
            QVERIFY(!d->isModified());
            QVERIFY(w->windowTitle().startsWith("edit.redub"));
            saved = d->project();
        }
        MainWindow w;
        w.show();
        QVERIFY(w.openProject(file));
        w.settle();
        QVERIFY(w.document()->project() == saved);
        QVERIFY(w.document()->hasVideo());
        QCOMPARE(w.document()->frameCount(), int64_t(30));
        QVERIFY(!w.document()->isModified());
        QVERIFY(!w.document()->undoStack()->canUndo());
        QCOMPARE(w.timeline()->offsetBox()->value(), -50);
    }

    void openingABrokenProjectNamesTheProblemAndKeepsTheDocument() {
        auto w = loadedWindow();
        QVERIFY(w);
        const QString bad = tmp("bad.redub");
        std::ofstream(bad.toStdString()) << R"({"video": "clip.mp4", "ranges": [{"begin": 9, "end": 2}]})";
        const auto before = w->document()->project();
        QVERIFY(!w->openProject(bad));
        QVERIFY2(w->lastError().contains("bad.redub") && w->lastError().contains("ranges[0].end"),
                 qPrintable(w->lastError()));
        QVERIFY(w->document()->project() == before);
        // A project whose video went missing is refused the same way.
        const QString gone = tmp("gone.redub");
        std::ofstream(gone.toStdString()) << R"({"video": "nowhere.mp4"})";
        QVERIFY(!w->openProject(gone));
        QVERIFY2(w->lastError().contains("nowhere.mp4"), qPrintable(w->lastError()));
    }

    void remembersRecentFilesAndTheViewMode() {
        {
            MainWindow w;
            w.show();
            QVERIFY(w.openPaths({video_, speech_}));
            w.settle();
            w.setWipeView(true);
            QCOMPARE(w.preview()->mode(), PreviewView::Mode::Wipe);
            QVERIFY(w.close());
        }
        const QStringList recent = QSettings().value("recentFiles").toStringList();
        QVERIFY(recent.size() >= 2);
        QCOMPARE(recent.at(0), QFileInfo(speech_).absoluteFilePath());
        QCOMPARE(recent.at(1), QFileInfo(video_).absoluteFilePath());
        MainWindow again;
        QCOMPARE(again.preview()->mode(), PreviewView::Mode::Wipe);
        again.setWipeView(false);
        again.close();
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

    void exportDialogProposesAPathAndRefusesBadOnes() {
        core::Project p;
        p.video_path = video_.toStdString();
        p.ranges = {{0, 10}};
        ExportDialog dlg(p, {});
        QCOMPARE(dlg.outputPath(), tmp("clip-redub.mp4"));
        QCOMPARE(dlg.exportSettings().crf, 18);
        dlg.setOutputPath("/nonexistent-folder/out.mp4");
        dlg.accept();
        QVERIFY(dlg.result() != QDialog::Accepted);
        QVERIFY2(dlg.errorText().contains("/nonexistent-folder"), qPrintable(dlg.errorText()));
        dlg.setOutputPath(video_);
        dlg.accept();
        QVERIFY(dlg.result() != QDialog::Accepted);
        QVERIFY(dlg.errorText().contains("overwrite the source"));
        dlg.setOutputPath(tmp("fresh.mp4"));
        dlg.accept();
        QCOMPARE(dlg.result(), int(QDialog::Accepted));
        QCOMPARE(QString::fromStdString(dlg.exportSettings().output_path.string()), tmp("fresh.mp4"));
    }

    void logPanelShowsCoreLogLines() {
        MainWindow w;
        log::core()->warn("a line from core for the panel");
        QTRY_VERIFY(w.logPanel()->toPlainText().contains("a line from core for the panel"));
    }

    void previewFrameChangesOnlyInsideTheMask() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->seek(12);
        w->settle();
        QSignalSpy ready(w->dub(), &DubController::previewReady);
        QSignalSpy done(w->dub(), &DubController::finished);
        w->previewCurrentFrame();
        QVERIFY(w->dub()->busy());
        QVERIFY(done.wait(240000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        QCOMPARE(ready.size(), 1);
        QCOMPARE(ready.at(0).at(0).toLongLong(), qint64(12));
        const QImage src = ready.at(0).at(1).value<QImage>().convertToFormat(QImage::Format_RGB888);
        const QImage gen = ready.at(0).at(2).value<QImage>().convertToFormat(QImage::Format_RGB888);
        const QImage mask = ready.at(0).at(3).value<QImage>().convertToFormat(QImage::Format_Grayscale8);
        QVERIFY(ready.at(0).at(5).toBool());
        QCOMPARE(gen.size(), src.size());
        QCOMPARE(mask.size(), src.size());
        // The preview shows what the job returned.
        QCOMPARE(w->preview()->generated().convertToFormat(QImage::Format_RGB888), gen);
        int changed = 0, outside = 0;
        for (int y = 0; y < src.height(); ++y) {
            const uchar* a = src.constScanLine(y);
            const uchar* b = gen.constScanLine(y);
            const uchar* m = mask.constScanLine(y);
            for (int x = 0; x < src.width(); ++x) {
                const bool diff = a[3 * x] != b[3 * x] || a[3 * x + 1] != b[3 * x + 1] || a[3 * x + 2] != b[3 * x + 2];
                changed += diff;
                outside += diff && m[x] == 0;
            }
        }
        QVERIFY2(changed > 50, qPrintable(QString::number(changed)));
        QCOMPARE(outside, 0);
        // The displayed original is the source frame itself.
        QCOMPARE(w->preview()->original().convertToFormat(QImage::Format_RGB888), src);
    }

    void previewingAgainAfterTheOffsetChangedWorks() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->seek(8);
        w->settle();
        QSignalSpy done(w->dub(), &DubController::finished);
        w->previewCurrentFrame();
        QVERIFY(done.wait(240000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        const QImage first = w->preview()->generated();
        // A new offset needs a new session (the speech moves); the second preview must work.
        w->document()->requestOffset(3200);
        QVERIFY(w->preview()->generated().isNull());  // the old picture is stale
        w->previewCurrentFrame();
        QVERIFY(done.wait(240000));
        QVERIFY2(done.at(1).at(0).toBool(), qPrintable(done.at(1).at(2).toString()));
        QVERIFY(w->lastError().isEmpty());
        QVERIFY(!w->preview()->generated().isNull());
        QVERIFY(!first.isNull());
    }

    void exportWritesTheVideoAndShowsFramesAsTheyCome() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->document()->requestAddRange({5, 15});
        w->document()->requestLengthPolicy("pad-silence");  // output as long as the video
        const QString out = tmp("exported.mp4");
        QSignalSpy frames(w->dub(), &DubController::frameGenerated);
        QSignalSpy done(w->dub(), &DubController::finished);
        QElapsedTimer clock;
        clock.start();
        w->exportTo(out);
        QVERIFY(done.wait(300000));
        const qint64 elapsed_ms = clock.elapsed();
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        QCOMPARE(done.at(0).at(3).toString(), out);
        QVERIFY(done.at(0).at(2).toString().contains("exported.mp4"));
        const media::MediaInfo info = media::probe(out.toStdString());
        QVERIFY(info.video && info.audio);
        QCOMPARE(info.video->frame_count, int64_t(30));
        // Only the selected range was generated, and results were coalesced (<= one signal per 33 ms tick).
        QVERIFY(!frames.isEmpty());
        QVERIFY2(frames.size() <= elapsed_ms / 33 + 2, qPrintable(QString::number(frames.size())));
        QVERIFY(w->dub()->hasGenerated(10));
        QVERIFY(!w->dub()->hasGenerated(20));
        // The job used the editor's face scan instead of tracking the video again.
        QTRY_VERIFY(w->logPanel()->toPlainText().contains("reusing the finished face scan of clip.mp4"));
        // The end is announced in a dialog naming the file.
        auto* box = w->findChild<QMessageBox*>("exportDoneDialog");
        QVERIFY(box);
        QVERIFY(box->text().contains("exported.mp4"));
        // ... with the lip-sync meter before and after (measured on the written file).
        QVERIFY2(box->informativeText().contains(QRegularExpression("r -?\\d\\.\\d\\d before, r -?\\d\\.\\d\\d after")),
                 qPrintable(box->informativeText()));
        // The transport bar shows the meter around the playhead (inside the selected range).
        w->seek(8);
        QVERIFY(w->findChild<QLabel*>("syncHereLabel")->text().startsWith("lip sync here: r "));
        // Stepping onto a generated frame shows it.
        w->seek(10);
        w->settle();
        QVERIFY(!w->preview()->generated().isNull());
        w->seek(20);
        w->settle();
        QVERIFY(w->preview()->generated().isNull());
    }

    void dubProjectOnTheCommandLineWritesTheEditorsExport() {
        // One mapping from project to job (core::dubParamsFor): the CLI's `dub --project` and
        // the editor's export of the same project give the same frames.
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 11);
        w->document()->requestLengthPolicy("pad-silence");
        w->document()->requestOffset(-40 * 16);
        auto ex = w->document()->project().output;
        ex.preset = "ultrafast";
        w->document()->requestExportSettings(ex);
        QVERIFY(w->saveProjectAs(tmp("same.redub")));
        const QString from_editor = tmp("editor.mp4"), from_cli = tmp("cli.mp4");
        QSignalSpy done(w->dub(), &DubController::finished);
        w->exportTo(from_editor);
        QVERIFY(done.wait(300000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        QString so, err;
        QCOMPARE(test::runCli({"--quiet", "dub", "--project", tmp("same.redub"), "-o", from_cli}, &so, &err), 0);
        media::VideoReader a(from_editor.toStdString()), b(from_cli.toStdString());
        QCOMPARE(a.frameCount(), b.frameCount());
        media::VideoFrame fa, fb;
        int frames = 0;
        while (a.next(fa)) {
            QVERIFY(b.next(fb));
            QVERIFY2(cv::norm(fa.rgb, fb.rgb, cv::NORM_INF) == 0, qPrintable(QString("frame %1 differs").arg(frames)));
            ++frames;
        }
        QCOMPARE(frames, 30);
        // Options that the project decides are refused with --project.
        QCOMPARE(test::runCli({"dub", "--project", tmp("same.redub"), "--steps", "3", "-o", from_cli}, &so, &err), 2);
        QVERIFY2(err.contains("--steps"), qPrintable(err));
    }

    void generateAllFillsTheEditorAndKeepsNoFile() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->document()->requestLengthPolicy("pad-silence");
        w->document()->requestAddRange({0, 8});
        QSignalSpy done(w->dub(), &DubController::finished);
        w->generateAll();
        QVERIFY(done.wait(300000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
        QVERIFY(w->dub()->hasGenerated(3));
        QVERIFY(!w->dub()->hasGenerated(20));
        const QDir cache(QStandardPaths::writableLocation(QStandardPaths::CacheLocation));
        QVERIFY(cache.entryList({"generated-*.mp4"}, QDir::Files).isEmpty());
        QVERIFY(!w->findChild<QMessageBox*>("exportDoneDialog"));
        // Changing the offset makes those frames stale: they are forgotten.
        w->document()->requestOffset(800);
        QVERIFY(!w->dub()->hasGenerated(3));
    }

    void cancellingAGenerationLeavesNoOutput() {
        MainWindow w;
        w.show();
        QVERIFY(w.openPaths({long_video_, speech_}));
        w.settle();
        useModel(w.document(), model_.toStdString(), 2, 5);
        const QString out = tmp("cancelled.mp4");
        QSignalSpy progress(w.dub(), &DubController::progress);
        QSignalSpy done(w.dub(), &DubController::finished);
        w.exportTo(out);
        QVERIFY(w.dub()->busy());
        QVERIFY(progress.wait(120000));
        w.dub()->cancel();
        QVERIFY(done.wait(120000));
        QCOMPARE(done.at(0).at(0).toBool(), false);  // not ok
        QCOMPARE(done.at(0).at(1).toBool(), true);   // cancelled
        QVERIFY(!w.dub()->busy());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(w.lastError().isEmpty());  // a cancel is not an error dialog
        // The editor stays usable: a new job can start.
        QVERIFY(w.findChild<QWidget*>("cancelButton")->isHidden());
    }

    void learnThisSpeakerKeepsItsModelBesideTheProject() {
        QCOMPARE(LearnSpeakerDialog::speakerModelPath({}, "/clips/talk.mp4"), QString("/clips/talk.speaker.safetensors"));
        QCOMPARE(LearnSpeakerDialog::speakerModelPath("/work/dub.redub", "/clips/talk.mp4"),
                 QString("/work/dub.speaker.safetensors"));
        auto w = loadedWindow();
        QVERIFY(w);
        // The test clip has no soundtrack (the sample's video only): a clear error naming it,
        // the model unchanged, no speaker model written.
        const auto model_before = w->document()->project().model_path;
        QSignalSpy done(w->dub(), &DubController::finished);
        w->learnSpeaker(1);
        QVERIFY(done.wait(120000));
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QVERIFY2(w->lastError().contains("clip.mp4") && w->lastError().contains("has no audio"),
                 qPrintable(w->lastError()));
        QCOMPARE(w->document()->project().model_path, model_before);
        QVERIFY(!QFileInfo::exists(LearnSpeakerDialog::speakerModelPath({}, video_)));
    }

    void generationWithABrokenModelShowsAnError() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), garbage_.toStdString(), 2, 5);
        QSignalSpy done(w->dub(), &DubController::finished);
        w->previewCurrentFrame();
        QVERIFY(done.wait(120000));
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QCOMPARE(done.at(0).at(1).toBool(), false);
        QVERIFY2(w->lastError().contains("broken.mp4"), qPrintable(w->lastError()));
    }
};

QTEST_MAIN(TestEditor)
#include "test_editor.moc"
