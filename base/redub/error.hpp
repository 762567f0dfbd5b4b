// The one exception type of Redub (docs/ARCHITECTURE.md, "Errors").
//
// Library code throws redub::Error with a category and a sentence that names
// the file (or object) and what is wrong / what to do. Apps catch it at their
// boundary: the GUI shows a dialog, the CLI prints the sentence and exits with
// exitCode(kind).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace redub {

enum class ErrorKind {
    BadInput,     // the user's file or argument is wrong (missing, corrupt, out of range)
    Unsupported,  // valid but not handled (codec, device, model family)
    Io,           // the OS refused (unwritable folder, disk full)
    Model,        // model file or inference failure (LibTorch errors end up here)
    Cancelled,    // the user cancelled; not a failure
    Internal,     // a bug in Redub
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

// "bad input", "unsupported", ...
std::string_view toString(ErrorKind kind) noexcept;

// Distinct process exit codes per category (0 = success, 1 = usage error).
int exitCode(ErrorKind kind) noexcept;

// Convenience: throws Error(kind, "<path>: <what>").
[[noreturn]] void fail(ErrorKind kind, const std::filesystem::path& file, std::string_view what);
[[noreturn]] void fail(ErrorKind kind, std::string_view what);

}  // namespace redub
