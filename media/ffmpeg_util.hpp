// Private helpers of redub_media: FFmpeg RAII handles, error translation,
// opening inputs with the checks every reader shares. Not installed, not for
// other layers.
#pragma once

#include "redub/error.hpp"
#include "redub/rational.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <filesystem>
#include <memory>
#include <string>

namespace redub::media::detail {

// av_strerror as a string ("Invalid data found when processing input").
std::string avError(int code);

// Routes FFmpeg's log into the "media" spdlog logger (debug level); idempotent.
void installFfmpegLog();

// Some demuxers (Matroska, WebM) report a file cut short only through their
// log ("File ended prematurely"). These count such messages on this thread.
void resetTruncationSeen();
bool truncationSeen();

// The last FFmpeg error message logged on this thread ("" after reset): the
// reason behind a generic error code ("Picture size 20000x20000 is invalid").
void resetLastFfmpegError();
std::string lastFfmpegError();

struct InputCloser {
    void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecFree {
    void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameFree {
    void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
    void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct SwrFree {
    void operator()(SwrContext* p) const { swr_free(&p); }
};
struct FifoFree {
    void operator()(AVAudioFifo* p) const { av_audio_fifo_free(p); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;
using FifoPtr = std::unique_ptr<AVAudioFifo, FifoFree>;

FramePtr allocFrame();
PacketPtr allocPacket();

// Opens `file` and reads its stream information. Throws Error{BadInput} for a
// missing/empty/folder/non-media/truncated file, Error{Io} when unreadable.
InputPtr openInput(const std::filesystem::path& file);

// Main video stream (cover art skipped) or audio stream; -1 when none.
int findVideoStream(const AVFormatContext* fmt);
int findAudioStream(const AVFormatContext* fmt);

// Opens a decoder for stream `index`. Throws Error{Unsupported} naming the
// file and the codec when FFmpeg has no decoder for it.
CodecPtr openDecoder(const AVFormatContext* fmt, int index, const std::filesystem::path& file, int threads);

// Clockwise rotation to apply for display (0, 90, 180, 270).
int rotationOf(const AVStream* st);

// The standard rate (24000/1001, 25, 30000/1001, ...) closest to `fps` if
// within `tolerance` (relative), else fps rounded to 1/1000.
redub::Rational snapRate(double fps, double tolerance = 0.005);

inline redub::Rational toRational(AVRational r) {
    return r.den > 0 && r.num > 0 ? redub::Rational(r.num, r.den) : redub::Rational(0, 1);
}
inline AVRational toAv(const redub::Rational& r) { return AVRational{int(r.num), int(r.den)}; }

}  // namespace redub::media::detail
