#include "redub/file.hpp"

#include "redub/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace redub {

PartialFile::PartialFile(std::filesystem::path path)
    : target_(std::move(path)), partial_(std::filesystem::path(target_).concat(".partial")) {}

PartialFile::~PartialFile() {
    if (committed_) return;
    std::error_code ec;
    std::filesystem::remove(partial_, ec);
}

void PartialFile::commit() {
    std::error_code ec;
    std::filesystem::rename(partial_, target_, ec);
    if (ec) fail(ErrorKind::Io, target_, "cannot move the finished file into place: " + ec.message());
    committed_ = true;
}

ScratchPaths::~ScratchPaths() {
    for (const auto& p : paths_) {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
    }
}

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    PartialFile file(path);
    {
        std::ofstream out(file.partial(), std::ios::binary | std::ios::trunc);
        if (!out)
            fail(ErrorKind::Io, path,
                 std::string("cannot be written here (missing folder or no permission): ") + std::strerror(errno));
        write(out);
        out.flush();
        if (!out) fail(ErrorKind::Io, path, "writing failed (disk full?)");
    }
    file.commit();
}

}  // namespace redub
