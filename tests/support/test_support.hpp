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

// A file that a Debian package installs (installer/packages.txt lists the package; the
// guard test_packages checks that it does).
struct SystemFile {
    const char* path;
    const char* package;
};

// A real frontal portrait (matplotlib's sample data: Grace Hopper, US Navy, public domain).
// deb:python-matplotlib-data
inline constexpr SystemFile kHopperPhoto{"/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                                         "python-matplotlib-data"};

// dlib's 68-point landmark model, which FaceDetector loads. deb:libdlib-data
inline constexpr SystemFile kDlibLandmarks{"/usr/share/dlib/shape_predictor_68_face_landmarks.dat", "libdlib-data"};

// Empty when `f` exists; else one line that names the file and the package to install.
QString missingSystemFile(const SystemFile& f);

}  // namespace redub::test

// Fails the current test function (initTestCase: the whole test) with one clear line
// when a system file the test reads is missing - never an exception or an abort.
#define REDUB_REQUIRE_SYSTEM_FILE(f)                                                   \
    do {                                                                              \
        const QString redub_missing_ = redub::test::missingSystemFile(f);             \
        if (!redub_missing_.isEmpty()) QFAIL(qPrintable(redub_missing_));             \
    } while (false)

namespace redub::test {

}  // namespace redub::test
