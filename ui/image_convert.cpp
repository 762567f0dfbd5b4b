#include "ui/image_convert.hpp"

#include <opencv2/imgproc.hpp>

namespace redub::ui {

QImage toImage(const cv::Mat& picture, int max_height) {
    if (picture.empty()) return {};
    cv::Mat m = picture;
    if (max_height > 0 && picture.rows > max_height)
        cv::resize(picture, m, cv::Size(picture.cols * max_height / picture.rows, max_height), 0, 0, cv::INTER_AREA);
    const auto format = m.type() == CV_8UC1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    return QImage(m.data, m.cols, m.rows, int(m.step), format).copy();
}

}  // namespace redub::ui
