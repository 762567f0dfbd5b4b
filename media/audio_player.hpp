// Audio playback through PortAudio, reporting the played position so a GUI
// playhead can follow it.
//
//   redub::media::AudioPlayer player;
//   player.setBuffer(std::make_shared<AudioBuffer>(readAudio(f, 48000, 2)));
//   player.play(12.5);                 // from 12.5 s
//   double t = player.positionS();     // any thread; what the listener hears now
//
// "No audio device" is a normal state, not an error: available() is false,
// unavailableReason() says why, and play()/pause()/positionS() still work
// against the wall clock (silently), so the rest of the application behaves
// the same. ALSA's stderr chatter during device enumeration is silenced.
#pragma once

#include "media/audio_reader.hpp"

#include <memory>
#include <string>

namespace redub::media {

class AudioPlayer {
public:
    AudioPlayer();  // never throws for a missing device
    ~AudioPlayer();
    AudioPlayer(const AudioPlayer&) = delete;
    AudioPlayer& operator=(const AudioPlayer&) = delete;

    bool available() const;                 // an output device is open
    std::string unavailableReason() const;  // "" when available()
    std::string deviceName() const;         // "" when not available()

    // What to play (any rate/channel count; 1 or 2 channels recommended).
    // Stops playback.
    void setBuffer(std::shared_ptr<const AudioBuffer> buffer);

    void play(double from_s);  // starts (or restarts) at from_s, clamped to the buffer
    void pause();              // keeps the position
    void resume();             // continues from the paused position
    void stop();               // pauses and rewinds to 0

    bool playing() const;      // false after pause()/stop() or at the end of the buffer
    double positionS() const;  // played position, seconds (thread-safe)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redub::media
