#include "media/ffmpeg_util.hpp"

#include "redub/log.hpp"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/log.h>
}

#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

namespace fs = std::filesystem;

namespace redub::media::detail {

std::string avError(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

namespace {
thread_local int truncation_messages = 0;
thread_local std::string last_error;

void ffmpegLogCallback(void* avcl, int level, const char* fmt, va_list vl) {
    if (fmt && std::strstr(fmt, "ended prematurely")) ++truncation_messages;
    if (level > av_log_get_level()) return;
    char line[1024];
    char bare[1024] = {0};
    if (level <= AV_LOG_ERROR && fmt) {  // before vl is consumed below
        va_list copy;
        va_copy(copy, vl);
        std::vsnprintf(bare, sizeof bare, fmt, copy);
        va_end(copy);
    }
    static thread_local int print_prefix = 1;
    av_log_format_line(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) return;
    if (level <= AV_LOG_ERROR) {
        last_error = bare;
        while (!last_error.empty() && (last_error.back() == '\n' || last_error.back() == '\r')) last_error.pop_back();
    }
    // FFmpeg's own errors are about packets/streams the reader recovers from or
    // reports as a redub::Error with context; they are developer information.
    log::media()->debug("ffmpeg: {}", s);
}
}  // namespace

void installFfmpegLog() {
    static std::once_flag once;
    std::call_once(once, [] {
        av_log_set_level(AV_LOG_WARNING);
        av_log_set_callback(ffmpegLogCallback);
    });
}

void resetTruncationSeen() { truncation_messages = 0; }
bool truncationSeen() { return truncation_messages > 0; }
void resetLastFfmpegError() { last_error.clear(); }
std::string lastFfmpegError() { return last_error; }

FramePtr allocFrame() {
    FramePtr f(av_frame_alloc());
    if (!f) throw std::bad_alloc();
    return f;
}

PacketPtr allocPacket() {
    PacketPtr p(av_packet_alloc());
    if (!p) throw std::bad_alloc();
    return p;
}

namespace {
// True when the file starts like an ISO-BMFF (MP4/MOV) file: used to say
// "truncated" rather than "not media" when FFmpeg finds no index.
bool looksLikeIsoBmff(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char head[12] = {0};
    in.read(head, sizeof head);
    if (in.gcount() < 12) return false;
    const std::string box(head + 4, 4);
    return box == "ftyp" || box == "mdat" || box == "wide" || box == "free" || box == "moov";
}
}  // namespace

InputPtr openInput(const fs::path& file) {
    installFfmpegLog();
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (!fs::exists(status)) fail(ErrorKind::BadInput, file, "file not found");
    if (fs::is_directory(status)) fail(ErrorKind::BadInput, file, "is a folder, not a media file");
    const auto size = fs::file_size(file, ec);
    if (!ec && size == 0) fail(ErrorKind::BadInput, file, "file is empty (zero length)");

    AVFormatContext* raw = nullptr;
    resetLastFfmpegError();
    int rc = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);
    if (rc < 0) {
        const std::string why = lastFfmpegError();
        if (why.find("Picture size") != std::string::npos)
            fail(ErrorKind::BadInput, file, "absurd video size in the header (" + why + "): the file is corrupt");
        if (rc == AVERROR(EACCES) || rc == AVERROR(EPERM))
            fail(ErrorKind::Io, file, "cannot read the file (permission denied)");
        if (rc == AVERROR_EOF)
            fail(ErrorKind::BadInput, file, "the file ends before any audio or video data (zero length or truncated)");
        if (looksLikeIsoBmff(file))
            fail(ErrorKind::BadInput, file,
                 "truncated or damaged MP4/MOV file: its index ('moov' box) is missing (" + avError(rc) + ")");
        fail(ErrorKind::BadInput, file, "not a media file FFmpeg can read (" + avError(rc) + ")");
    }
    InputPtr fmt(raw);
    rc = avformat_find_stream_info(fmt.get(), nullptr);
    if (rc < 0) fail(ErrorKind::BadInput, file, "cannot read the stream information (" + avError(rc) + ")");
    if (fmt->nb_streams == 0) fail(ErrorKind::BadInput, file, "contains no audio or video streams (zero length)");
    return fmt;
}

int findVideoStream(const AVFormatContext* fmt) {
    int best = -1;
    int64_t best_pixels = -1;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream* st = fmt->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) continue;
        if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;  // cover art
        const int64_t px = int64_t(st->codecpar->width) * st->codecpar->height;
        const bool is_default = st->disposition & AV_DISPOSITION_DEFAULT;
        if (best < 0 || (is_default && !(fmt->streams[best]->disposition & AV_DISPOSITION_DEFAULT)) ||
            px > best_pixels) {
            best = int(i);
            best_pixels = px;
        }
    }
    return best;
}

int findAudioStream(const AVFormatContext* fmt) {
    const int idx = av_find_best_stream(const_cast<AVFormatContext*>(fmt), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    return idx >= 0 ? idx : -1;
}

CodecPtr openDecoder(const AVFormatContext* fmt, int index, const fs::path& file, int threads) {
    const AVStream* st = fmt->streams[index];
    const char* kind = st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO ? "video" : "audio";
    const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        std::string what = std::string(kind) + " codec '" + avcodec_get_name(st->codecpar->codec_id) + "'";
        if (st->codecpar->codec_id == AV_CODEC_ID_NONE && st->codecpar->codec_tag) {
            char tag[AV_FOURCC_MAX_STRING_SIZE] = {0};
            av_fourcc_make_string(tag, st->codecpar->codec_tag);
            what = std::string(kind) + " codec with tag '" + tag + "'";
        }
        fail(ErrorKind::Unsupported, file, "unsupported " + what + ": this FFmpeg has no decoder for it");
    }
    CodecPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    int rc = avcodec_parameters_to_context(ctx.get(), st->codecpar);
    if (rc < 0)
        fail(ErrorKind::BadInput, file, std::string("bad ") + kind + " stream parameters (" + avError(rc) + ")");
    ctx->pkt_timebase = st->time_base;
    ctx->thread_count = threads;
    if (threads != 1) ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    rc = avcodec_open2(ctx.get(), codec, nullptr);
    if (rc < 0)
        fail(ErrorKind::Unsupported, file,
             std::string("cannot open the ") + kind + " decoder '" + codec->name + "' (" + avError(rc) + ")");
    return ctx;
}

int rotationOf(const AVStream* st) {
    double theta = 0;
    if (const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr)) {
        theta = -av_display_rotation_get(reinterpret_cast<const int32_t*>(m));
    } else if (const AVDictionaryEntry* e = av_dict_get(st->metadata, "rotate", nullptr, 0)) {
        theta = std::atof(e->value);
    }
    if (std::isnan(theta)) return 0;
    int deg = int(std::lround(theta / 90.0)) * 90;
    deg %= 360;
    if (deg < 0) deg += 360;
    return deg;
}

Rational snapRate(double fps, double tolerance) {
    static const Rational standard[] = {{24000, 1001}, {24, 1}, {25, 1},       {30000, 1001}, {30, 1},
                                        {48, 1},       {50, 1}, {60000, 1001}, {60, 1},       {120, 1},
                                        {15, 1},       {12, 1}, {10, 1},       {100, 1},      {90, 1}};
    if (fps <= 0 || !std::isfinite(fps)) return {25, 1};
    const Rational* best = nullptr;
    double best_rel = tolerance;
    for (const auto& r : standard) {
        const double rel = std::abs(fps - r.toDouble()) / r.toDouble();
        if (rel <= best_rel) best = &r, best_rel = rel;
    }
    if (best) return *best;
    return Rational(std::llround(fps * 1000.0), 1000);
}

}  // namespace redub::media::detail
