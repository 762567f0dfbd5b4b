// Helpers shared by the tests: generating media with the ffmpeg CLI, running
// redub-cli, locating fixtures.
#pragma once

#include <QString>
#include <QStringList>

#include <filesystem>

namespace redub::test {

// Runs `ffmpeg -hide_banner -loglevel error -y ARGS...`; QFAILs-friendly: returns
// false and prints stderr when ffmpeg fails.
bool ffmpeg(const QStringList& args);

// Runs redub-cli (path from $REDUB_CLI) with args; returns the exit code and
// fills stdout/stderr.
int runCli(const QStringList& args, QString* out = nullptr, QString* err = nullptr, int timeout_ms = 600000);

// tests/fixtures/<name> (from $REDUB_TEST_FIXTURES).
std::filesystem::path fixture(const QString& name);

// resources/<name> (from $REDUB_DATA_DIR).
std::filesystem::path resource(const QString& name);

// A real frontal portrait installed with the build dependencies (python3-matplotlib's
// sample data: Grace Hopper, US Navy, public domain).
inline const char* const kHopperPhoto = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

}  // namespace redub::test
