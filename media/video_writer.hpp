// Writing an H.264 (libx264, yuv420p) + AAC MP4 with faststart.
//
//   auto p = redub::media::WriterParams::defaults();
//   p.width = 1280; p.height = 720; p.frame_rate = {30000, 1001};
//   redub::media::VideoWriter w("out.mp4", p);
//   for (...) w.writeFrame(rgb);                 // CV_8UC3 RGB, width x height
//   w.writeAudio(pcm.data(), pcm_frames);        // interleaved float, any chunking
//   w.finish();                                  // only now does out.mp4 appear
//
// The file is written to "<out>.partial" in the same folder and renamed on
// finish(); destroying the writer without finish() (e.g. after an exception or
// a cancel) deletes the partial file, so nothing half-written is left behind.
// H.264 4:2:0 cannot store odd sizes: an odd width/height is padded to the next
// even size by repeating the last column/row (encodedWidth()/encodedHeight()).
#pragma once

#include "redub/error.hpp"
#include "redub/rational.hpp"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace redub::media {

struct WriterParams {
    int width = 0;                          // frame width, pixels (1..kMaxDimension)
    int height = 0;                         // frame height, pixels
    redub::Rational frame_rate{25, 1};      // constant frame rate of the output
    int crf = 18;                           // x264 constant rate factor, 0 (lossless) .. 51
    std::string preset = "medium";          // x264 preset: ultrafast .. veryslow
    int audio_sample_rate = 48000;          // Hz of the PCM given to writeAudio() and of the AAC track
    int audio_channels = 2;                 // channels of the PCM given to writeAudio()
    int audio_bitrate = 192000;             // AAC bit rate, bits/s
    bool with_audio = true;                 // false: video-only MP4
    std::filesystem::path copy_audio_from;  // non-empty: stream-copy this file's audio instead of writeAudio()

    static WriterParams defaults() { return {}; }
};

class VideoWriter {
public:
    // Validates `params` and opens "<out>.partial". Throws Error{BadInput} for
    // bad parameters, Error{Io} when the folder is missing or not writable.
    VideoWriter(const std::filesystem::path& out, const WriterParams& params);
    ~VideoWriter();  // without finish(): deletes the partial file
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;

    // Appends one frame (CV_8UC3 RGB, params.width x params.height); frame i is
    // shown at i / frame_rate.
    void writeFrame(const cv::Mat& rgb);

    // Appends `frames` interleaved float frames (audio_channels per frame) at
    // audio_sample_rate. Sample 0 plays with video frame 0.
    void writeAudio(const float* interleaved, int64_t frames);

    // Flushes the encoders, writes the index at the front, renames the file.
    void finish();

    int64_t framesWritten() const;
    int64_t audioFramesWritten() const;
    int encodedWidth() const;   // width rounded up to even
    int encodedHeight() const;  // height rounded up to even
    const std::filesystem::path& partialPath() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redub::media
