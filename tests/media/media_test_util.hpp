// Helpers for the media tests: clips generated with the ffmpeg CLI at test
// time whose frames carry their own number, so decoding order and timeline
// mapping can be checked pixel-wise.
#pragma once

#include "support/test_support.hpp"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <opencv2/core.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "redub/rational.hpp"

// QCOMPARE prints these through toString() found by argument-dependent lookup.
namespace redub {
inline char* toString(const Rational& r) { return qstrdup(r.toString().c_str()); }
}  // namespace redub
namespace cv {
inline char* toString(const Size& s) { return qstrdup(qPrintable(QString("%1x%2").arg(s.width).arg(s.height))); }
}  // namespace cv

namespace redub::test::media {

// Frame N of a numbered clip has luma 16 + N*kLumaStep (limited range), i.e.
// RGB grey about N * 9.3: up to 27 frames stay distinguishable.
inline constexpr int kLumaStep = 8;
inline constexpr int kMaxNumbered = 27;

// lavfi input of a numbered grey clip (yuv420p).
inline QStringList numberedInput(int w, int h, const QString& rate) {
    return {"-f", "lavfi", "-i",
            QString("color=c=black:s=%1x%2:r=%3,format=yuv444p,geq=lum='16+N*%4':cb=128:cr=128,format=yuv420p")
                .arg(w)
                .arg(h)
                .arg(rate)
                .arg(kLumaStep)};
}

// The frame number encoded by numberedInput (from the decoded RGB mean).
inline int frameNumber(const cv::Mat& rgb) {
    const double grey = cv::mean(rgb)[1];
    return int(std::lround(grey / (kLumaStep * 255.0 / 219.0)));
}

inline std::filesystem::path path(const QTemporaryDir& dir, const QString& name) {
    return std::filesystem::path(dir.path().toStdString()) / name.toStdString();
}

inline QString q(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

inline void writeBytes(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

inline std::string readBytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Number of entries in a folder (to check that nothing was left behind).
inline int entriesIn(const QTemporaryDir& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path().toStdString())) ++n;
    return n;
}

}  // namespace redub::test::media
