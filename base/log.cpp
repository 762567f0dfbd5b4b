#include "redub/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace redub::log {
namespace {

struct Registry {
    std::mutex mutex;
    std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
    spdlog::level::level_enum level = spdlog::level::info;

    Registry() {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        if (const char* env = std::getenv("REDUB_LOG_LEVEL"))
            level = spdlog::level::from_str(env);
    }
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view layer) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.loggers.find(layer); it != r.loggers.end()) return it->second;
    auto logger = std::make_shared<spdlog::logger>(std::string(layer), r.sinks.begin(), r.sinks.end());
    logger->set_level(r.level);
    logger->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
    r.loggers.emplace(std::string(layer), logger);
    return logger;
}

void addSink(std::shared_ptr<spdlog::sinks::sink> sink) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.sinks.push_back(sink);
    for (auto& [name, logger] : r.loggers) logger->sinks().push_back(sink);
}

void removeSink(const std::shared_ptr<spdlog::sinks::sink>& sink) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::erase(r.sinks, sink);
    for (auto& [name, logger] : r.loggers) std::erase(logger->sinks(), sink);
}

void setLevel(spdlog::level::level_enum level) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.level = level;
    for (auto& [name, logger] : r.loggers) logger->set_level(level);
}

std::string_view version() { return REDUB_VERSION; }

}  // namespace redub::log
