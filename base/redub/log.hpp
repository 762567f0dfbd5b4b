// One spdlog logger per layer ("media", "models", "core", "ui", "app"), all
// writing to a shared set of sinks (stderr by default). The GUI adds a sink to
// show the log panel; the CLI sets the level from --verbose/--quiet.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <string_view>

namespace redub::log {

// The logger of a layer; created on first use with the shared sinks.
std::shared_ptr<spdlog::logger> get(std::string_view layer);

inline std::shared_ptr<spdlog::logger> media() { return get("media"); }
inline std::shared_ptr<spdlog::logger> models() { return get("models"); }
inline std::shared_ptr<spdlog::logger> core() { return get("core"); }
inline std::shared_ptr<spdlog::logger> ui() { return get("ui"); }
inline std::shared_ptr<spdlog::logger> app() { return get("app"); }

// Adds a sink to every existing and future layer logger.
void addSink(std::shared_ptr<spdlog::sinks::sink> sink);
void removeSink(const std::shared_ptr<spdlog::sinks::sink>& sink);

// Level for every layer logger (spdlog::level::info by default; REDUB_LOG_LEVEL
// in the environment - trace/debug/info/warn/error/off - overrides the default).
void setLevel(spdlog::level::level_enum level);

// The project version string ("0.1.0").
std::string_view version();

}  // namespace redub::log
