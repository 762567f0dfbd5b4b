#include "core/dub/frame_cache.hpp"

namespace redub::core {
namespace {
size_t bytesOf(const cv::Mat& m) { return m.total() * m.elemSize(); }
}  // namespace

std::optional<cv::Mat> FrameCache::get(const Key& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return it->second.crop;
}

void FrameCache::setBudget(size_t budget_bytes) {
    std::lock_guard lock(mutex_);
    budget_ = budget_bytes;
    while (bytes_ > budget_ && !lru_.empty()) {
        auto old = entries_.find(lru_.back());
        bytes_ -= bytesOf(old->second.crop);
        entries_.erase(old);
        lru_.pop_back();
    }
}

void FrameCache::put(const Key& key, const cv::Mat& crop) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        bytes_ -= bytesOf(it->second.crop);
        lru_.erase(it->second.pos);
        entries_.erase(it);
    }
    const size_t b = bytesOf(crop);
    if (b > budget_) return;
    lru_.push_front(key);
    entries_[key] = Entry{crop, lru_.begin()};
    bytes_ += b;
    while (bytes_ > budget_ && !lru_.empty()) {
        auto old = entries_.find(lru_.back());
        bytes_ -= bytesOf(old->second.crop);
        entries_.erase(old);
        lru_.pop_back();
    }
}

void FrameCache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    lru_.clear();
    bytes_ = 0;
}

size_t FrameCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

size_t FrameCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace redub::core
