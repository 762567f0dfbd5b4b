#include "media/video_reader.hpp"

#include "media/ffmpeg_util.hpp"
#include "redub/job.hpp"
#include "redub/log.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

namespace fs = std::filesystem;

namespace redub::media {

using namespace detail;

namespace {
// A source frame kept decoded but not yet converted (conversion is the costly
// part and skipped frames never need it).
struct Pending {
    FramePtr frame;
    int64_t pts = 0;  // stream time base, relative to the first frame
    int64_t end = 0;  // pts + duration
};

int swsColorspace(const AVFrame* f) {
    switch (f->colorspace) {
        case AVCOL_SPC_BT709:
            return SWS_CS_ITU709;
        case AVCOL_SPC_BT470BG:
        case AVCOL_SPC_SMPTE170M:
            return SWS_CS_ITU601;
        case AVCOL_SPC_SMPTE240M:
            return SWS_CS_SMPTE240M;
        case AVCOL_SPC_FCC:
            return SWS_CS_FCC;
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL:
            return SWS_CS_BT2020;
        default:
            return f->height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;  // what players assume
    }
}

bool fullRange(const AVFrame* f) {
    switch (f->format) {
        case AV_PIX_FMT_YUVJ420P:
        case AV_PIX_FMT_YUVJ422P:
        case AV_PIX_FMT_YUVJ444P:
        case AV_PIX_FMT_YUVJ440P:
        case AV_PIX_FMT_YUVJ411P:
            return true;
        default:
            return f->color_range == AVCOL_RANGE_JPEG;
    }
}
}  // namespace

struct VideoReader::Impl {
    fs::path file;
    MediaInfo media;
    VideoInfo vinfo;
    InputPtr fmt;
    CodecPtr dec;
    AVStream* st = nullptr;
    AVRational tb{1, 1};
    PacketPtr pkt = allocPacket();
    SwsPtr sws;
    int sws_w = 0, sws_h = 0, sws_fmt = -1, sws_cs = -1, sws_range = -1;

    Rational rate;
    bool vfr = false;
    int64_t count = 0;
    int64_t origin = AV_NOPTS_VALUE;  // pts of the first frame (stream tb)
    int64_t frame_dur = 1;            // one timeline frame in stream tb (rounded), CFR fallback

    bool demux_eof = false, flushed = false, dec_eof = false;
    std::string read_error;

    // Timeline state.
    int64_t next_index = 0;
    int64_t decoded = 0;                // CFR: source frames handed out
    std::optional<Pending> cur, ahead;  // VFR: the frame on screen and the one after it
    cv::Mat last_rgb;                   // CFR: to pad a short tail
    int64_t held_index = -1;            // the last frame frameAt() returned (asked again while scrubbing)
    cv::Mat held_rgb;

    void open() {
        fmt = openInput(file);
        const int vi = findVideoStream(fmt.get());
        if (vi < 0)
            fail(ErrorKind::BadInput, file,
                 "no video stream (it contains only " + std::string(media.audio ? "audio" : "other data") + ")");
        st = fmt->streams[vi];
        tb = st->time_base;
        for (unsigned i = 0; i < fmt->nb_streams; ++i)
            fmt->streams[i]->discard = int(i) == vi ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        dec = openDecoder(fmt.get(), vi, file, 0);
        demux_eof = flushed = dec_eof = false;
    }

    // Returns the next decoded source frame (presentation order), or nullptr at the end.
    FramePtr decodeOne() {
        FramePtr f = allocFrame();
        for (;;) {
            int rc = avcodec_receive_frame(dec.get(), f.get());
            if (rc == 0) {
                int64_t t = f->best_effort_timestamp;
                if (t == AV_NOPTS_VALUE) t = f->pts;
                f->pts = t;
                return f;
            }
            if (rc == AVERROR_EOF) {
                dec_eof = true;
                return nullptr;
            }
            if (rc != AVERROR(EAGAIN)) fail(ErrorKind::BadInput, file, "video decoding failed (" + avError(rc) + ")");
            if (demux_eof) {
                if (flushed) {
                    dec_eof = true;
                    return nullptr;
                }
                avcodec_send_packet(dec.get(), nullptr);
                flushed = true;
                continue;
            }
            rc = av_read_frame(fmt.get(), pkt.get());
            if (rc < 0) {
                if (rc != AVERROR_EOF) {
                    read_error = avError(rc);
                    log::media()->warn("{}: read error ({}); treating it as the end of the video", file.string(),
                                       read_error);
                }
                demux_eof = true;
                continue;
            }
            if (pkt->stream_index == st->index) {
                rc = avcodec_send_packet(dec.get(), pkt.get());
                if (rc < 0 && rc != AVERROR(EAGAIN))
                    log::media()->debug("{}: skipped a damaged video packet ({})", file.string(), avError(rc));
            }
            av_packet_unref(pkt.get());
        }
    }

    // Stream-tb pts relative to the first frame; synthesises missing timestamps.
    int64_t relPts(const AVFrame* f, int64_t fallback) {
        if (f->pts == AV_NOPTS_VALUE) return fallback;
        if (origin == AV_NOPTS_VALUE) origin = f->pts;
        return f->pts - origin;
    }

    cv::Mat convert(const AVFrame* f) {
        const int cs = swsColorspace(f);
        const int range = fullRange(f) ? 1 : 0;
        if (!sws || sws_w != f->width || sws_h != f->height || sws_fmt != f->format || sws_cs != cs ||
            sws_range != range) {
            if (f->width <= 0 || f->height <= 0 || f->width > kMaxDimension || f->height > kMaxDimension)
                fail(ErrorKind::BadInput, file,
                     "absurd decoded frame size " + std::to_string(f->width) + "x" + std::to_string(f->height));
            sws.reset(sws_getContext(f->width, f->height, AVPixelFormat(f->format), f->width, f->height,
                                     AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr,
                                     nullptr, nullptr));
            if (!sws)
                fail(ErrorKind::Unsupported, file,
                     std::string("cannot convert pixel format '") + av_get_pix_fmt_name(AVPixelFormat(f->format)) +
                         "' to RGB");
            sws_setColorspaceDetails(sws.get(), sws_getCoefficients(cs), range, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                     0, 1 << 16, 1 << 16);
            sws_w = f->width, sws_h = f->height, sws_fmt = f->format, sws_cs = cs, sws_range = range;
        }
        cv::Mat rgb(f->height, f->width, CV_8UC3);
        uint8_t* dst[4] = {rgb.data, nullptr, nullptr, nullptr};
        int dst_stride[4] = {int(rgb.step[0]), 0, 0, 0};
        sws_scale(sws.get(), f->data, f->linesize, 0, f->height, dst, dst_stride);
        switch (vinfo.rotation_deg) {
            case 90:
                cv::rotate(rgb, rgb, cv::ROTATE_90_CLOCKWISE);
                break;
            case 180:
                cv::rotate(rgb, rgb, cv::ROTATE_180);
                break;
            case 270:
                cv::rotate(rgb, rgb, cv::ROTATE_90_COUNTERCLOCKWISE);
                break;
            default:
                break;
        }
        return rgb;
    }

    double seconds(int64_t rel) const { return double(rel) * av_q2d(tb); }

    // (k + 1/2) / R in stream time base: the threshold of timeline slot k.
    int64_t threshold(int64_t k) const {
        return av_rescale_q_rnd(2 * k + 1, AVRational{int(rate.den), int(2 * rate.num)}, tb, AV_ROUND_DOWN);
    }

    std::optional<Pending> pull() {
        FramePtr f = decodeOne();
        if (!f) return std::nullopt;
        Pending p;
        p.pts = relPts(f.get(), ahead ? ahead->end : (cur ? cur->end : 0));
        const int64_t dur = f->pkt_duration > 0 ? f->pkt_duration : frame_dur;
        p.end = p.pts + dur;
        p.frame = std::move(f);
        return p;
    }

    void throwIfTruncated(int64_t produced) const {
        if (!vinfo.frame_count_exact || produced + 2 >= count) return;
        fail(ErrorKind::BadInput, file,
             "truncated or corrupt video: only " + std::to_string(produced) + " of " + std::to_string(count) +
                 " frames could be decoded" + (read_error.empty() ? "" : " (" + read_error + ")"));
    }

    bool nextCfr(VideoFrame& out) {
        if (next_index >= count && vinfo.frame_count_exact) return false;
        FramePtr f = decodeOne();
        if (!f) {
            throwIfTruncated(next_index);
            if (vinfo.frame_count_exact && next_index < count && !last_rgb.empty()) {
                // A decoder may swallow a frame or two (e.g. packed MPEG-4 N-VOPs):
                // keep the promised timeline length by repeating the last one.
                log::media()->warn("{}: frame {} missing at the end; repeating the previous frame", file.string(),
                                   next_index);
                out.rgb = last_rgb.clone();
                out.index = next_index;
                out.time_s = double(next_index) / rate.toDouble();
                ++next_index;
                return true;
            }
            return false;
        }
        const int64_t rel = relPts(f.get(), av_rescale_q(next_index, toAv(rate.inverse()), tb));
        out.rgb = convert(f.get());
        out.index = next_index++;
        out.time_s = seconds(rel);
        last_rgb = out.rgb;
        return true;
    }

    bool nextVfr(VideoFrame& out) {
        if (!cur) {
            cur = pull();
            if (!cur) {
                throwIfTruncated(0);
                return false;
            }
        }
        if (!ahead && !dec_eof) ahead = pull();
        const int64_t thr = threshold(next_index);
        while (ahead && ahead->pts <= thr) {
            cur = std::move(ahead);
            ahead = pull();
        }
        if (!ahead && thr >= cur->end) return false;  // past the last frame's end
        out.rgb = convert(cur->frame.get());
        out.index = next_index++;
        out.time_s = seconds(cur->pts);
        return true;
    }

    void restart() {
        fmt.reset();
        dec.reset();
        sws.reset();
        cur.reset();
        ahead.reset();
        open();
        next_index = 0;
    }

    void seekTo(int64_t k) {
        k = std::clamp<int64_t>(k, 0, std::max<int64_t>(0, count - 1));
        // Try container seeks (each further back) and verify that the first
        // frame decoded is not after the target; else decode from the start.
        const int64_t target_rel = av_rescale_q(k, toAv(rate.inverse()), tb);
        for (int attempt = 0; attempt < 3 && origin != AV_NOPTS_VALUE && k > 0; ++attempt) {
            const int64_t back = av_rescale_q(attempt == 0 ? 0 : (attempt == 1 ? 2 : 10), AVRational{1, 1}, tb);
            const int64_t ts = origin + std::max<int64_t>(0, target_rel - back);
            if (av_seek_frame(fmt.get(), st->index, ts, AVSEEK_FLAG_BACKWARD) < 0) break;
            avcodec_flush_buffers(dec.get());
            demux_eof = flushed = dec_eof = false;
            cur.reset();
            ahead.reset();
            std::optional<Pending> first = pull();
            if (!first) break;
            if (first->pts > (vfr ? threshold(k) : target_rel + frame_dur / 2)) continue;  // landed too late
            if (vfr) {
                cur = std::move(first);
                next_index = k;
                return;
            }
            // CFR: drop frames before k, keep frame k pending.
            std::optional<Pending> p = std::move(first);
            while (p && llround(double(p->pts) * av_q2d(tb) * rate.toDouble()) < k) p = pull();
            if (!p) break;
            ahead = std::move(p);  // handed out by the next next()
            next_index = llround(double(ahead->pts) * av_q2d(tb) * rate.toDouble());
            return;
        }
        log::media()->debug("{}: container seek failed; decoding from the start to frame {}", file.string(), k);
        restart();
        VideoFrame skip;
        if (vfr) {
            while (next_index < k) {
                if (!cur) cur = pull();
                if (!cur) return;
                if (!ahead && !dec_eof) ahead = pull();
                const int64_t thr = threshold(next_index);
                while (ahead && ahead->pts <= thr) {
                    cur = std::move(ahead);
                    ahead = pull();
                }
                ++next_index;
            }
        } else {
            while (next_index < k) {
                FramePtr f = decodeOne();
                if (!f) return;
                relPts(f.get(), 0);
                ++next_index;
            }
        }
    }
};

VideoReader::VideoReader(const fs::path& file) : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    d.file = file;
    d.media = probe(file);
    if (!d.media.video)
        fail(ErrorKind::BadInput, file, d.media.audio ? "no video stream (it contains only audio)" : "no video stream");
    d.vinfo = *d.media.video;
    d.open();
    d.vfr = d.vinfo.variable_frame_rate;
    d.rate = d.vinfo.timeline_frame_rate;
    if (!d.rate.valid() || d.rate.num <= 0) d.rate = Rational(25, 1);
    d.frame_dur = std::max<int64_t>(1, av_rescale_q(1, toAv(d.rate.inverse()), d.tb));
    d.count = d.vinfo.timeline_frame_count;
    if (d.count <= 0 && d.vinfo.frame_count_exact)
        fail(ErrorKind::BadInput, file, "the video stream has no frames (zero length)");
    // Decode the first frame now: it fixes the time origin (seeks need it) and
    // reports an undecodable stream at open time rather than mid-job.
    std::optional<Pending> first = d.pull();
    if (!first) fail(ErrorKind::BadInput, file, "no video frame could be decoded (zero length or corrupt stream)");
    if (d.vfr)
        d.cur = std::move(first);
    else
        d.ahead = std::move(first);
    log::media()->debug("{}: {}x{} {} {} frames on a {} timeline{}", file.string(), d.vinfo.width, d.vinfo.height,
                        d.vinfo.codec, d.count, describeRate(d.rate), d.vfr ? " (variable frame rate source)" : "");
}

VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

const VideoInfo& VideoReader::info() const { return impl_->vinfo; }
const MediaInfo& VideoReader::mediaInfo() const { return impl_->media; }
Rational VideoReader::frameRate() const { return impl_->rate; }
int64_t VideoReader::frameCount() const { return impl_->count; }

bool VideoReader::next(VideoFrame& out, std::stop_token stop) {
    throwIfCancelled(stop);
    Impl& d = *impl_;
    if (d.vfr) return d.nextVfr(out);
    if (d.ahead) {  // a frame left pending by seek()
        Pending p = std::move(*d.ahead);
        d.ahead.reset();
        out.rgb = d.convert(p.frame.get());
        out.index = d.next_index++;
        out.time_s = d.seconds(p.pts);
        d.last_rgb = out.rgb;
        return true;
    }
    return d.nextCfr(out);
}

void VideoReader::seek(int64_t frame_index) { impl_->seekTo(frame_index); }

cv::Mat VideoReader::frameAt(int64_t frame_index) {
    Impl& d = *impl_;
    if (frame_index < 0 || frame_index >= d.count) return {};
    // Scrubbing and playback ask for the same or the next few frames: decoding forward is
    // far cheaper than a seek, which decodes again from the key frame before the target.
    if (frame_index == d.held_index) return d.held_rgb.clone();
    if (frame_index < d.next_index || frame_index - d.next_index > kForwardDecodeFrames) seek(frame_index);
    VideoFrame f;
    do {
        if (!next(f)) return {};
    } while (f.index < frame_index);
    d.held_index = frame_index;
    d.held_rgb = f.rgb;
    return f.rgb.clone();
}

}  // namespace redub::media
