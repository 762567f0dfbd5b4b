// Generated crops of an export, kept on disk while it runs, so that an export that dies
// (the process killed, the machine out of power after the page cache was written) restarts
// where it stopped: the same export run again takes the crops it already has from the
// journal and generates only the rest - for an autoregressive model too, since the journal
// holds the chain's own frames and the next frame's motion history comes from them.
//
// One append-only file per export key in userCacheDir()/export-crops/: records of
// (output frame, rows, cols, RGB bytes). A torn last record (killed mid-write) is ignored.
// The key hashes everything that changes a crop or the chain (files with their size and
// modification time, model, sampler, offset, ranges, chunking, face, ...), so a journal is
// only ever used by the export that wrote it. Removed when that export finishes; journals
// left for more than kJournalMaxAgeDays are removed by the next export.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace redub::core {

// $XDG_CACHE_HOME/redub, else $HOME/.cache/redub, else <temp>/redub-cache.
std::filesystem::path userCacheDir();

// A stable 64-bit FNV-1a hash (the same in every build: it names files on disk).
uint64_t stableHash(std::string_view text, uint64_t seed = 0xcbf29ce484222325ull);

class CropJournal {
public:
    static constexpr int kJournalMaxAgeDays = 7;

    // Opens (creates) the journal of `key` in `dir` and indexes what an earlier run of the
    // same export wrote. Never throws: when the folder cannot be written the journal is
    // disabled (the export runs as before) and a warning is logged.
    CropJournal(const std::filesystem::path& dir, uint64_t key);
    ~CropJournal();
    CropJournal(const CropJournal&) = delete;
    CropJournal& operator=(const CropJournal&) = delete;

    bool enabled() const { return fd_ >= 0; }
    size_t size() const { return index_.size(); }  // frames held
    const std::filesystem::path& path() const { return path_; }

    // The crop of output frame `frame` an earlier run wrote, or an empty Mat.
    cv::Mat get(int64_t frame);
    // Appends a crop (CV_8UC3) and flushes it to the OS (it survives the process).
    void put(int64_t frame, const cv::Mat& crop);
    // The export finished: the journal is no longer needed.
    void remove();

private:
    std::filesystem::path path_;
    int fd_ = -1;
    int64_t end_ = 0;                              // where the next record goes
    std::unordered_map<int64_t, int64_t> index_;  // frame -> offset of its record
    std::mutex mutex_;                             // put() on the model thread, get() on the decode thread
};

}  // namespace redub::core
