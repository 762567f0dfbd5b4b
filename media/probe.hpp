// Probing a media file: container, streams, codecs, size, rotation, frame rate
// (as exact rationals), variable-frame-rate detection, duration, frame count.
//
//   redub::media::MediaInfo info = redub::media::probe("clip.mov");
//   if (info.video) use(info.video->width, info.video->avg_frame_rate);
//
// Every failure is a redub::Error naming the file (missing, empty, not media,
// truncated, absurd dimensions). A file with neither audio nor video is BadInput.
#pragma once

#include "redub/error.hpp"
#include "redub/rational.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace redub::media {

// Largest accepted picture side; anything above is treated as a corrupt header.
inline constexpr int kMaxDimension = 16384;

struct VideoInfo {
    int width = 0;                        // displayed width (rotation applied), pixels
    int height = 0;                       // displayed height (rotation applied), pixels
    int coded_width = 0;                  // width as stored in the stream (before rotation)
    int coded_height = 0;                 // height as stored in the stream
    std::string codec;                    // FFmpeg codec name: "h264", "mpeg4", "vp9", "mjpeg", ...
    std::string pixel_format;             // "yuv420p", "yuvj422p", ... ("" when unknown)
    redub::Rational avg_frame_rate;       // frames / duration (what the container or the timestamps say)
    redub::Rational nominal_frame_rate;   // the stream's base rate (FFmpeg r_frame_rate)
    bool variable_frame_rate = false;     // frame durations are not all equal (see docs/media.md)
    int rotation_deg = 0;                 // clockwise rotation applied for display: 0, 90, 180, 270
    redub::Rational sample_aspect{1, 1};  // pixel aspect ratio (1/1 = square pixels)
    redub::Rational timeline_frame_rate;  // R of the constant-rate timeline VideoReader maps frames to
    int64_t timeline_frame_count = 0;     // frames on that timeline (= frame_count for CFR)
    int64_t frame_count = 0;              // frames stored in the stream
    bool frame_count_exact = false;       // counted from the index/timestamps, not estimated
    double duration_s = 0;                // stream duration, seconds
    double start_s = 0;                   // first frame's time relative to the container start
    int stream_index = -1;                // FFmpeg stream index
};

struct AudioInfo {
    int sample_rate = 0;    // Hz
    int channels = 0;       // 1 = mono, 2 = stereo, ...
    std::string codec;      // "aac", "mp3", "pcm_s16le", "flac", "opus", ...
    double duration_s = 0;  // seconds
    double start_s = 0;     // first sample's time relative to the container start
    int stream_index = -1;  // FFmpeg stream index
};

struct MediaInfo {
    std::filesystem::path path;
    std::string container;           // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "wav"
    double duration_s = 0;           // container duration, seconds
    int64_t size_bytes = 0;          // file size
    std::optional<VideoInfo> video;  // the main video stream (cover art is ignored)
    std::optional<AudioInfo> audio;  // the main audio stream
};

// Reads the headers (and, for files up to a few hundred MB, the packet
// timestamps - no decoding) of `file`. Throws redub::Error naming the file.
MediaInfo probe(const std::filesystem::path& file);

// {"path":..., "container":..., "duration_s":..., "video":{...}|null, "audio":{...}|null}
nlohmann::json toJson(const MediaInfo& info);

// "30000/1001 (29.970 fps)"
std::string describeRate(const redub::Rational& rate);

}  // namespace redub::media
