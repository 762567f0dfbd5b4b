#include "redub/error.hpp"

#include <string>

namespace redub {

std::string_view toString(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::BadInput: return "bad input";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Io: return "I/O error";
    case ErrorKind::Model: return "model error";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal error";
    }
    return "error";
}

int exitCode(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::BadInput: return 2;
    case ErrorKind::Unsupported: return 3;
    case ErrorKind::Io: return 4;
    case ErrorKind::Model: return 5;
    case ErrorKind::Cancelled: return 6;
    case ErrorKind::Internal: return 7;
    }
    return 7;
}

void fail(ErrorKind kind, const std::filesystem::path& file, std::string_view what) {
    throw Error(kind, file.string() + ": " + std::string(what));
}

void fail(ErrorKind kind, std::string_view what) { throw Error(kind, std::string(what)); }

}  // namespace redub
