// The desktop editor driven like a user would, projects and jobs: generation settings,
// saving and reopening, the export dialog, previews, exports and Generate All with a tiny
// random model, cancelling, speech from text, New from Photo and Learn This Speaker.
// Runs on the offscreen platform.
#include "editor_fixture.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "redub/log.hpp"
#include "ui/dub_controller.hpp"
#include "ui/export_dialog.hpp"
#include "ui/learn_speaker_dialog.hpp"
#include "ui/log_panel.hpp"
#include "ui/preview_view.hpp"
#include "ui/speech_dialog.hpp"
#include "ui/timeline.hpp"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>

using namespace redub;
using namespace redub::test;
using namespace redub::ui;
namespace fs = std::filesystem;

class TestEditorJobs : public QObject, EditorFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { prepare(); }

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

    void draftQualityGeneratesTheFrameTheScrubStopsOn() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->seek(4);
        w->settle();
        QSignalSpy done(w->dub(), &DubController::finished);
        w->setDraft(true);  // the frame at the playhead is generated at once
        QVERIFY(w->dub()->draft());
        QVERIFY(w->dub()->busy());
        // Scrubbing on while that runs: only the frame the playhead stops on follows.
        for (int64_t f : {5, 6, 7, 9}) w->seek(f);
        QTRY_VERIFY_WITH_TIMEOUT(done.size() >= 2 && !w->dub()->busy(), 240000);
        for (const auto& d : done) QVERIFY2(d.at(0).toBool(), qPrintable(d.at(2).toString()));
        QCOMPARE(done.size(), 2);
        QVERIFY(w->dub()->hasGenerated(4));
        QVERIFY(w->dub()->hasGenerated(9));
        QVERIFY(!w->dub()->hasGenerated(6));
        QVERIFY(!w->preview()->generated().isNull());  // the frame at the playhead shows its picture
        // Generate All at draft quality says so; back at full quality the draft frames go.
        w->document()->requestLengthPolicy("pad-silence");
        w->document()->requestAddRange({0, 6});
        w->generateAll();
        QTRY_VERIFY_WITH_TIMEOUT(done.size() >= 3 && !w->dub()->busy(), 300000);
        QVERIFY2(done.last().at(0).toBool(), qPrintable(done.last().at(2).toString()));
        QVERIFY2(done.last().at(2).toString().contains("draft"), qPrintable(done.last().at(2).toString()));
        QVERIFY(w->dub()->hasGenerated(3));
        w->setDraft(false);
        QVERIFY(!w->dub()->draft());
        QVERIFY(!w->dub()->hasGenerated(3));
        w->seek(2);  // no scrub previews at full quality
        w->settle();
        QVERIFY(!w->dub()->busy());
    }

    void aJobAskedForDuringAScrubPreviewStartsWhenItGivesWay() {
        auto w = loadedWindow();
        QVERIFY(w);
        useModel(w->document(), model_.toStdString(), 2, 5);
        w->document()->requestLengthPolicy("pad-silence");
        w->document()->requestAddRange({0, 6});
        w->seek(3);
        w->settle();
        QSignalSpy done(w->dub(), &DubController::finished);
        w->setDraft(true);  // a scrub preview of frame 3 starts
        QVERIFY(w->dub()->busy());
        w->generateAll();  // not refused: the scrub preview stops and Generate All follows
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && done.last().at(2).toString().startsWith("Generated"), 300000);
        // The preview that gave way reports nothing (unless it had finished before it saw the
        // stop: then its own success); nothing was refused.
        QVERIFY(done.size() <= 2);
        for (const auto& d : done) QVERIFY2(d.at(0).toBool(), qPrintable(d.at(2).toString()));
        QVERIFY(w->lastError().isEmpty());
        QVERIFY(w->dub()->hasGenerated(5));
        w->setDraft(false);
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

QTEST_MAIN(TestEditorJobs)
#include "test_editor_jobs.moc"
