// Job primitives shared by every long-running call (decode, detect, sample,
// encode, dub, train): a cancel token and a progress report.
//
// Cancel: callers own a std::stop_source and pass its token; long loops call
// throwIfCancelled(token) (throws Error{Cancelled}) or test stop_requested().
// Progress: a callback that returns false to ask the job to stop.
#pragma once

#include "redub/error.hpp"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace redub {

struct Progress {
    std::string stage;        // "decode", "detect", "model", "encode", ...
    int64_t done = 0;         // units done in this stage (frames, steps, ...)
    int64_t total = 0;        // 0 when unknown
    double fraction = 0.0;    // overall job fraction in [0, 1]
    double eta_seconds = -1;  // < 0 when unknown
};

// Return false to cancel the job.
using ProgressFn = std::function<bool(const Progress&)>;

inline void throwIfCancelled(const std::stop_token& token) {
    if (token.stop_requested()) throw Error(ErrorKind::Cancelled, "cancelled by the user");
}

}  // namespace redub
