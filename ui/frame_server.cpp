#include "ui/frame_server.hpp"

#include "media/video_reader.hpp"
#include "redub/error.hpp"
#include "ui/image_convert.hpp"

#include <QMutex>

namespace redub::ui {
namespace {
QMutex g_path_mutex;
}

FrameServer::FrameServer() : worker_(new QObject) {
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.setObjectName(QStringLiteral("frame-server"));
    thread_.start();
}

FrameServer::~FrameServer() {
    thread_.quit();
    thread_.wait();
    reader_.reset();
}

void FrameServer::open(const QString& path) {
    {
        QMutexLocker lock(&g_path_mutex);
        pending_path_ = path;
    }
    reopen_ = true;
    latest_ = -1;
}

void FrameServer::request(int64_t frame) {
    latest_ = frame;
    if (!scheduled_.exchange(true))
        QMetaObject::invokeMethod(
            worker_, [this] { process(); }, Qt::QueuedConnection);
}

void FrameServer::process() {
    scheduled_ = false;
    if (reopen_.exchange(false)) {
        reader_.reset();
        last_decoded_ = -2;
        QMutexLocker lock(&g_path_mutex);
        path_ = pending_path_;
    }
    const int64_t k = latest_.load();
    if (k < 0 || path_.isEmpty()) return;
    try {
        if (!reader_) reader_ = std::make_unique<media::VideoReader>(path_.toStdString());
        cv::Mat rgb;
        if (k == last_decoded_ + 1) {
            media::VideoFrame f;
            if (reader_->next(f)) rgb = f.rgb;
        } else {
            rgb = reader_->frameAt(k);
        }
        last_decoded_ = rgb.empty() ? -2 : k;
        if (rgb.empty()) return;
        Q_EMIT frameReady(k, toImage(rgb));
    } catch (const Error& e) {
        reader_.reset();
        last_decoded_ = -2;
        Q_EMIT failed(QString::fromStdString(e.what()));
    } catch (const std::exception& e) {
        reader_.reset();
        last_decoded_ = -2;
        Q_EMIT failed(QStringLiteral("%1: %2").arg(path_, QString::fromUtf8(e.what())));
    }
}

}  // namespace redub::ui
