// Generated face crops cached by (output frame, settings hash), so scrubbing,
// previews and export reuse each other's work. Least-recently-used entries are
// dropped beyond a byte budget. Thread-safe.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>

namespace redub::core {

class FrameCache {
public:
    struct Key {
        int64_t frame = 0;
        uint64_t settings = 0;  // hash of everything that changes the generated crop
        auto operator<=>(const Key&) const = default;
    };

    explicit FrameCache(size_t budget_bytes) : budget_(budget_bytes) {}

    std::optional<cv::Mat> get(const Key& key);
    void put(const Key& key, const cv::Mat& crop);  // stores a reference-counted copy
    void clear();
    void setBudget(size_t budget_bytes);  // drops what no longer fits
    size_t bytes() const;
    size_t size() const;

private:
    using Lru = std::list<Key>;
    struct Entry {
        cv::Mat crop;
        Lru::iterator pos;
    };
    size_t budget_;
    size_t bytes_ = 0;
    mutable std::mutex mutex_;
    Lru lru_;  // front = most recent
    std::map<Key, Entry> entries_;
};

}  // namespace redub::core
