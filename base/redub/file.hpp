// Writing a file so that readers only ever see the old one or the whole new one.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <vector>

namespace redub {

// A file that a library writes itself (FFmpeg, LibTorch) under "<path>.partial", renamed
// onto `path` by commit(). Destroyed without commit() (an error, a cancel), it removes the
// partial file: `path` keeps what it had.
class PartialFile {
public:
    explicit PartialFile(std::filesystem::path path);
    ~PartialFile();
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;
    const std::filesystem::path& partial() const { return partial_; }
    const std::filesystem::path& target() const { return target_; }
    bool committed() const { return committed_; }
    // Renames the partial file onto the target; Error{Io} naming the target when it cannot.
    void commit();

private:
    std::filesystem::path target_, partial_;
    bool committed_ = false;
};

// Scratch files and folders of one job (a spoken speech track, a rendered still, a
// measuring folder), removed with everything in them when the job ends, however it ends.
class ScratchPaths {
public:
    ScratchPaths() = default;
    explicit ScratchPaths(std::initializer_list<std::filesystem::path> paths) : paths_(paths) {}
    ~ScratchPaths();
    ScratchPaths(const ScratchPaths&) = delete;
    ScratchPaths& operator=(const ScratchPaths&) = delete;
    const std::filesystem::path& add(std::filesystem::path path) { return paths_.emplace_back(std::move(path)); }

private:
    std::vector<std::filesystem::path> paths_;
};

// Opens "<path>.partial" (binary), calls write(stream), and renames it onto `path` when the
// stream is still good. A failure - no folder, no permission, disk full, `write` throwing -
// removes the temporary file and leaves `path` as it was; it throws Error{Io} naming `path`
// (or rethrows what `write` threw).
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace redub
