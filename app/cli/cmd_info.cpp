#include "cli/commands.hpp"
#include "core/project/paths.hpp"
#include "media/versions.hpp"
#include "models/runtime.hpp"
#include "redub/log.hpp"

#include <cstdio>

namespace redub::cli {

int cmdInfo(const Args&) {
    std::printf("Redub %s\n", std::string(log::version()).c_str());
    std::printf("media:  %s\n", media::libraryVersions().c_str());
    std::printf("models: %s\n", models::torchVersion().c_str());
    std::printf("data:   %s\n", core::dataDir().string().c_str());
    try {
        std::printf("dlib landmarks: %s\n", core::landmarkModelPath().string().c_str());
    } catch (const std::exception& e) {
        std::printf("dlib landmarks: missing (%s)\n", e.what());
    }
    return 0;
}

}  // namespace redub::cli
