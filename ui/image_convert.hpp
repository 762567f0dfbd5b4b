// cv::Mat -> QImage, written once for the whole editor.
#pragma once

#include <QImage>

#include <opencv2/core/mat.hpp>

namespace redub::ui {

// A deep copy of an 8-bit RGB (or single-channel grey) picture; a picture taller than
// max_height (> 0) is first shrunk to that height. Empty for an empty Mat.
QImage toImage(const cv::Mat& picture, int max_height = 0);

}  // namespace redub::ui
