// Where Redub finds its data: bundled model, sample media, the dlib landmark model.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace redub::core {

// The resources folder: $REDUB_DATA_DIR if set, else <prefix>/share/redub when the program
// runs as <prefix>/bin/NAME and that folder exists (installed: from any working directory),
// else the source tree's resources/ (running from a build tree), else the configured
// install location.
std::filesystem::path dataDir();

// A file below dataDir(); throws Error{BadInput} naming every place searched
// when it does not exist.
std::filesystem::path dataFile(std::string_view relative);

// dlib's 68-point landmark model: $REDUB_DLIB_LANDMARKS, then dataDir()/dlib/,
// then /usr/share/dlib/ (Debian's libdlib-data). Throws Error{BadInput} with the
// install hint when none exists.
std::filesystem::path landmarkModelPath();

}  // namespace redub::core
