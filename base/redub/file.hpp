// Writing a file so that readers only ever see the old one or the whole new one.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

namespace redub {

// Opens "<path>.partial" (binary), calls write(stream), and renames it onto `path` when the
// stream is still good. A failure - no folder, no permission, disk full, `write` throwing -
// removes the temporary file and leaves `path` as it was; it throws Error{Io} naming `path`
// (or rethrows what `write` threw).
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace redub
