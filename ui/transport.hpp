// The playback clock: the current frame, play / pause / seek, J-K-L shuttle and the
// sound. At 1x forwards the audio output drives the picture; otherwise a timer does
// (picture only). The sound is the chosen lane, the new speech placed at the project's
// offset, so the player's position is video time.
#pragma once

#include "ui/media_analysis.hpp"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <cstdint>
#include <memory>

namespace redub::media {
class AudioPlayer;
}

namespace redub::ui {

class Document;

class Transport : public QObject {
    Q_OBJECT
public:
    explicit Transport(Document* doc, QObject* parent = nullptr);
    ~Transport() override;

    int64_t frame() const { return frame_; }
    // Signed playback speed: 1 forward with sound; 2, 4, 8 faster and -1..-8 backwards
    // (picture only); 0 paused.
    int speed() const { return speed_; }
    bool isPlaying() const { return speed_ != 0; }
    const media::AudioPlayer& player() const { return *player_; }

    void seek(int64_t frame);  // clamped to the video
    void play(int speed = 1);
    void pause();
    // J (-1) and L (+1) like an NLE: play that way at 1x, or twice as fast (up to 8x)
    // when already playing that way; with K held down, step one frame instead.
    void shuttle(int direction);
    // K: pause; while it is held, J and L step single frames.
    void shuttleStop();
    // A new video: back to its first frame.
    void restart();

    Lane audioLane() const { return audio_lane_; }
    void setAudioLane(Lane lane);

Q_SIGNALS:
    void frameChanged(qint64 frame);
    void speedChanged(int speed);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onTick();
    void updateAudioBuffer();

    Document* doc_;
    std::unique_ptr<media::AudioPlayer> player_;
    std::shared_ptr<const media::AudioBuffer> placed_audio_;  // the lane as the player gets it
    int64_t placed_for_offset_ = INT64_MIN;
    const void* placed_from_ = nullptr;
    Lane audio_lane_ = Lane::Speech;

    int64_t frame_ = 0;
    int speed_ = 0;
    bool k_held_ = false;  // K is down (J/L step frames); cleared by its key release
    int64_t play_start_frame_ = 0;
    QElapsedTimer play_clock_;
    QTimer play_timer_;
};

}  // namespace redub::ui
