// Decodes video frames for display on its own thread. Requests are coalesced:
// only the latest requested frame is decoded (scrubbing never queues up), and
// consecutive frames use sequential decoding (playback) instead of seeking.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

namespace redub::media {
class VideoReader;
}

namespace redub::ui {

class FrameServer : public QObject {
    Q_OBJECT
public:
    FrameServer();
    ~FrameServer() override;

    // Any thread. An empty path closes the video.
    void open(const QString& path);
    void request(int64_t frame);

Q_SIGNALS:
    void frameReady(qint64 frame, const QImage& rgb);  // queued to the requester's thread
    void failed(const QString& message);

private:
    void process();  // worker thread
    QThread thread_;
    QObject* worker_;  // lives in thread_
    std::unique_ptr<media::VideoReader> reader_;
    QString path_, pending_path_;
    std::atomic<int64_t> latest_{-1};
    std::atomic<bool> scheduled_{false};
    std::atomic<bool> reopen_{false};
    int64_t last_decoded_ = -2;
};

}  // namespace redub::ui
