#include "media/video_writer.hpp"

#include "media/ffmpeg_util.hpp"
#include "media/probe.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <opencv2/core.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

namespace fs = std::filesystem;

namespace redub::media {

using namespace detail;

namespace {
const std::array<const char*, 10> kPresets = {"ultrafast", "superfast", "veryfast", "faster",   "fast",
                                              "medium",    "slow",      "slower",   "veryslow", "placebo"};

void validate(const fs::path& out, const WriterParams& p) {
    if (p.width < 1 || p.height < 1 || p.width > kMaxDimension || p.height > kMaxDimension)
        fail(ErrorKind::BadInput, out,
             "absurd frame size " + std::to_string(p.width) + "x" + std::to_string(p.height) +
                 " (each side must be 1.." + std::to_string(kMaxDimension) + ")");
    if (p.frame_rate.num <= 0 || p.frame_rate.den <= 0 || p.frame_rate.toDouble() > 1000 ||
        p.frame_rate.num > INT32_MAX || p.frame_rate.den > INT32_MAX)
        fail(ErrorKind::BadInput, out, "invalid frame rate " + p.frame_rate.toString());
    if (p.crf < 0 || p.crf > 51)
        fail(ErrorKind::BadInput, out, "CRF " + std::to_string(p.crf) + " is out of range (0..51)");
    if (std::find_if(kPresets.begin(), kPresets.end(), [&](const char* n) { return p.preset == n; }) == kPresets.end())
        fail(ErrorKind::BadInput, out, "unknown x264 preset '" + p.preset + "' (ultrafast .. placebo)");
    if (p.with_audio && p.copy_audio_from.empty()) {
        if (p.audio_sample_rate < 8000 || p.audio_sample_rate > 96000)
            fail(ErrorKind::BadInput, out,
                 "audio sample rate " + std::to_string(p.audio_sample_rate) +
                     " Hz is out of range for AAC (8000..96000)");
        if (p.audio_channels < 1 || p.audio_channels > 8)
            fail(ErrorKind::BadInput, out,
                 "audio channel count " + std::to_string(p.audio_channels) + " is out of range (1..8)");
        if (p.audio_bitrate < 8000 || p.audio_bitrate > 1024000)
            fail(ErrorKind::BadInput, out, "AAC bit rate " + std::to_string(p.audio_bitrate) + " is out of range");
    }
}

void checkFolder(const fs::path& out) {
    if (out.filename().empty()) fail(ErrorKind::BadInput, out, "output path has no file name");
    const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
    std::error_code ec;
    const auto status = fs::status(dir, ec);
    if (!fs::exists(status))
        fail(ErrorKind::Io, out, "cannot write: the output folder '" + dir.string() + "' does not exist");
    if (!fs::is_directory(status)) fail(ErrorKind::Io, out, "cannot write: '" + dir.string() + "' is not a folder");
    if (::access(dir.c_str(), W_OK) != 0)
        fail(ErrorKind::Io, out, "cannot write: the output folder '" + dir.string() + "' is not writable");
    if (fs::is_directory(fs::status(out, ec))) fail(ErrorKind::BadInput, out, "the output path is a folder");
}
}  // namespace

struct VideoWriter::Impl {
    fs::path out;
    std::unique_ptr<PartialFile> file;  // "<out>.partial" until finish(); removed unless committed
    WriterParams p;
    int ew = 0, eh = 0;
    AVFormatContext* oc = nullptr;
    bool pb_open = false;
    bool finished = false;
    CodecPtr venc, aenc;
    AVStream* vst = nullptr;
    AVStream* ast = nullptr;
    SwsPtr sws;
    FramePtr vframe, aframe;
    PacketPtr pkt = allocPacket();
    FifoPtr fifo;
    int64_t vframes = 0, afed = 0, apts = 0;
    cv::Mat padded;
    // Stream copy of an original audio track.
    InputPtr copy_in;
    AVStream* copy_st = nullptr;
    int64_t copy_offset = 0;  // source ts subtracted so its first video frame lands at 0
    bool copy_eof = false;

    ~Impl() {
        if (oc) {
            if (pb_open) avio_closep(&oc->pb);
            avformat_free_context(oc);
        }
    }

    [[noreturn]] void ioFail(const char* what, int rc) {
        fail(ErrorKind::Io, out, std::string(what) + " (" + avError(rc) + ")");
    }

    void writePacket(AVStream* stream, AVRational from_tb) {
        av_packet_rescale_ts(pkt.get(), from_tb, stream->time_base);
        pkt->stream_index = stream->index;
        const int rc = av_interleaved_write_frame(oc, pkt.get());
        if (rc < 0) ioFail("writing failed (disk full?)", rc);
    }

    void drain(AVCodecContext* enc, AVStream* stream) {
        for (;;) {
            const int rc = avcodec_receive_packet(enc, pkt.get());
            if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
            if (rc < 0)
                fail(ErrorKind::Internal, out,
                     std::string("encoder '") + enc->codec->name + "' failed (" + avError(rc) + ")");
            writePacket(stream, enc->time_base);
        }
    }

    void encode(AVCodecContext* enc, AVStream* stream, AVFrame* f) {
        const int rc = avcodec_send_frame(enc, f);
        if (rc < 0)
            fail(ErrorKind::Internal, out,
                 std::string("encoder '") + enc->codec->name + "' refused a frame (" + avError(rc) + ")");
        drain(enc, stream);
    }

    void openVideo() {
        const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
        if (!codec) fail(ErrorKind::Unsupported, out, "this FFmpeg has no libx264 encoder");
        venc.reset(avcodec_alloc_context3(codec));
        AVCodecContext* c = venc.get();
        c->width = ew;
        c->height = eh;
        c->pix_fmt = AV_PIX_FMT_YUV420P;
        c->time_base = toAv(p.frame_rate.inverse());
        c->framerate = toAv(p.frame_rate);
        c->sample_aspect_ratio = AVRational{1, 1};
        c->gop_size = std::max(1, int(std::lround(2 * p.frame_rate.toDouble())));  // 2 s: quick scrubbing
        c->color_range = AVCOL_RANGE_MPEG;
        c->colorspace = AVCOL_SPC_BT709;
        c->color_primaries = AVCOL_PRI_BT709;
        c->color_trc = AVCOL_TRC_BT709;
        c->thread_count = 0;
        if (oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        AVDictionary* opts = nullptr;
        av_dict_set(&opts, "preset", p.preset.c_str(), 0);
        av_dict_set(&opts, "crf", std::to_string(p.crf).c_str(), 0);
        const int rc = avcodec_open2(c, codec, &opts);
        av_dict_free(&opts);
        if (rc < 0)
            fail(ErrorKind::BadInput, out, "cannot open the H.264 encoder with these settings (" + avError(rc) + ")");
        vst = avformat_new_stream(oc, nullptr);
        avcodec_parameters_from_context(vst->codecpar, c);
        vst->time_base = c->time_base;
        vst->avg_frame_rate = c->framerate;
        vframe = allocFrame();
        vframe->format = c->pix_fmt;
        vframe->width = ew;
        vframe->height = eh;
        if (av_frame_get_buffer(vframe.get(), 0) < 0) throw std::bad_alloc();
        sws.reset(sws_getContext(ew, eh, AV_PIX_FMT_RGB24, ew, eh, AV_PIX_FMT_YUV420P,
                                 SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nullptr, nullptr, nullptr));
        if (!sws) fail(ErrorKind::Internal, out, "cannot create the RGB to YUV converter");
        sws_setColorspaceDetails(sws.get(), sws_getCoefficients(SWS_CS_ITU709), 1, sws_getCoefficients(SWS_CS_ITU709),
                                 0, 0, 1 << 16, 1 << 16);
    }

    void openAudioEncoder() {
        const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
        if (!codec) fail(ErrorKind::Unsupported, out, "this FFmpeg has no AAC encoder");
        aenc.reset(avcodec_alloc_context3(codec));
        AVCodecContext* c = aenc.get();
        c->sample_fmt = AV_SAMPLE_FMT_FLTP;
        c->sample_rate = p.audio_sample_rate;
        av_channel_layout_default(&c->ch_layout, p.audio_channels);
        c->bit_rate = p.audio_bitrate;
        c->time_base = AVRational{1, p.audio_sample_rate};
        if (oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        const int rc = avcodec_open2(c, codec, nullptr);
        if (rc < 0) fail(ErrorKind::BadInput, out, "cannot open the AAC encoder (" + avError(rc) + ")");
        ast = avformat_new_stream(oc, nullptr);
        avcodec_parameters_from_context(ast->codecpar, c);
        ast->time_base = c->time_base;
        fifo.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, p.audio_channels, std::max(c->frame_size, 1024) * 4));
        aframe = allocFrame();
    }

    void openAudioCopy() {
        const fs::path& src = p.copy_audio_from;
        copy_in = openInput(src);
        const int ai = findAudioStream(copy_in.get());
        if (ai < 0) fail(ErrorKind::BadInput, src, "no audio stream to copy");
        copy_st = copy_in->streams[ai];
        for (unsigned i = 0; i < copy_in->nb_streams; ++i)
            copy_in->streams[i]->discard = int(i) == ai ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        if (avformat_query_codec(oc->oformat, copy_st->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1)
            fail(ErrorKind::Unsupported, src,
                 std::string("its audio codec '") + avcodec_get_name(copy_st->codecpar->codec_id) +
                     "' cannot be stream-copied into MP4; decode it (readAudio) and let the writer encode AAC");
        ast = avformat_new_stream(oc, nullptr);
        avcodec_parameters_copy(ast->codecpar, copy_st->codecpar);
        ast->codecpar->codec_tag = 0;
        ast->time_base = copy_st->time_base;
        // The source's first video frame is our frame 0: keep the original sync.
        const int vi = findVideoStream(copy_in.get());
        const AVStream* sv = vi >= 0 ? copy_in->streams[vi] : copy_st;
        const int64_t v0 =
            sv->start_time != AV_NOPTS_VALUE ? av_rescale_q(sv->start_time, sv->time_base, copy_st->time_base) : 0;
        copy_offset = v0;
    }

    // Copies source audio packets up to `until_s` on the output timeline.
    void pumpCopy(double until_s) {
        if (!copy_in || copy_eof) return;
        for (;;) {
            const int rc = av_read_frame(copy_in.get(), pkt.get());
            if (rc < 0) {
                copy_eof = true;
                return;
            }
            if (pkt->stream_index != copy_st->index) {
                av_packet_unref(pkt.get());
                continue;
            }
            if (pkt->pts != AV_NOPTS_VALUE) pkt->pts -= copy_offset;
            if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= copy_offset;
            const double t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts * av_q2d(copy_st->time_base) : 0;
            const double video_end = double(vframes) / p.frame_rate.toDouble();
            if (finished_video_ && t >= video_end) {  // past the end of the picture
                av_packet_unref(pkt.get());
                copy_eof = true;
                return;
            }
            // Packets before 0 (AAC priming, audio that starts before the
            // picture) are kept: the MP4 edit list hides them from players.
            pkt->pos = -1;
            writePacket(ast, copy_st->time_base);
            if (t > until_s) return;
        }
    }
    bool finished_video_ = false;

    void encodeAudioFrames(bool final) {
        const int fs_ = aenc->frame_size > 0 ? aenc->frame_size : 1024;
        while (av_audio_fifo_size(fifo.get()) >= fs_ || (final && av_audio_fifo_size(fifo.get()) > 0)) {
            const int n = std::min(fs_, av_audio_fifo_size(fifo.get()));
            av_frame_unref(aframe.get());
            aframe->nb_samples = n;
            aframe->format = AV_SAMPLE_FMT_FLTP;
            aframe->sample_rate = p.audio_sample_rate;
            av_channel_layout_copy(&aframe->ch_layout, &aenc->ch_layout);
            if (av_frame_get_buffer(aframe.get(), 0) < 0) throw std::bad_alloc();
            av_audio_fifo_read(fifo.get(), reinterpret_cast<void**>(aframe->data), n);
            aframe->pts = apts;
            apts += n;
            encode(aenc.get(), ast, aframe.get());
        }
    }
};

VideoWriter::VideoWriter(const fs::path& out, const WriterParams& params) : impl_(std::make_unique<Impl>()) {
    installFfmpegLog();
    Impl& d = *impl_;
    d.out = out;
    d.p = params;
    validate(out, params);
    checkFolder(out);
    d.ew = params.width + (params.width & 1);
    d.eh = params.height + (params.height & 1);
    if (d.ew != params.width || d.eh != params.height)
        log::media()->info("{}: H.264 4:2:0 needs even sizes; encoding {}x{} as {}x{} (last column/row repeated)",
                           out.string(), params.width, params.height, d.ew, d.eh);
    const std::string ext = out.extension().string();
    const AVOutputFormat* ofmt = av_guess_format(ext == ".mov" ? "mov" : "mp4", nullptr, nullptr);
    d.file = std::make_unique<PartialFile>(out);
    if (avformat_alloc_output_context2(&d.oc, ofmt, nullptr, d.file->partial().c_str()) < 0 || !d.oc)
        fail(ErrorKind::Internal, out, "cannot create the MP4 muxer");
    d.openVideo();
    if (params.with_audio) {
        if (params.copy_audio_from.empty())
            d.openAudioEncoder();
        else
            d.openAudioCopy();
    }
    int rc = avio_open(&d.oc->pb, d.file->partial().c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) d.ioFail(("cannot create '" + d.file->partial().string() + "'").c_str(), rc);
    d.pb_open = true;
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    rc = avformat_write_header(d.oc, &opts);
    av_dict_free(&opts);
    if (rc < 0) d.ioFail("cannot write the MP4 header", rc);
}

VideoWriter::~VideoWriter() = default;

void VideoWriter::writeFrame(const cv::Mat& rgb) {
    Impl& d = *impl_;
    if (d.finished) fail(ErrorKind::Internal, d.out, "writeFrame() after finish()");
    if (rgb.type() != CV_8UC3 || rgb.cols != d.p.width || rgb.rows != d.p.height)
        fail(ErrorKind::BadInput, d.out,
             "frame " + std::to_string(d.vframes) + " is " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
                 (rgb.type() == CV_8UC3 ? "" : " (not 8-bit RGB)") + ", expected " + std::to_string(d.p.width) + "x" +
                 std::to_string(d.p.height) + " 8-bit RGB");
    const cv::Mat* src = &rgb;
    if (d.ew != rgb.cols || d.eh != rgb.rows) {
        cv::copyMakeBorder(rgb, d.padded, 0, d.eh - rgb.rows, 0, d.ew - rgb.cols, cv::BORDER_REPLICATE);
        src = &d.padded;
    }
    if (av_frame_make_writable(d.vframe.get()) < 0) throw std::bad_alloc();
    const uint8_t* in[1] = {src->data};
    const int in_stride[1] = {int(src->step[0])};
    sws_scale(d.sws.get(), in, in_stride, 0, d.eh, d.vframe->data, d.vframe->linesize);
    d.vframe->pts = d.vframes++;
    d.encode(d.venc.get(), d.vst, d.vframe.get());
    if (d.copy_in) d.pumpCopy(double(d.vframes) / d.p.frame_rate.toDouble() + 0.5);
}

void VideoWriter::writeAudio(const float* interleaved, int64_t frames) {
    Impl& d = *impl_;
    if (d.finished) fail(ErrorKind::Internal, d.out, "writeAudio() after finish()");
    if (!d.aenc) fail(ErrorKind::Internal, d.out, "writeAudio() on a writer without a PCM audio track");
    const int ch = d.p.audio_channels;
    std::vector<std::vector<float>> planes(ch);
    constexpr int64_t kChunk = 8192;
    for (int64_t off = 0; off < frames; off += kChunk) {
        const int64_t n = std::min(kChunk, frames - off);
        void* ptrs[8];
        for (int c = 0; c < ch; ++c) {
            planes[c].resize(size_t(n));
            for (int64_t i = 0; i < n; ++i) planes[c][size_t(i)] = interleaved[(off + i) * ch + c];
            ptrs[c] = planes[c].data();
        }
        if (av_audio_fifo_write(d.fifo.get(), ptrs, int(n)) < n) throw std::bad_alloc();
        d.afed += n;
        d.encodeAudioFrames(false);
    }
}

void VideoWriter::finish() {
    Impl& d = *impl_;
    if (d.finished) return;
    if (d.vframes == 0) fail(ErrorKind::BadInput, d.out, "no video frames were written");
    d.encode(d.venc.get(), d.vst, nullptr);
    d.finished_video_ = true;
    if (d.aenc) {
        d.encodeAudioFrames(true);
        d.encode(d.aenc.get(), d.ast, nullptr);
    }
    if (d.copy_in) d.pumpCopy(1e18);
    int rc = av_write_trailer(d.oc);
    if (rc < 0) d.ioFail("cannot finish the MP4 (disk full?)", rc);
    rc = avio_closep(&d.oc->pb);
    d.pb_open = false;
    if (rc < 0) d.ioFail("cannot close the output file", rc);
    d.file->commit();
    d.finished = true;
    log::media()->info("{}: wrote {} frames ({}x{}, {}){}", d.out.string(), d.vframes, d.p.width, d.p.height,
                       describeRate(d.p.frame_rate),
                       d.aenc ? " with " + std::to_string(d.afed) + " audio frames" : std::string());
}

int64_t VideoWriter::framesWritten() const { return impl_->vframes; }
int64_t VideoWriter::audioFramesWritten() const { return impl_->afed; }
int VideoWriter::encodedWidth() const { return impl_->ew; }
int VideoWriter::encodedHeight() const { return impl_->eh; }
const fs::path& VideoWriter::partialPath() const { return impl_->file->partial(); }

}  // namespace redub::media
