// libFuzzer target: models::parseTorchCheckpoint (the .pt importer: zip + pickle) on arbitrary
// bytes. redub::Error is the expected answer to a bad file; anything else is a finding.
#include "models/pt_import.hpp"
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
        redub::models::parseTorchCheckpoint(std::string(reinterpret_cast<const char*>(data), size), "fuzz.pt");
    } catch (const redub::Error&) {
    }
    return 0;
}
