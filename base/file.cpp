#include "redub/file.hpp"

#include "redub/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace redub {

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    const fs::path tmp = fs::path(path).concat(".partial");
    std::error_code ec;
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            fail(ErrorKind::Io, path,
                 std::string("cannot be written here (missing folder or no permission): ") + std::strerror(errno));
        try {
            write(out);
        } catch (...) {
            out.close();
            fs::remove(tmp, ec);
            throw;
        }
        out.flush();
        if (!out) {
            out.close();
            fs::remove(tmp, ec);
            fail(ErrorKind::Io, path, "writing failed (disk full?)");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(tmp, ec);
        fail(ErrorKind::Io, path, "cannot move the finished file into place: " + why);
    }
}

}  // namespace redub
