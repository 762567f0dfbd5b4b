// End-to-end tests of the dub job on real media (the bundled webcam clip and
// LibriVox speech), with a tiny randomly initialised model so they stay fast.
#include "core/dub/crop_journal.hpp"
#include "core/dub/dub.hpp"
#include "core/dub/frame_cache.hpp"
#include "core/face/video_faces.hpp"
#include "media/probe.hpp"
#include "media/video_reader.hpp"
#include "models/config.hpp"
#include "models/generator.hpp"
#include "support/test_support.hpp"
#include "support/tiny_model.hpp"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <thread>

#include <nlohmann/json.hpp>

#include <opencv2/core.hpp>

using namespace redub;
namespace fs = std::filesystem;

namespace {

std::vector<cv::Mat> decodeAll(const fs::path& file) {
    media::VideoReader r(file);
    std::vector<cv::Mat> out;
    media::VideoFrame f;
    while (r.next(f)) out.push_back(f.rgb.clone());
    return out;
}

size_t hashMat(const cv::Mat& m) {
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(m.data), m.total() * m.elemSize()));
}

}  // namespace

class TestDub : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path model_, video_, speech_, faceless_;
    std::vector<cv::Mat> source_;

    fs::path tmp(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

    core::DubParams params(const char* out) const {
        core::DubParams p = core::DubParams::defaults();
        p.video = video_;
        p.speech = speech_;
        p.model = model_;
        p.output = tmp(out);
        p.length_policy = core::LengthPolicy::PadSilence;
        p.preset = "ultrafast";
        p.threads = 1;
        return p;
    }

    // Runs a dub and returns the composited frames (before encoding).
    std::vector<cv::Mat> dub(const core::DubParams& p, core::DubReport* report = nullptr) {
        std::vector<cv::Mat> frames;
        core::DubCallbacks cb;
        cb.on_frame = [&](const core::DubFrame& f) { frames.push_back(f.rgb->clone()); };
        auto r = core::runDub(p, cb);
        if (report) *report = r;
        return frames;
    }

private Q_SLOTS:
    void theCropCacheKeepsWithinItsBudgetAndNothingAtZero() {
        // What keepGeneratedCrops(false) relies on: a one-shot dub keeps no crops.
        core::FrameCache cache(3 * 48 * 48 * 3);  // room for three 48-px crops
        const cv::Mat crop(48, 48, CV_8UC3, cv::Scalar(1, 2, 3));
        for (int64_t f = 0; f < 5; ++f) cache.put({f, 7}, crop);
        QCOMPARE(cache.size(), size_t(3));
        QVERIFY(!cache.get({0, 7}) && cache.get({4, 7}));  // the oldest went first
        cache.setBudget(0);
        QCOMPARE(cache.size(), size_t(0));
        QCOMPARE(cache.bytes(), size_t(0));
        cache.put({9, 7}, crop);
        QCOMPARE(cache.size(), size_t(0));
    }

    void initTestCase() {
        QVERIFY(dir_.isValid());
        // Export journals of cancelled runs go below the test's folder, not the user's cache.
        qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(tmp("cache").string()));
        model_ = tmp("tiny.safetensors");
        models::writeRandomModel(test::tinyModelConfig(), model_, 1);
        video_ = tmp("face.mp4");
        speech_ = tmp("speech.wav");
        faceless_ = tmp("faceless.mp4");
        const QString sample = QString::fromStdString(test::resource("sample/talking-face.mp4").string());
        const QString wav = QString::fromStdString(test::resource("sample/new-speech.wav").string());
        QVERIFY(test::ffmpeg({"-i", sample, "-t", "1.2", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
                              QString::fromStdString(video_.string())}));
        QVERIFY(test::ffmpeg({"-i", wav, "-t", "1.5", QString::fromStdString(speech_.string())}));
        // 0.6 s of an empty grey picture, then the face.
        QVERIFY(test::ffmpeg({"-f", "lavfi", "-i", "color=c=gray:s=400x300:r=25:d=0.6", "-i", sample, "-filter_complex",
                              "[1:v]trim=duration=0.6,setpts=PTS-STARTPTS[f];[0:v][f]concat=n=2:v=1[v]", "-map", "[v]",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                              QString::fromStdString(faceless_.string())}));
        source_ = decodeAll(video_);
        QCOMPARE(int(source_.size()), 30);
    }

    void outputHasSourceSizeRateAndFrameCount() {
        core::DubReport rep;
        auto frames = dub(params("geometry.mp4"), &rep);
        QCOMPARE(rep.frames, int64_t(30));  // pad-silence: the video's length
        QCOMPARE(int(frames.size()), 30);
        QVERIFY2(rep.generated >= 28, qPrintable(QString::number(rep.generated)));
        const media::MediaInfo info = media::probe(tmp("geometry.mp4"));
        QVERIFY(info.video && info.audio);
        QCOMPARE(info.video->width, 400);
        QCOMPARE(info.video->height, 300);
        QVERIFY(info.video->avg_frame_rate == Rational(25, 1));
        QCOMPARE(info.video->frame_count, int64_t(30));
        QVERIFY(std::abs(info.video->duration_s - 1.2) <= 0.04);
    }

    void modelThreadsLeaveOneCoreToDecodeAndEncode() {
        QCOMPARE(core::modelThreads(3), 3);
        const int cores = int(std::thread::hardware_concurrency());
        QCOMPARE(core::modelThreads(0), std::max(1, cores - 1));
        QVERIFY(core::modelThreads(0) >= 1);
    }

    void pixelsOutsideTheFaceAreUnchanged() {
        core::DubSession session(params("outside.mp4"));
        std::vector<cv::Mat> frames;
        core::DubCallbacks cb;
        cb.on_frame = [&](const core::DubFrame& f) { frames.push_back(f.rgb->clone()); };
        session.run(cb);
        QCOMPARE(frames.size(), source_.size());
        int changed_frames = 0;
        for (size_t i = 0; i < frames.size(); ++i) {
            cv::Mat diff;
            cv::compare(frames[i], source_[i], diff, cv::CMP_NE);
            cv::Mat any;
            cv::reduce(diff.reshape(1, diff.rows * diff.cols), any, 1, cv::REDUCE_MAX);
            any = any.reshape(1, diff.rows);
            const auto& face = session.track().frames[i];
            QVERIFY(face.has_value());
            // Everything outside the face box (grown by half its size) is bit-exact.
            cv::Rect2f b = face->box;
            cv::Rect grow(int(b.x - b.width / 2), int(b.y - b.height / 2), int(b.width * 2), int(b.height * 2));
            cv::Mat outside = any.clone();
            outside(grow & cv::Rect(0, 0, any.cols, any.rows)).setTo(0);
            QCOMPARE(cv::countNonZero(outside), 0);
            if (cv::countNonZero(any) > 0) ++changed_frames;
        }
        QVERIFY2(changed_frames >= 28, qPrintable(QString::number(changed_frames)));
    }

    void framesWithoutAFaceAreUntouched() {
        core::DubParams p = params("faceless-out.mp4");
        p.video = faceless_;
        core::DubReport rep;
        auto frames = dub(p, &rep);
        auto src = decodeAll(faceless_);
        QCOMPARE(frames.size(), src.size());
        for (size_t i = 0; i < 15; ++i) QVERIFY2(cv::norm(frames[i], src[i], cv::NORM_INF) == 0, qPrintable(QString::number(i)));
        QVERIFY(rep.no_face >= 15);
        QVERIFY(rep.generated >= 10);
    }

    void everyGeneratedFrameIsOfferedTheSpeakersOwnLipsUnlessTurnedOff() {
        core::DubReport on, off;
        const auto with = dub(params("own-lips.mp4"), &on);
        core::DubParams p = params("no-own-lips.mp4");
        p.source_lips = false;
        const auto without = dub(p, &off);
        QCOMPARE(on.own_lips + on.own_lips_skipped, on.generated);
        QCOMPARE(off.own_lips + off.own_lips_skipped, int64_t(0));
        QCOMPARE(with.size(), without.size());
        int differ = 0;
        for (size_t i = 0; i < with.size(); ++i) differ += cv::norm(with[i], without[i], cv::NORM_INF) > 0;
        QCOMPARE(differ > 0, on.own_lips > 0);
    }

    void articulationWidensTheDubbedMouthAndIsValidated() {
        // The same generated frames laid over at articulation 1 and 1.6: the frames differ only
        // where the own lips go (below the eyes), and an articulation out of range is refused.
        core::DubReport one_rep, wide_rep;
        const auto one = dub(params("artic-1.mp4"), &one_rep);
        core::DubParams p = params("artic-16.mp4");
        p.articulation = 1.6f;
        const auto wide = dub(p, &wide_rep);
        QCOMPARE(one.size(), wide.size());
        QVERIFY(one_rep.own_lips > 0);
        int differ = 0;
        for (size_t i = 0; i < one.size(); ++i) differ += cv::norm(one[i], wide[i], cv::NORM_INF) > 0;
        QVERIFY2(differ > 0, "articulation 1.6 changed no frame");
        p.articulation = 2.5f;
        QVERIFY_THROWS_EXCEPTION(Error, core::validate(p));
    }

    void onlySelectedRangesChange() {
        core::DubParams p = params("ranges.mp4");
        p.ranges = {{10, 20}};
        core::DubReport rep;
        auto frames = dub(p, &rep);
        QCOMPARE(rep.generated, int64_t(10));
        for (size_t i = 0; i < frames.size(); ++i) {
            const double d = cv::norm(frames[i], source_[i], cv::NORM_INF);
            if (i < 10 || i >= 20)
                QVERIFY2(d == 0, qPrintable(QString("frame %1 changed outside the range").arg(i)));
        }
        QVERIFY(cv::norm(frames[15], source_[15], cv::NORM_INF) > 0);
    }

    void sameSeedGivesIdenticalFrames() {
        auto a = dub(params("seed-a.mp4"));
        auto b = dub(params("seed-b.mp4"));
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) QCOMPARE(hashMat(a[i]), hashMat(b[i]));
        core::DubParams other = params("seed-c.mp4");
        other.seed = 8;
        auto c = dub(other);
        QVERIFY(hashMat(a[5]) != hashMat(c[5]));
    }

    void playGivesTheExportsFramesWithoutWritingAFile() {
        core::DubReport ran;
        const auto exported = dub(params("played-ref.mp4"), &ran);
        core::DubParams p = params("never-written.mp4");
        core::DubSession s(p);
        std::vector<cv::Mat> played;
        core::DubCallbacks cb;
        cb.on_frame = [&](const core::DubFrame& f) { played.push_back(f.rgb->clone()); };
        const core::DubReport rep = s.play(cb);
        QVERIFY(!fs::exists(p.output));
        QVERIFY(rep.output.empty());
        QCOMPARE(rep.encode_s, 0.0);
        QCOMPARE(rep.generated, ran.generated);
        QCOMPARE(played.size(), exported.size());
        for (size_t i = 0; i < played.size(); ++i) QCOMPARE(hashMat(played[i]), hashMat(exported[i]));
    }

    void draftKeepsWhatIsDubbedAndRunsFewerDenoiserCalls() {
        core::DubParams p = params("final.mp4");
        p.ranges = {{2, 12}};
        p.offset_samples = 800;
        p.seed = 5;
        p.steps = 4;
        const core::DubParams d = core::draftOf(p);
        QCOMPARE(d.steps, core::kDraftSteps);
        QCOMPARE(d.audio_guidance, 1.0f);
        QVERIFY(!d.restore_edges && !d.moving_detail && !d.source_lips);
        QVERIFY(!core::needsNewSession(p, d));  // the editor switches quality on its open session
        QVERIFY(d.video == p.video && d.speech == p.speech && d.model == p.model && d.seed == p.seed &&
                d.offset_samples == p.offset_samples && d.ranges == p.ranges);
        core::DubParams one = p;
        one.steps = 1;
        QCOMPARE(core::draftOf(one).steps, 1);  // never more steps than asked for
        core::DubReport full, draft;
        dub(p, &full);
        core::DubParams dp = d;
        dp.output = tmp("draft.mp4");
        const auto frames = dub(dp, &draft);
        QCOMPARE(draft.generated, full.generated);
        // Per repainted frame: 2 steps unguided against 4 guided (two calls per step).
        QCOMPARE(draft.denoiser_calls, draft.generated * core::kDraftSteps);
        QCOMPARE(full.denoiser_calls, full.generated * 8);
        QVERIFY(draft.flops_per_call > 0 && draft.flops_per_call == full.flops_per_call);
        QVERIFY(cv::norm(frames[6], source_[6], cv::NORM_INF) > 0);  // the mouth is still repainted
    }

    void anExportKilledMidwayResumesFromItsJournalWithTheSameFrames() {
        const fs::path xdg = tmp("xdg");
        qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(xdg.string()));
        const fs::path journals = xdg / "redub" / "export-crops";
        auto args = [&](const fs::path& out) {
            return QStringList{"--quiet", "dub", "--video", QString::fromStdString(video_.string()), "--audio",
                               QString::fromStdString(speech_.string()), "--model",
                               QString::fromStdString(model_.string()), "--length-policy", "pad-silence", "--preset",
                               "ultrafast", "--threads", "1", "--steps", "12", "--json-progress", "-o",
                               QString::fromStdString(out.string())};
        };
        auto journalBytes = [&] {
            std::error_code ec;
            uintmax_t n = 0;
            for (const auto& e : fs::directory_iterator(journals, ec)) n += e.file_size();
            return n;
        };
        // Uninterrupted: the reference, and no journal left behind.
        QString out;
        QCOMPARE(test::runCli(args(tmp("whole.mp4")), &out), 0);
        QVERIFY2(out.contains("\"resumed\":0"), qPrintable(out));
        QCOMPARE(journalBytes(), uintmax_t(0));
        // Killed (SIGKILL: nothing runs on the way out) once some frames are journaled.
        const uintmax_t record = 24 + 32 * 32 * 3;
        QProcess p;
        p.start(qEnvironmentVariable("REDUB_CLI"), args(tmp("resumed.mp4")));
        QVERIFY(p.waitForStarted());
        QElapsedTimer t;
        t.start();
        while (journalBytes() < 8 + 6 * record && p.state() != QProcess::NotRunning && t.elapsed() < 120000)
            QTest::qWait(5);
        QVERIFY2(p.state() == QProcess::Running, "the export ended before it could be killed");
        p.kill();
        QVERIFY(p.waitForFinished());
        QVERIFY(!fs::exists(tmp("resumed.mp4")));
        QVERIFY(journalBytes() >= 8 + 6 * record);
        // The same export again: it takes those frames from the journal, generates the rest and
        // writes exactly the frames of the uninterrupted run.
        QCOMPARE(test::runCli(args(tmp("resumed.mp4")), &out), 0);
        const auto j = nlohmann::json::parse(out.trimmed().split('\n').last().toStdString());
        QVERIFY2(j["resumed"].get<int>() >= 6 && j["resumed"].get<int>() < j["generated"].get<int>(), qPrintable(out));
        const auto a = decodeAll(tmp("whole.mp4")), b = decodeAll(tmp("resumed.mp4"));
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY2(cv::norm(a[i], b[i], cv::NORM_INF) == 0, qPrintable(QString("frame %1 differs").arg(i)));
        QCOMPARE(journalBytes(), uintmax_t(0));  // done: the journal is gone
        qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(tmp("cache").string()));
    }

    void theJournalSkipsATornRecordAndRefusesADamagedOne() {
        const fs::path dir = tmp("journal");
        auto crop = [](int v) { return cv::Mat(16, 16, CV_8UC3, cv::Scalar(v, v + 1, v + 2)); };
        fs::path file;
        {
            core::CropJournal j(dir, 42);
            QVERIFY(j.enabled());
            for (int f = 0; f < 3; ++f) j.put(f, crop(10 * f));
            file = j.path();
        }
        {
            std::FILE* f = std::fopen(file.c_str(), "ab");  // a record cut short by a kill
            const char half[30] = {7};
            std::fwrite(half, 1, sizeof half, f);
            std::fclose(f);
        }
        {
            core::CropJournal j(dir, 42);
            QCOMPARE(j.size(), size_t(3));
            QCOMPARE(cv::norm(j.get(2), crop(20), cv::NORM_INF), 0.0);
            QVERIFY(j.get(3).empty());
            j.put(3, crop(30));  // appended after the last whole record
        }
        {
            core::CropJournal j(dir, 42);
            QCOMPARE(j.size(), size_t(4));
            QCOMPARE(cv::norm(j.get(3), crop(30), cv::NORM_INF), 0.0);
        }
        {
            std::FILE* f = std::fopen(file.c_str(), "r+b");  // one pixel of frame 0 flipped
            std::fseek(f, 8 + 24 + 5, SEEK_SET);
            std::fputc(0xff, f);
            std::fclose(f);
        }
        core::CropJournal j(dir, 42);
        QVERIFY(j.get(0).empty());  // its checksum fails: generated again, never used damaged
        QCOMPARE(cv::norm(j.get(1), crop(10), cv::NORM_INF), 0.0);
        core::CropJournal other(dir, 43);  // another export's key: another file
        QCOMPARE(other.size(), size_t(0));
        QVERIFY(other.path() != j.path());
        j.remove();
        QVERIFY(!fs::exists(file));
    }

    void aFinishedFaceScanReplacesTrackingAndGivesTheSameFrames() {
        auto scan = std::make_shared<core::VideoFaces>(core::trackVideoFaces(video_));
        QCOMPARE(scan->trackedFrames(), int64_t(30));
        core::DubReport tracked, reused;
        const auto a = dub(params("tracked.mp4"), &tracked);
        QCOMPARE(tracked.tracked_frames, int64_t(30));
        core::DubParams p = params("reused.mp4");
        p.faces = scan;
        const auto b = dub(p, &reused);
        QCOMPARE(reused.tracked_frames, int64_t(0));  // no frame went through the tracker again
        QCOMPARE(reused.generated, tracked.generated);
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) QCOMPARE(hashMat(a[i]), hashMat(b[i]));
        QVERIFY(media::probe(p.output).video.has_value());
    }

    void aFaceScanOfAnotherFileOrWithOtherSettingsIsNotReused() {
        const core::VideoFaces scan = core::trackVideoFaces(video_, 0, 19);
        const auto det = core::DetectorParams::defaults();
        const auto trk = core::TrackerParams::defaults();
        QVERIFY(scan.covers(video_, 30, det, trk, 0, 19));
        QVERIFY(!scan.covers(video_, 30, det, trk, 0, 25));       // frames it did not track
        QVERIFY(!scan.covers(faceless_, 30, det, trk, 0, 19));    // another file
        QVERIFY(!scan.covers(video_, 31, det, trk, 0, 19));       // another frame count
        auto every2 = trk;
        every2.detect_every = 2;
        QVERIFY(!scan.covers(video_, 30, det, every2, 0, 19));    // other tracker settings
        auto upsample = det;
        upsample.upsample = 1;
        QVERIFY(!scan.covers(video_, 30, upsample, trk, 0, 19));  // other detector settings
        // The same path rewritten (another modification time) is another video.
        const fs::path copy = tmp("rewritten.mp4");
        fs::copy_file(video_, copy);
        const core::VideoFaces of_copy = core::trackVideoFaces(copy, 0, 4);
        QVERIFY(of_copy.covers(copy, 30, det, trk, 0, 4));
        fs::last_write_time(copy, fs::last_write_time(copy) + std::chrono::seconds(5));
        QVERIFY(!of_copy.covers(copy, 30, det, trk, 0, 4));
        // A dub given a scan that does not fit tracks by itself.
        core::DubParams p = params("not-reused.mp4");
        p.ranges = {{0, 10}};
        p.faces = std::make_shared<core::VideoFaces>(of_copy);
        core::DubReport rep;
        dub(p, &rep);
        QVERIFY(rep.tracked_frames > 0);
    }

    void rangesWidenedAfterAPreviewAreTrackedToo() {
        core::DubParams p = params("widened.mp4");
        p.ranges = {{0, 8}};
        core::DubSession s(p);
        QVERIFY(s.preview(4).has_face);  // tracks frames 0..12 only
        p.ranges = {{0, 30}};
        s.update(p);
        const core::DubReport rep = s.run();
        QVERIFY2(rep.generated >= 28, qPrintable(QString::number(rep.generated)));
        QCOMPARE(rep.no_face, int64_t(0));
    }

    void chunksRunSideBySide() {
        core::DubParams p = params("chunks.mp4");
        p.chunks = 3;
        p.chunk_frames = 4;
        core::DubReport rep;
        auto frames = dub(p, &rep);
        QCOMPARE(int(frames.size()), 30);
        QVERIFY(rep.generated >= 28);
    }

    void generateProgressOnlyMovesForward() {
        for (int chunks : {1, 3}) {
            core::DubParams p = params("progress.mp4");
            p.chunks = chunks;
            p.chunk_frames = 4;
            p.steps = 3;
            std::vector<Progress> seen;
            core::DubCallbacks cb;
            cb.progress = [&](const Progress& pr) {
                if (pr.stage == "generate") seen.push_back(pr);
            };
            core::runDub(p, cb);
            // One report per sampler step of every call (3 steps, `chunks` frames per call).
            QVERIFY2(seen.size() >= size_t(3 * 28 / chunks), qPrintable(QString::number(seen.size())));
            for (size_t i = 1; i < seen.size(); ++i) {
                QVERIFY2(seen[i].fraction >= seen[i - 1].fraction,
                         qPrintable(QString("chunks %1: %2 after %3").arg(chunks).arg(seen[i].fraction).arg(seen[i - 1].fraction)));
                QVERIFY(seen[i].done >= seen[i - 1].done);
            }
            QCOMPARE(seen.back().done, seen.back().total);
        }
    }

    void cancelLeavesNoOutput() {
        core::DubParams p = params("cancelled.mp4");
        int calls = 0;
        std::stop_source stop;  // the one cancel channel; progress only reports
        core::DubCallbacks cb;
        cb.progress = [&](const Progress& pr) {
            if (pr.stage == "generate" && ++calls > 3) stop.request_stop();
        };
        const auto before = std::distance(fs::directory_iterator(dir_.path().toStdString()), fs::directory_iterator{});
        try {
            core::runDub(p, cb, stop.get_token());
            QFAIL("the cancelled run returned");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::Cancelled);
        }
        QVERIFY(!fs::exists(p.output));
        const auto after = std::distance(fs::directory_iterator(dir_.path().toStdString()), fs::directory_iterator{});
        QCOMPARE(after, before);  // no partial file either
    }

    void previewChangesOnlyInsideTheMask() {
        core::DubSession s(params("unused.mp4"));
        core::Preview pv = s.preview(12);
        QVERIFY(pv.has_face);
        QVERIFY(!pv.from_cache);
        cv::Mat diff;
        cv::absdiff(pv.generated, pv.source, diff);
        cv::Mat grey;
        cv::transform(diff, grey, cv::Matx13f(1, 1, 1));
        cv::Mat changed = grey > 0;
        QVERIFY(cv::countNonZero(changed) > 0);
        cv::Mat outside = changed & (pv.mask == 0);
        QCOMPARE(cv::countNonZero(outside), 0);
        QVERIFY(s.preview(12).from_cache);
    }

    void badInputsNameTheFileAndWriteNothing() {
        core::DubParams p = params("bad.mp4");
        p.video = tmp("missing.mp4");
        try {
            core::runDub(p);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY(e.kind() == ErrorKind::BadInput);
            QVERIFY2(QString(e.what()).contains("missing.mp4"), e.what());
        }
        p = params("bad.mp4");
        p.speech = video_;  // a video with no audio track
        try {
            core::runDub(p);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("audio"), e.what());
        }
        QVERIFY(!fs::exists(p.output));
        QString err;
        const int code = test::runCli({"dub", "--video", QString::fromStdString(tmp("nope.mp4").string()), "--audio",
                                       QString::fromStdString(speech_.string()), "--model",
                                       QString::fromStdString(model_.string()), "-o",
                                       QString::fromStdString(tmp("cli.mp4").string())},
                                      nullptr, &err);
        QCOMPARE(code, 2);
        QVERIFY2(err.contains("nope.mp4"), qPrintable(err));
        QVERIFY(!fs::exists(tmp("cli.mp4")));
    }

    void cliDubWritesTheMp4() {
        QString out, err;
        const QString dst = QString::fromStdString(tmp("cli-ok.mp4").string());
        const int code = test::runCli({"--quiet", "dub", "--video", QString::fromStdString(video_.string()), "--audio",
                                       QString::fromStdString(speech_.string()), "--model",
                                       QString::fromStdString(model_.string()), "--length-policy", "trim", "--preset",
                                       "ultrafast", "--json-progress", "-o", dst},
                                      &out, &err);
        QVERIFY2(code == 0, qPrintable(err));
        QVERIFY(out.contains("\"stage\":\"result\""));
        QVERIFY(fs::exists(dst.toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestDub)
#include "test_dub.moc"
