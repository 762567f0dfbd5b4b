// libFuzzer target: models::parseSafetensors on arbitrary bytes. Throwing redub::Error is the
// expected answer to a bad file; anything else (a crash, a sanitizer report, another
// exception, a huge allocation) is a finding.
#include "models/safetensors.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    redub::log::setLevel(spdlog::level::off);  // warnings about each bad input would dominate the run time
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        redub::models::parseSafetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    } catch (const redub::Error&) {
    }
    return 0;
}
