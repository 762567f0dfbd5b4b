#include "core/project/project.hpp"

#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/units.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace redub::core {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
    throw Error(ErrorKind::BadInput, key + ": " + what);
}

const json* member(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string typeName(const json& j) { return j.type_name(); }

int64_t getInt(const json& obj, const std::string& prefix, const char* key, int64_t fallback) {
    const json* v = member(obj, key);
    if (!v) return fallback;
    if (!v->is_number_integer()) bad(prefix + key, "expected an integer, found " + typeName(*v));
    return v->get<int64_t>();
}

uint64_t getUInt(const json& obj, const std::string& prefix, const char* key, uint64_t fallback) {
    const json* v = member(obj, key);
    if (!v) return fallback;
    if (!v->is_number_unsigned()) bad(prefix + key, "expected a non-negative integer, found " + v->dump());
    return v->get<uint64_t>();
}

double getNumber(const json& obj, const std::string& prefix, const char* key) {
    const json* v = member(obj, key);
    if (!v) bad(prefix + key, "missing");
    if (!v->is_number()) bad(prefix + key, "expected a number, found " + typeName(*v));
    return v->get<double>();
}

bool getBool(const json& obj, const std::string& prefix, const char* key, bool fallback) {
    const json* v = member(obj, key);
    if (!v) return fallback;
    if (!v->is_boolean()) bad(prefix + key, "expected true or false, found " + typeName(*v));
    return v->get<bool>();
}

std::string getString(const json& obj, const std::string& prefix, const char* key, std::string fallback) {
    const json* v = member(obj, key);
    if (!v) return fallback;
    if (!v->is_string()) bad(prefix + key, "expected a string, found " + typeName(*v));
    return v->get<std::string>();
}

std::string oneOf(const std::string& key, const std::string& value, const std::vector<std::string>& allowed) {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
    bad(key, "\"" + value + "\" is not one of " + list);
}

// Stores p relative to base when it lies below base (so a project folder moves as a whole).
std::string storePath(const fs::path& p, const fs::path& base) {
    if (p.empty()) return {};
    if (!base.empty() && p.is_absolute()) {
        std::error_code ec;
        const fs::path rel = fs::proximate(p, base, ec);
        if (!ec && !rel.empty() && *rel.begin() != "..") return rel.generic_string();
    }
    return p.generic_string();
}

fs::path loadPath(const std::string& s, const fs::path& base) {
    if (s.empty()) return {};
    fs::path p(s);
    if (p.is_relative() && !base.empty()) p = base / p;
    return p.lexically_normal();
}

}  // namespace

const std::vector<std::string>& lengthPolicies() {
    static const std::vector<std::string> v{"ping-pong", "trim", "pad-silence", "hold-last", "loop"};
    return v;
}

const std::vector<std::string>& devices() {
    static const std::vector<std::string> v{"auto", "cpu", "cuda"};
    return v;
}

std::vector<FrameRange> normaliseRanges(std::vector<FrameRange> ranges) {
    std::erase_if(ranges, [](const FrameRange& r) { return r.end <= r.begin; });
    std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
    std::vector<FrameRange> out;
    for (const auto& r : ranges) {
        if (!out.empty() && r.begin <= out.back().end)
            out.back().end = std::max(out.back().end, r.end);
        else
            out.push_back(r);
    }
    return out;
}

std::vector<FrameRange> addRange(std::vector<FrameRange> ranges, FrameRange r) {
    ranges.push_back(r);
    return normaliseRanges(std::move(ranges));
}

std::vector<FrameRange> subtractRange(const std::vector<FrameRange>& ranges, FrameRange cut) {
    std::vector<FrameRange> out;
    for (const auto& r : ranges) {
        if (cut.end <= r.begin || cut.begin >= r.end || cut.end <= cut.begin) {
            out.push_back(r);
            continue;
        }
        if (r.begin < cut.begin) out.push_back({r.begin, cut.begin});
        if (cut.end < r.end) out.push_back({cut.end, r.end});
    }
    return normaliseRanges(std::move(out));
}

json toJson(const Project& p, const fs::path& base) {
    json ranges = json::array();
    for (const auto& r : p.ranges) ranges.push_back({{"begin", r.begin}, {"end", r.end}});
    json j = {
        {"format", "redub-project"},
        {"version", kProjectFormatVersion},
        {"video", storePath(p.video_path, base)},
        {"speech", storePath(p.speech_path, base)},
        {"offset_samples", p.offset_samples},
        {"offset_sample_rate", kOffsetSampleRate},
        {"ranges", ranges},
        {"face", nullptr},
        {"model", storePath(p.model_path, base)},
        {"steps", p.steps},
        {"seed", p.seed},
        {"device", p.device},
        {"length_policy", p.length_policy},
        {"own_lips", p.own_lips},
        {"articulation", p.articulation},
        {"export",
         {{"output", storePath(p.output.output_path, base)}, {"crf", p.output.crf}, {"preset", p.output.preset}}},
    };
    if (p.face) j["face"] = {{"x", p.face->x}, {"y", p.face->y}, {"frame", p.face->frame}};
    return j;
}

Project fromJson(const json& j, const fs::path& base) {
    if (!j.is_object()) bad("(top level)", "expected a JSON object, found " + typeName(j));
    if (getString(j, "", "format", "redub-project") != "redub-project")
        bad("format", "not a Redub project (expected \"redub-project\")");
    const int64_t version = getInt(j, "", "version", kProjectFormatVersion);
    if (version < 1 || version > kProjectFormatVersion)
        bad("version", "format version " + std::to_string(version) + " is not supported (this Redub reads 1.." +
                           std::to_string(kProjectFormatVersion) + "); update Redub");

    Project p;
    p.video_path = loadPath(getString(j, "", "video", ""), base);
    p.speech_path = loadPath(getString(j, "", "speech", ""), base);
    p.offset_samples = getInt(j, "", "offset_samples", 0);
    const int64_t rate = getInt(j, "", "offset_sample_rate", kOffsetSampleRate);
    if (rate <= 0) bad("offset_sample_rate", "must be positive");
    if (rate != kOffsetSampleRate) p.offset_samples = rescaleSamples(p.offset_samples, int(rate), kOffsetSampleRate);

    if (const json* rs = member(j, "ranges")) {
        if (!rs->is_array()) bad("ranges", "expected an array, found " + typeName(*rs));
        for (size_t i = 0; i < rs->size(); ++i) {
            const json& r = (*rs)[i];
            const std::string key = "ranges[" + std::to_string(i) + "].";
            if (!r.is_object()) bad(key.substr(0, key.size() - 1), "expected {\"begin\": B, \"end\": E}");
            if (!member(r, "begin")) bad(key + "begin", "missing");
            if (!member(r, "end")) bad(key + "end", "missing");
            FrameRange fr{getInt(r, key, "begin", 0), getInt(r, key, "end", 0)};
            if (fr.begin < 0) bad(key + "begin", "must be >= 0");
            if (fr.end <= fr.begin) bad(key + "end", "must be > begin (" + std::to_string(fr.begin) + ")");
            p.ranges.push_back(fr);
        }
        p.ranges = normaliseRanges(std::move(p.ranges));
    }

    if (const json* f = member(j, "face")) {
        if (!f->is_object()) bad("face", "expected {\"x\": X, \"y\": Y, \"frame\": N} or null");
        FacePoint c;
        c.x = static_cast<float>(getNumber(*f, "face.", "x"));
        c.y = static_cast<float>(getNumber(*f, "face.", "y"));
        c.frame = getInt(*f, "face.", "frame", 0);
        if (c.frame < 0) bad("face.frame", "must be >= 0");
        p.face = c;
    }

    p.model_path = loadPath(getString(j, "", "model", ""), base);
    const int64_t steps = getInt(j, "", "steps", 0);
    if (steps < 0 || steps > kMaxSamplerSteps)
        bad("steps", "must be in 0.." + std::to_string(kMaxSamplerSteps) + " (0 = the model's default)");
    p.steps = static_cast<int>(steps);
    p.seed = getUInt(j, "", "seed", Project{}.seed);
    p.device = oneOf("device", getString(j, "", "device", "auto"), devices());
    p.length_policy = oneOf("length_policy", getString(j, "", "length_policy", "ping-pong"), lengthPolicies());
    p.own_lips = getBool(j, "", "own_lips", Project{}.own_lips);
    if (member(j, "articulation")) {
        const double a = getNumber(j, "", "articulation");
        if (!(a >= kMinArticulation && a <= kMaxArticulation))
            bad("articulation", "must be in 0.5..2 (1 = the mouth opens as generated)");
        p.articulation = static_cast<float>(a);
    }

    if (const json* e = member(j, "export")) {
        if (!e->is_object()) bad("export", "expected an object, found " + typeName(*e));
        p.output.output_path = loadPath(getString(*e, "export.", "output", ""), base);
        const int64_t crf = getInt(*e, "export.", "crf", 18);
        if (crf < 0 || crf > 51) bad("export.crf", "must be in 0..51");
        p.output.crf = static_cast<int>(crf);
        p.output.preset =
            oneOf("export.preset", getString(*e, "export.", "preset", "medium"),
                  {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"});
    }
    return p;
}

Project parseProject(const std::string& text, const fs::path& file) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        // Turn the byte offset into line/column, which is what an editor shows.
        const size_t at = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
        const size_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
        const size_t nl = text.rfind('\n', at == 0 ? 0 : at - 1);
        const size_t col = nl == std::string::npos ? at + 1 : at - nl;
        fail(ErrorKind::BadInput, file,
             "not valid JSON (line " + std::to_string(line) + ", column " + std::to_string(col) + ")");
    } catch (const json::exception& e) {  // e.g. a number too large for any type (found by fuzzing)
        fail(ErrorKind::BadInput, file, std::string("not valid JSON (") + e.what() + ")");
    }
    try {
        return fromJson(j, fs::absolute(file).parent_path());
    } catch (const Error& e) {
        fail(e.kind(), file, e.what());
    }
}

Project loadProject(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) fail(ErrorKind::BadInput, file, "no such project file");
    if (fs::is_directory(file, ec)) fail(ErrorKind::BadInput, file, "is a folder, not a project file");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorKind::Io, file, "cannot be opened for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    return parseProject(ss.str(), file);
}

void saveProject(const Project& project, const fs::path& file) {
    const fs::path abs = fs::absolute(file);
    const fs::path dir = abs.parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) fail(ErrorKind::Io, file, "the folder " + dir.string() + " does not exist");
    const std::string text = toJson(project, dir).dump(2) + "\n";
    writeFileAtomically(abs, [&](std::ostream& out) { out << text; });
}

}  // namespace redub::core
