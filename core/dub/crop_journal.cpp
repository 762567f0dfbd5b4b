#include "core/dub/crop_journal.hpp"

#include "redub/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace redub::core {
namespace {

constexpr std::array<char, 8> kMagic = {'R', 'D', 'B', 'J', 'R', 'N', 'L', '1'};

struct RecordHead {
    int64_t frame;
    int32_t rows, cols;
    uint64_t checksum;  // stableHash of the pixels
};
static_assert(sizeof(RecordHead) == 24);

constexpr int32_t kMaxSide = 4096;

bool readAt(int fd, void* buf, size_t n, int64_t off) {
    auto* p = static_cast<char*>(buf);
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, off);
        if (r <= 0) return false;
        p += r, n -= size_t(r), off += r;
    }
    return true;
}

bool writeAll(int fd, const void* buf, size_t n) {
    const auto* p = static_cast<const char*>(buf);
    while (n > 0) {
        const ssize_t r = ::write(fd, p, n);
        if (r <= 0) return false;
        p += r, n -= size_t(r);
    }
    return true;
}

void pruneOld(const fs::path& dir) {
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::error_code ec2;
        const auto t = e.last_write_time(ec2);
        if (!ec2 && now - t > std::chrono::hours(24 * CropJournal::kJournalMaxAgeDays)) fs::remove(e.path(), ec2);
    }
}

}  // namespace

fs::path userCacheDir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "redub";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "redub";
    return fs::temp_directory_path() / "redub-cache";
}

uint64_t stableHash(std::string_view text, uint64_t seed) {
    uint64_t h = seed;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

CropJournal::CropJournal(const fs::path& dir, uint64_t key) {
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.crops", static_cast<unsigned long long>(key));
    path_ = dir / name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    pruneOld(dir);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        log::core()->warn("export journal: cannot open {} ({}); an interrupted export will start again",
                          path_.string(), std::strerror(errno));
        return;
    }
    const int64_t size = ::lseek(fd_, 0, SEEK_END);
    std::array<char, 8> magic{};
    int64_t off = int64_t(kMagic.size());
    if (size < off || !readAt(fd_, magic.data(), magic.size(), 0) || magic != kMagic) {
        // New, or not a journal: start it afresh.
        if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, kMagic.data(), kMagic.size(), 0) != ssize_t(kMagic.size())) {
            log::core()->warn("export journal: cannot write {}", path_.string());
            ::close(fd_);
            fd_ = -1;
            return;
        }
    } else {
        RecordHead h{};
        while (off + int64_t(sizeof h) <= size && readAt(fd_, &h, sizeof h, off)) {
            if (h.rows <= 0 || h.cols <= 0 || h.rows > kMaxSide || h.cols > kMaxSide) break;
            const int64_t next = off + int64_t(sizeof h) + int64_t(h.rows) * h.cols * 3;
            if (next > size) break;  // torn: the process died while writing it
            index_[h.frame] = off;
            off = next;
        }
        if (off < size && ::ftruncate(fd_, off) != 0) {
            ::close(fd_);
            fd_ = -1;
            return;
        }
        if (!index_.empty())
            log::core()->info("export journal: {} frames of an interrupted export found ({})", index_.size(),
                              path_.string());
    }
    end_ = off;
    ::lseek(fd_, end_, SEEK_SET);
}

CropJournal::~CropJournal() {
    if (fd_ >= 0) ::close(fd_);
}

cv::Mat CropJournal::get(int64_t frame) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0) return {};
    const auto it = index_.find(frame);
    if (it == index_.end()) return {};
    RecordHead h{};
    if (!readAt(fd_, &h, sizeof h, it->second) || h.frame != frame) return {};
    cv::Mat crop(h.rows, h.cols, CV_8UC3);
    const size_t n = crop.total() * crop.elemSize();
    if (!readAt(fd_, crop.data, n, it->second + int64_t(sizeof h)) ||
        stableHash(std::string_view(reinterpret_cast<const char*>(crop.data), n)) != h.checksum) {
        log::core()->warn("export journal: frame {} in {} is damaged; generating it again", frame, path_.string());
        index_.erase(it);
        return {};
    }
    return crop;
}

void CropJournal::put(int64_t frame, const cv::Mat& crop) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0 || crop.empty() || crop.type() != CV_8UC3) return;
    const cv::Mat c = crop.isContinuous() ? crop : crop.clone();
    const size_t n = c.total() * c.elemSize();
    const RecordHead h{frame, c.rows, c.cols, stableHash(std::string_view(reinterpret_cast<const char*>(c.data), n))};
    if (!writeAll(fd_, &h, sizeof h) || !writeAll(fd_, c.data, n)) {
        // Disk full or gone: stop journaling, leave what is there consistent.
        log::core()->warn("export journal: cannot append to {}; no longer journaling", path_.string());
        if (::ftruncate(fd_, end_) != 0) {}
        ::close(fd_);
        fd_ = -1;
        return;
    }
    index_[frame] = end_;
    end_ += int64_t(sizeof h + n);
}

void CropJournal::remove() {
    std::lock_guard lock(mutex_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    fs::remove(path_, ec);
    index_.clear();
}

}  // namespace redub::core
