// Job primitives shared by every long-running call (decode, detect, sample,
// encode, dub, train): a cancel token and a progress report.
//
// Cancel: the one channel. Callers own a std::stop_source and pass its token; long loops
// call throwIfCancelled(token) (throws Error{Cancelled}) or test stop_requested().
// Progress: reporting only - a callback that wants the job to stop requests stop on the
// caller's stop_source.
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

using ProgressFn = std::function<void(const Progress&)>;

inline void throwIfCancelled(const std::stop_token& token) {
    if (token.stop_requested()) throw Error(ErrorKind::Cancelled, "cancelled by the user");
}

}  // namespace redub
