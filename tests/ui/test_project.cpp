// core::Project: the editor's JSON document (docs/editor.md).
#include "core/project/project.hpp"
#include "redub/error.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace redub;
using namespace redub::core;
namespace fs = std::filesystem;

namespace {

fs::path writeText(const QTemporaryDir& dir, const char* name, const std::string& text) {
    const fs::path p = fs::path(dir.path().toStdString()) / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

// Runs f, expects a redub::Error of `kind` whose message contains every needle.
template <class F>
void expectError(F&& f, ErrorKind kind, std::initializer_list<std::string> needles) {
    try {
        f();
    } catch (const Error& e) {
        QCOMPARE(int(e.kind()), int(kind));
        for (const auto& n : needles)
            QVERIFY2(std::string(e.what()).find(n) != std::string::npos,
                     qPrintable(QString("'%1' does not mention '%2'").arg(e.what(), QString::fromStdString(n))));
        return;
    }
    QFAIL("no redub::Error thrown");
}

}  // namespace

class TestProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEveryField() {
        QTemporaryDir dir;
        Project p = Project::defaults();
        p.video_path = "/elsewhere/clip.mp4";
        p.speech_path = fs::path(dir.path().toStdString()) / "audio" / "fr.wav";
        p.offset_samples = -1234;
        p.ranges = {{10, 20}, {40, 90}};
        p.face = FacePoint{120.5f, 80.25f, 7};
        p.model_path = "/models/diff2lip.pt";
        p.steps = 25;
        p.seed = 42;
        p.device = "cpu";
        p.length_policy = "hold-last";
        p.own_lips = false;
        p.articulation = 1.35f;
        p.output = {"/out/clip-fr.mp4", 20, "veryfast"};
        const fs::path file = fs::path(dir.path().toStdString()) / "clip.redub";
        saveProject(p, file);
        const Project q = loadProject(file);
        QVERIFY(q == p);
        QVERIFY(!fs::exists(fs::path(file) += ".tmp"));
    }

    void storesPathsBelowTheProjectRelatively() {
        QTemporaryDir dir;
        const fs::path base = dir.path().toStdString();
        Project p;
        p.video_path = base / "media" / "clip.mp4";
        p.speech_path = "/abs/fr.wav";
        const auto j = toJson(p, base);
        QCOMPARE(j["video"].get<std::string>(), std::string("media/clip.mp4"));
        QCOMPARE(j["speech"].get<std::string>(), std::string("/abs/fr.wav"));
        // Moving the folder keeps the project valid.
        const Project moved = fromJson(j, "/new/place");
        QCOMPARE(moved.video_path.generic_string(), std::string("/new/place/media/clip.mp4"));
    }

    void defaultsWhenKeysAreMissing() {
        const Project p = fromJson(nlohmann::json::parse(R"({"video": "a.mp4"})"), "/base");
        QCOMPARE(p.video_path.generic_string(), std::string("/base/a.mp4"));
        QCOMPARE(p.offset_samples, int64_t(0));
        QVERIFY(p.ranges.empty());
        QVERIFY(!p.face);
        QCOMPARE(p.device, std::string("auto"));
        QCOMPARE(p.length_policy, std::string("ping-pong"));
        QVERIFY(p.own_lips);
        QCOMPARE(p.articulation, 1.0f);
        QCOMPARE(p.output.crf, 18);
    }

    void mergesOverlappingRangesOnLoad() {
        const Project p = fromJson(nlohmann::json::parse(
            R"({"ranges": [{"begin": 50, "end": 60}, {"begin": 0, "end": 10}, {"begin": 5, "end": 12}]})"));
        QCOMPARE(p.ranges.size(), size_t(2));
        QVERIFY((p.ranges[0] == FrameRange{0, 12}));
        QVERIFY((p.ranges[1] == FrameRange{50, 60}));
    }

    void convertsOffsetFromAnotherSampleRate() {
        const Project p = fromJson(nlohmann::json::parse(R"({"offset_samples": 4800, "offset_sample_rate": 48000})"));
        QCOMPARE(p.offset_samples, int64_t(1600));
    }

    void subtractSplitsARange() {
        const auto r = subtractRange({{0, 100}}, {40, 60});
        QCOMPARE(r.size(), size_t(2));
        QVERIFY((r[0] == FrameRange{0, 40}));
        QVERIFY((r[1] == FrameRange{60, 100}));
        QVERIFY(subtractRange({{0, 10}}, {0, 10}).empty());
        QCOMPARE(addRange({{0, 10}}, {10, 20}).size(), size_t(1));
    }

    void rejectsMalformedJsonWithLineAndColumn() {
        QTemporaryDir dir;
        const fs::path f = writeText(dir, "bad.redub", "{\n  \"video\": \"a.mp4\",\n  \"steps\": ,\n}\n");
        expectError([&] { loadProject(f); }, ErrorKind::BadInput, {"bad.redub", "not valid JSON", "line 3"});
    }

    void rejectsANumberTooLargeForAnyType() {  // found by fuzzing: escaped as a JSON library exception
        QTemporaryDir dir;
        const fs::path f = writeText(dir, "big.redub", R"({"format": "redub-project", "steps": 444444440E4020244264})");
        expectError([&] { loadProject(f); }, ErrorKind::BadInput, {"big.redub", "not valid JSON", "overflow"});
    }

    void rejectsWrongTypeNamingTheKey() {
        QTemporaryDir dir;
        const fs::path f = writeText(dir, "t.redub", R"({"offset_samples": "ten"})");
        expectError([&] { loadProject(f); }, ErrorKind::BadInput, {"t.redub", "offset_samples", "integer"});
    }

    void rejectsOwnLipsThatIsNotABoolean() {
        QTemporaryDir dir;
        const fs::path f = writeText(dir, "l.redub", R"({"own_lips": "yes"})");
        expectError([&] { loadProject(f); }, ErrorKind::BadInput, {"l.redub", "own_lips", "true or false"});
    }

    void rejectsArticulationOutsideItsRangeOrNotANumber() {
        QTemporaryDir dir;
        const fs::path f = writeText(dir, "a.redub", R"({"articulation": 3.5})");
        expectError([&] { loadProject(f); }, ErrorKind::BadInput, {"a.redub", "articulation", "0.5..2"});
        const fs::path g = writeText(dir, "b.redub", R"({"articulation": "wide"})");
        expectError([&] { loadProject(g); }, ErrorKind::BadInput, {"b.redub", "articulation", "number"});
        QCOMPARE(fromJson(nlohmann::json::parse(R"({"articulation": 0.5})")).articulation, 0.5f);
    }

    void rejectsAnEmptyRangeNamingItsIndex() {
        expectError(
            [] { fromJson(nlohmann::json::parse(R"({"ranges": [{"begin": 1, "end": 5}, {"begin": 9, "end": 9}]})")); },
            ErrorKind::BadInput, {"ranges[1].end", "must be > begin"});
    }

    void rejectsUnknownDeviceListingTheChoices() {
        expectError([] { fromJson(nlohmann::json::parse(R"({"device": "tpu"})")); }, ErrorKind::BadInput,
                    {"device", "\"tpu\"", "\"cuda\""});
    }

    void rejectsAFutureFormatVersion() {
        expectError([] { fromJson(nlohmann::json::parse(R"({"version": 99})")); }, ErrorKind::BadInput,
                    {"version", "99", "update Redub"});
    }

    void rejectsAFileThatIsNotAProject() {
        expectError([] { fromJson(nlohmann::json::parse(R"({"format": "kdenlive"})")); }, ErrorKind::BadInput,
                    {"format", "not a Redub project"});
        expectError([] { fromJson(nlohmann::json::parse("[1, 2]")); }, ErrorKind::BadInput, {"JSON object"});
    }

    void missingFileNamesIt() {
        expectError([] { loadProject("/nonexistent/x.redub"); }, ErrorKind::BadInput,
                    {"/nonexistent/x.redub", "no such project file"});
    }

    void saveIntoAMissingFolderFailsWithoutWriting() {
        expectError([] { saveProject(Project{}, "/nonexistent-dir/x.redub"); }, ErrorKind::Io,
                    {"x.redub", "does not exist"});
    }

    void saveReplacesAnExistingProject() {
        // A save replaces the file atomically: the previous content survives until the rename.
        QTemporaryDir dir;
        const fs::path f = fs::path(dir.path().toStdString()) / "p.redub";
        Project a;
        a.steps = 3;
        saveProject(a, f);
        Project b;
        b.steps = 7;
        saveProject(b, f);
        QCOMPARE(loadProject(f).steps, 7);
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
