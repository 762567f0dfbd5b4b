#include "media/audio_player.hpp"

#include "redub/log.hpp"

#include <portaudio.h>
#ifdef REDUB_HAVE_ALSA
#include <alsa/asoundlib.h>
#endif

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <mutex>

namespace redub::media {

namespace {
#ifdef REDUB_HAVE_ALSA
void silentAlsa(const char*, int, const char*, int, const char*, ...) {}
#endif

// Pa_Initialize probes ALSA, JACK and OSS, which print dozens of lines to
// stderr on machines without sound hardware. Silence them for its duration.
PaError quietInitialize() {
#ifdef REDUB_HAVE_ALSA
    snd_lib_error_set_handler(silentAlsa);
#endif
    std::fflush(stderr);
    const int saved = ::dup(2);
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0) ::dup2(devnull, 2);
    const PaError err = Pa_Initialize();
    std::fflush(stderr);
    if (saved >= 0) {
        ::dup2(saved, 2);
        ::close(saved);
    }
    if (devnull >= 0) ::close(devnull);
    return err;
}

using Clock = std::chrono::steady_clock;
}  // namespace

struct AudioPlayer::Impl {
    bool initialised = false;
    std::string reason, device;
    PaStream* stream = nullptr;
    int stream_rate = 0, stream_channels = 0;
    double latency_s = 0;

    mutable std::mutex mutex;  // guards buffer swaps and state changes (not the callback's reads)
    std::shared_ptr<const AudioBuffer> buffer;
    std::atomic<int64_t> frame_pos{0};    // next frame the callback hands to the device
    std::atomic<int64_t> start_frame{0};  // where the current play() started
    std::atomic<bool> playing{false};
    // Wall-clock fallback (no device): position = start + elapsed.
    Clock::time_point clock_start;
    double clock_from_s = 0;
    double paused_at_s = 0;

    static int callback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                        PaStreamCallbackFlags, void* user) {
        auto* self = static_cast<Impl*>(user);
        float* out = static_cast<float*>(output);
        const AudioBuffer* buf = self->buffer.get();
        const int ch = self->stream_channels;
        int64_t pos = self->frame_pos.load();
        const int64_t total = buf ? buf->frames() : 0;
        const int64_t n = self->playing.load() ? std::clamp<int64_t>(total - pos, 0, int64_t(frames)) : 0;
        if (n > 0) std::copy_n(buf->samples.data() + pos * ch, n * ch, out);
        std::fill(out + n * ch, out + int64_t(frames) * ch, 0.0f);
        self->frame_pos.store(pos + n);
        if (self->playing.load() && pos + n >= total) self->playing.store(false);
        return paContinue;
    }

    double durationS() const { return buffer ? buffer->duration_s() : 0.0; }

    void closeStream() {
        if (!stream) return;
        Pa_StopStream(stream);
        Pa_CloseStream(stream);
        stream = nullptr;
    }

    bool openStream() {
        closeStream();
        if (!initialised || !buffer || buffer->channels <= 0) return false;
        const PaDeviceIndex dev = Pa_GetDefaultOutputDevice();
        if (dev == paNoDevice) {
            reason = "no audio output device";
            return false;
        }
        const PaDeviceInfo* info = Pa_GetDeviceInfo(dev);
        PaStreamParameters out{};
        out.device = dev;
        out.channelCount = buffer->channels;
        out.sampleFormat = paFloat32;
        out.suggestedLatency = info ? info->defaultLowOutputLatency : 0.05;
        const PaError err = Pa_OpenStream(&stream, nullptr, &out, buffer->sample_rate, paFramesPerBufferUnspecified,
                                          paNoFlag, &Impl::callback, this);
        if (err != paNoError) {
            stream = nullptr;
            reason = std::string("cannot open the audio device: ") + Pa_GetErrorText(err);
            log::media()->warn("audio playback unavailable: {}", reason);
            return false;
        }
        stream_rate = buffer->sample_rate;
        stream_channels = buffer->channels;
        if (const PaStreamInfo* si = Pa_GetStreamInfo(stream)) latency_s = si->outputLatency;
        device = info ? info->name : "default";
        reason.clear();
        return true;
    }
};

AudioPlayer::AudioPlayer() : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    const PaError err = quietInitialize();
    if (err != paNoError) {
        d.reason = std::string("PortAudio failed to start: ") + Pa_GetErrorText(err);
        log::media()->warn("audio playback unavailable: {}", d.reason);
        return;
    }
    d.initialised = true;
    const PaDeviceIndex dev = Pa_GetDefaultOutputDevice();
    if (dev == paNoDevice) {
        d.reason = "no audio output device";
        log::media()->info("audio playback unavailable: no output device (playback runs silently on the clock)");
    } else if (const PaDeviceInfo* info = Pa_GetDeviceInfo(dev)) {
        d.device = info->name;
    }
}

AudioPlayer::~AudioPlayer() {
    impl_->closeStream();
    if (impl_->initialised) Pa_Terminate();
}

bool AudioPlayer::available() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->initialised && impl_->reason.empty();
}

std::string AudioPlayer::unavailableReason() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->reason;
}

std::string AudioPlayer::deviceName() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->reason.empty() ? impl_->device : std::string();
}

void AudioPlayer::setBuffer(std::shared_ptr<const AudioBuffer> buffer) {
    Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    d.playing = false;
    d.closeStream();
    d.buffer = std::move(buffer);
    d.frame_pos = 0;
    d.start_frame = 0;
    d.paused_at_s = 0;
    if (d.initialised && Pa_GetDefaultOutputDevice() != paNoDevice) d.openStream();
}

void AudioPlayer::play(double from_s) {
    Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    from_s = std::clamp(from_s, 0.0, d.durationS());
    d.playing = false;
    if (from_s >= d.durationS()) {  // nothing left to play: park at the end
        if (d.stream) Pa_StopStream(d.stream);
        d.clock_from_s = d.paused_at_s = from_s;
        d.frame_pos = d.start_frame = int64_t(from_s * std::max(d.stream_rate, 1));
        return;
    }
    if (d.stream) {
        Pa_StopStream(d.stream);  // drains nothing: the callback outputs silence while !playing
        const int64_t f = int64_t(from_s * d.stream_rate);
        d.frame_pos = f;
        d.start_frame = f;
        d.playing = true;
        const PaError err = Pa_StartStream(d.stream);
        if (err != paNoError) {
            d.reason = std::string("cannot start the audio device: ") + Pa_GetErrorText(err);
            d.closeStream();
        } else {
            return;
        }
    }
    d.clock_from_s = from_s;
    d.clock_start = Clock::now();
    d.playing = from_s < d.durationS();
}

void AudioPlayer::pause() {
    Impl& d = *impl_;
    const double pos = positionS();
    std::lock_guard lock(d.mutex);
    d.playing = false;
    if (d.stream) Pa_StopStream(d.stream);
    d.paused_at_s = pos;
}

void AudioPlayer::resume() {
    double from = 0;
    {
        std::lock_guard lock(impl_->mutex);
        from = impl_->paused_at_s;
    }
    play(from);
}

void AudioPlayer::stop() {
    pause();
    std::lock_guard lock(impl_->mutex);
    impl_->paused_at_s = 0;
    impl_->frame_pos = 0;
    impl_->start_frame = 0;
    impl_->clock_from_s = 0;
}

bool AudioPlayer::playing() const {
    const Impl& d = *impl_;
    if (!d.playing) return false;
    std::lock_guard lock(d.mutex);
    if (!d.stream) {
        const double t = d.clock_from_s + std::chrono::duration<double>(Clock::now() - d.clock_start).count();
        return t < d.durationS();
    }
    return d.playing;
}

double AudioPlayer::positionS() const {
    const Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (d.stream && d.stream_rate > 0) {
        // Frames handed to the device minus what is still queued in it.
        const double sent = double(d.frame_pos.load()) / d.stream_rate;
        const double start = double(d.start_frame.load()) / d.stream_rate;
        const double t = d.playing ? std::max(start, sent - d.latency_s) : sent;
        return d.playing ? t : (d.paused_at_s > 0 ? d.paused_at_s : t);
    }
    if (!d.playing) return d.paused_at_s > 0 ? d.paused_at_s : d.clock_from_s;
    const double t = d.clock_from_s + std::chrono::duration<double>(Clock::now() - d.clock_start).count();
    return std::min(t, d.durationS());
}

}  // namespace redub::media
