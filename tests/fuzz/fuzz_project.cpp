// libFuzzer target: a .redub project file's bytes through JSON parsing and core::fromJson.
// A JSON parse error or redub::Error is the expected answer to a bad file (what loadProject
// reports); anything else is a finding.
#include "core/project/project.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    redub::log::setLevel(spdlog::level::off);  // warnings about each bad input would dominate the run time
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return 0;
    try {
        redub::core::fromJson(j, "/nonexistent/base");
    } catch (const redub::Error&) {
    }
    return 0;
}
