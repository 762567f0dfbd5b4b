// libFuzzer target: media::probe (FFmpeg demuxing, stream and frame-rate analysis) on arbitrary
// bytes written to a file in /dev/shm. redub::Error is the expected answer to a bad file;
// anything else is a finding.
#include "media/probe.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    redub::log::setLevel(spdlog::level::off);  // warnings about each bad input would dominate the run time
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = "/dev/shm/redub-fuzz-probe-" + std::to_string(getpid()) + ".bin";
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        return 0;
    }
    try {
        redub::media::probe(path);
    } catch (const redub::Error&) {
    }
    return 0;
}
