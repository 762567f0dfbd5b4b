#include "core/project/paths.hpp"

#include "redub/error.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace redub::core {
namespace {
std::optional<fs::path> env(const char* name) {
    if (const char* v = std::getenv(name); v && *v) return fs::path(v);
    return std::nullopt;
}


// <prefix>/share/redub when the running program is <prefix>/bin/NAME (an installed package,
// wherever its prefix is); empty otherwise.
fs::path installedDataDir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || exe.parent_path().filename() != "bin") return {};
    const fs::path d = exe.parent_path().parent_path() / "share" / "redub";
    return fs::is_directory(d / "models") ? d : fs::path();
}
}  // namespace

fs::path dataDir() {
    if (auto d = env("REDUB_DATA_DIR")) return *d;
    if (auto d = installedDataDir(); !d.empty()) return d;
    if (fs::is_directory(REDUB_DATA_DIR_BUILD)) return REDUB_DATA_DIR_BUILD;
    return REDUB_DATA_DIR_INSTALL;
}

fs::path dataFile(std::string_view relative) {
    const fs::path p = dataDir() / fs::path(relative);
    if (!fs::exists(p))
        fail(ErrorKind::BadInput, p, "bundled data file not found (set REDUB_DATA_DIR to Redub's resources folder)");
    return p;
}

fs::path landmarkModelPath() {
    const char* name = "shape_predictor_68_face_landmarks.dat";
    std::vector<fs::path> tried;
    if (auto e = env("REDUB_DLIB_LANDMARKS")) {
        if (fs::exists(*e)) return *e;
        fail(ErrorKind::BadInput, *e, "REDUB_DLIB_LANDMARKS points to a file that does not exist");
    }
    for (const fs::path& p : {dataDir() / "dlib" / name, fs::path("/usr/share/dlib") / name,
                              fs::path("/usr/local/share/dlib") / name}) {
        if (fs::exists(p)) return p;
        tried.push_back(p);
    }
    std::string where;
    for (auto& t : tried) where += "\n  " + t.string();
    fail(ErrorKind::BadInput, std::string("dlib's 68-point landmark model was not found; looked in:") + where +
                                  "\ninstall it with: apt-get install libdlib-data (or set REDUB_DLIB_LANDMARKS)");
}

}  // namespace redub::core
