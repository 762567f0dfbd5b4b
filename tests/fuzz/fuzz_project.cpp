// libFuzzer target: a .redub project file's bytes through core::parseProject - exactly what
// loadProject does with a file's text (JSON parsing, then every field checked).
// redub::Error is the expected answer to a bad file; anything else is a finding.
#include "core/project/project.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    redub::log::setLevel(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        redub::core::parseProject(std::string(reinterpret_cast<const char*>(data), size), "/nonexistent/fuzz.redub");
    } catch (const redub::Error&) {
    }
    return 0;
}
