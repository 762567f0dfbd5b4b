// Sequential decoding of a video stream to RGB frames on a constant-rate
// timeline, with accurate seeking (for scrubbing).
//
//   redub::media::VideoReader reader("clip.mp4");
//   redub::media::VideoFrame f;
//   while (reader.next(f, stop)) process(f.index, f.rgb);   // f.rgb: CV_8UC3, RGB
//   cv::Mat k = reader.frameAt(120);                       // exact frame 120
//
// Timeline: frame k covers [k/R, (k+1)/R) with R = frameRate(). A constant-rate
// source maps one-to-one (frame k is the k-th frame in presentation order). A
// variable-rate source is resampled: frame k shows the last source frame whose
// timestamp is <= (k + 1/2)/R (frames repeat or drop as needed; docs/media.md).
// Rotation metadata is applied: width/height are the displayed size.
// A reader is used by one thread at a time; open one reader per thread.
#pragma once

#include "media/probe.hpp"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stop_token>

namespace redub::media {

struct VideoFrame {
    cv::Mat rgb;        // CV_8UC3, RGB order, displayed size (rotation applied)
    int64_t index = 0;  // frame index on the constant-rate timeline
    double time_s = 0;  // the source frame's presentation time, seconds from the first frame
};

class VideoReader {
public:
    // Opens the main video stream of `file`. Throws redub::Error naming the file
    // (missing, not media, no video stream, unsupported codec, absurd size...).
    explicit VideoReader(const std::filesystem::path& file);
    ~VideoReader();
    VideoReader(VideoReader&&) noexcept;
    VideoReader& operator=(VideoReader&&) noexcept;

    const VideoInfo& info() const;       // probe result; width/height after rotation
    const MediaInfo& mediaInfo() const;  // the whole probe result (audio stream too)
    redub::Rational frameRate() const;   // R: the constant-rate timeline the frames are mapped to
    int64_t frameCount() const;          // frames on the timeline (= info().frame_count for CFR)

    // Decodes the next timeline frame into `out`. Returns false at the end.
    // Throws Error{Cancelled} when `stop` is requested, Error{BadInput} when the
    // file turns out to be corrupt or truncated.
    bool next(VideoFrame& out, std::stop_token stop = {});

    // Positions the reader so that the next next() returns timeline frame
    // `frame_index` (clamped to [0, frameCount()-1]). Decodes from the previous
    // keyframe, so it is exact for every codec.
    void seek(int64_t frame_index);

    // Frame `frame_index`, or an empty Mat past the end. A frame a little ahead of the
    // reading position (up to kForwardDecodeFrames) is decoded forward instead of seeking,
    // and the frame asked last is kept, so scrubbing and playing frame by frame cost one
    // decode per frame rather than a decode from the key frame each time.
    cv::Mat frameAt(int64_t frame_index);
    static constexpr int64_t kForwardDecodeFrames = 48;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redub::media
