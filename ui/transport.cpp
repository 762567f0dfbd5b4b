#include "ui/transport.hpp"

#include "core/project/project.hpp"
#include "media/audio_player.hpp"
#include "media/audio_reader.hpp"
#include "redub/units.hpp"
#include "ui/document.hpp"

#include <QCoreApplication>
#include <QKeyEvent>

#include <algorithm>

namespace redub::ui {
namespace {

// `src` placed on the video's time line: delayed by `offset` samples at
// core::kOffsetSampleRate (> 0: silence first), or with its start cut off (< 0).
std::shared_ptr<const media::AudioBuffer> placedAt(const media::AudioBuffer& src, int64_t offset) {
    auto out = std::make_shared<media::AudioBuffer>();
    out->sample_rate = src.sample_rate;
    out->channels = src.channels;
    const int64_t shift = rescaleSamples(offset, core::kOffsetSampleRate, src.sample_rate);  // frames
    const int64_t n = src.frames();
    const int ch = src.channels;
    if (shift >= 0) {
        out->samples.assign(size_t((n + shift) * ch), 0.f);
        std::copy(src.samples.begin(), src.samples.end(), out->samples.begin() + shift * ch);
    } else if (-shift < n) {
        out->samples.assign(src.samples.begin() + (-shift) * ch, src.samples.end());
    }
    return out;
}

}  // namespace

Transport::Transport(Document* doc, QObject* parent)
    : QObject(parent), doc_(doc), player_(std::make_unique<media::AudioPlayer>()) {
    qApp->installEventFilter(this);  // K held down (see eventFilter)
    play_timer_.setInterval(10);
    play_timer_.setTimerType(Qt::PreciseTimer);
    connect(&play_timer_, &QTimer::timeout, this, &Transport::onTick);
}

Transport::~Transport() {
    play_timer_.stop();
    player_->stop();
}

void Transport::seek(int64_t frame) {
    if (!doc_->hasVideo()) return;
    frame = std::clamp<int64_t>(frame, 0, doc_->frameCount() - 1);
    if (frame == frame_) return;
    frame_ = frame;
    Q_EMIT frameChanged(frame);
}

void Transport::restart() {
    frame_ = -1;
    seek(0);
}

void Transport::setAudioLane(Lane lane) {
    audio_lane_ = lane;
    if (speed_ == 1) play(1);
}

void Transport::updateAudioBuffer() {
    auto src = doc_->media().playbackAudio(audio_lane_);
    const int64_t offset = audio_lane_ == Lane::Speech ? doc_->project().offset_samples : 0;
    if (!src) {
        player_->setBuffer(nullptr);
        placed_audio_.reset();
        placed_from_ = nullptr;
        return;
    }
    if (src.get() == placed_from_ && offset == placed_for_offset_) return;
    placed_audio_ = placedAt(*src, offset);
    placed_from_ = src.get();
    placed_for_offset_ = offset;
    player_->setBuffer(placed_audio_);
}

void Transport::play(int speed) {
    if (!doc_->hasVideo()) return;
    if (speed == 0) return pause();
    speed = std::clamp(speed, -8, 8);
    if (frame_ >= doc_->frameCount() - 1 && speed > 0) seek(0);
    speed_ = speed;
    play_start_frame_ = frame_;  // the clock restarts from here at the new speed
    play_clock_.start();
    if (speed == 1) {
        updateAudioBuffer();
        if (placed_audio_) player_->play(doc_->frameToSeconds(frame_));
    } else {
        player_->pause();  // sound only at 1x forwards
    }
    Q_EMIT speedChanged(speed);
    play_timer_.start();
}

void Transport::pause() {
    if (!speed_) return;
    speed_ = 0;
    play_timer_.stop();
    player_->pause();
    Q_EMIT speedChanged(0);
}

void Transport::shuttle(int direction) {
    if (!doc_->hasVideo()) return;
    direction = direction < 0 ? -1 : 1;
    if (k_held_) {
        pause();
        seek(frame_ + direction);
        return;
    }
    if (speed_ * direction > 0)
        play(std::min(std::abs(speed_) * 2, 8) * direction);
    else
        play(direction);
}

void Transport::shuttleStop() {
    k_held_ = true;
    pause();
}

bool Transport::eventFilter(QObject* watched, QEvent* event) {
    // K's release can reach any widget (or none of ours): watch the whole application.
    if (event->type() == QEvent::KeyRelease) {
        const auto* k = static_cast<QKeyEvent*>(event);
        if (k->key() == Qt::Key_K && !k->isAutoRepeat()) k_held_ = false;
    } else if (event->type() == QEvent::ApplicationDeactivate) {
        k_held_ = false;
    }
    return QObject::eventFilter(watched, event);
}

void Transport::onTick() {
    double t;
    if (speed_ == 1 && placed_audio_ && player_->playing())
        t = player_->positionS();  // the audio clock drives the picture
    else
        t = doc_->frameToSeconds(play_start_frame_) + speed_ * play_clock_.elapsed() / 1000.0;
    const int64_t f = doc_->secondsToFrame(t + 1e-6);
    if ((speed_ > 0 && f >= doc_->frameCount()) || (speed_ < 0 && f < 0)) {
        seek(speed_ > 0 ? doc_->frameCount() - 1 : 0);
        pause();
        return;
    }
    seek(f);
}

}  // namespace redub::ui
