// Decoding audio (any audio file, or a video's audio stream) to interleaved
// float PCM at a requested sample rate and channel count (FFmpeg swresample).
//
//   auto speech = redub::media::readAudio("speech.mp3", 16000, 1);   // whole file
//   redub::media::AudioReader r("film.mkv", 48000, 2);               // streaming
//   while (r.read(chunk, 4096) > 0) play(chunk);
//
// Sample 0 is the first sample of the audio stream (edit lists and encoder
// delay already removed by FFmpeg). Mono sources are duplicated to stereo,
// multichannel sources are downmixed with FFmpeg's default matrix.
// An AudioReader is used by one thread at a time.
#pragma once

#include "media/probe.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <vector>

namespace redub::media {

struct AudioBuffer {
    int sample_rate = 0;         // Hz
    int channels = 0;            // interleaved channels
    std::vector<float> samples;  // interleaved, nominally in [-1, 1]

    int64_t frames() const { return channels > 0 ? int64_t(samples.size()) / channels : 0; }
    double duration_s() const { return sample_rate > 0 ? double(frames()) / sample_rate : 0.0; }
};

// Decodes the whole main audio stream of `file`. Throws Error{BadInput}
// "<file>: no audio stream" when there is none; Error{Cancelled} on stop.
AudioBuffer readAudio(const std::filesystem::path& file, int sample_rate, int channels, std::stop_token stop = {});

class AudioReader {
public:
    // Opens the main audio stream of `file` for conversion to `sample_rate` Hz,
    // `channels` channels. Throws like readAudio().
    AudioReader(const std::filesystem::path& file, int sample_rate, int channels);
    ~AudioReader();
    AudioReader(AudioReader&&) noexcept;
    AudioReader& operator=(AudioReader&&) noexcept;

    const AudioInfo& info() const;  // the source stream
    int sampleRate() const;         // the output rate
    int channels() const;           // the output channel count

    // Appends up to `max_frames` frames to `out` (interleaved). Returns the
    // number of frames appended; 0 means the end of the stream.
    int64_t read(std::vector<float>& out, int64_t max_frames, std::stop_token stop = {});

    // Positions the reader at `time_s` (sample-accurate on the output timeline).
    void seek(double time_s);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redub::media
