#include "media/audio_reader.hpp"

#include "media/ffmpeg_util.hpp"
#include "redub/job.hpp"
#include "redub/log.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>
#include <vector>

namespace fs = std::filesystem;

namespace redub::media {

using namespace detail;

struct AudioReader::Impl {
    fs::path file;
    AudioInfo ainfo;
    int out_rate = 0, out_channels = 0;
    InputPtr fmt;
    CodecPtr dec;
    AVStream* st = nullptr;
    SwrPtr swr;
    PacketPtr pkt = allocPacket();
    FramePtr frame = allocFrame();
    bool demux_eof = false, flushed = false, dec_eof = false, swr_drained = false;
    std::vector<float> pending;  // converted, not yet returned (interleaved)
    size_t pending_pos = 0;      // in floats
    int64_t skip_frames = 0;     // output frames to drop (after a seek)
    int in_rate = 0;
    AVChannelLayout in_layout{};

    ~Impl() { av_channel_layout_uninit(&in_layout); }

    void open() {
        fmt = openInput(file);
        const int ai = findAudioStream(fmt.get());
        if (ai < 0) fail(ErrorKind::BadInput, file, "no audio stream");
        st = fmt->streams[ai];
        for (unsigned i = 0; i < fmt->nb_streams; ++i)
            fmt->streams[i]->discard = int(i) == ai ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        dec = openDecoder(fmt.get(), ai, file, 1);
        ainfo.stream_index = ai;
        ainfo.codec = avcodec_get_name(st->codecpar->codec_id);
        ainfo.sample_rate = st->codecpar->sample_rate;
        ainfo.channels = st->codecpar->ch_layout.nb_channels;
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
            ainfo.duration_s = st->duration * av_q2d(st->time_base);
        else if (fmt->duration != AV_NOPTS_VALUE)
            ainfo.duration_s = double(fmt->duration) / AV_TIME_BASE;
        if (ainfo.sample_rate <= 0 || ainfo.channels <= 0 || ainfo.channels > 64)
            fail(ErrorKind::BadInput, file,
                 "absurd audio parameters (" + std::to_string(ainfo.sample_rate) + " Hz, " +
                     std::to_string(ainfo.channels) + " channels)");
        resetState();
    }

    void resetState() {
        swr.reset();
        demux_eof = flushed = dec_eof = swr_drained = false;
        pending.clear();
        pending_pos = 0;
    }

    void ensureSwr(const AVFrame* f) {
        AVChannelLayout layout{};
        if (f->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC && f->ch_layout.nb_channels > 0)
            av_channel_layout_copy(&layout, &f->ch_layout);
        else
            av_channel_layout_default(&layout,
                                      f->ch_layout.nb_channels > 0 ? f->ch_layout.nb_channels : ainfo.channels);
        if (swr && in_rate == f->sample_rate && av_channel_layout_compare(&layout, &in_layout) == 0) {
            av_channel_layout_uninit(&layout);
            return;
        }
        if (swr) drainSwr();  // a mid-stream format change: flush what the old one holds
        AVChannelLayout out_layout{};
        av_channel_layout_default(&out_layout, out_channels);
        SwrContext* raw = nullptr;
        int rc = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, out_rate, &layout, AVSampleFormat(f->format),
                                     f->sample_rate, 0, nullptr);
        av_channel_layout_uninit(&out_layout);
        if (rc >= 0 && layout.nb_channels == 1 && out_channels > 1) {
            // Mono is duplicated at full level (swresample would use -3 dB).
            std::vector<double> ones(size_t(out_channels), 1.0);
            rc = swr_set_matrix(raw, ones.data(), 1);
        }
        if (rc >= 0) rc = swr_init(raw);
        if (rc < 0) {
            swr_free(&raw);
            av_channel_layout_uninit(&layout);
            fail(ErrorKind::Unsupported, file,
                 "cannot convert its audio to " + std::to_string(out_rate) + " Hz, " + std::to_string(out_channels) +
                     " channels (" + avError(rc) + ")");
        }
        swr.reset(raw);
        in_rate = f->sample_rate;
        av_channel_layout_uninit(&in_layout);
        in_layout = layout;
    }

    void append(const uint8_t** in, int in_frames) {
        const int cap = swr_get_out_samples(swr.get(), in_frames);
        if (cap <= 0) return;
        const size_t old = pending.size();
        pending.resize(old + size_t(cap) * out_channels);
        uint8_t* out[1] = {reinterpret_cast<uint8_t*>(pending.data() + old)};
        const int got = swr_convert(swr.get(), out, cap, in, in_frames);
        if (got < 0) fail(ErrorKind::BadInput, file, "audio conversion failed (" + avError(got) + ")");
        pending.resize(old + size_t(got) * out_channels);
    }

    void drainSwr() {
        if (!swr) return;
        append(nullptr, 0);
    }

    // Decodes until something is pending or the stream ends; false at the end.
    bool fill() {
        while (pending_pos >= pending.size()) {
            pending.clear();
            pending_pos = 0;
            if (dec_eof) {
                if (swr_drained) return false;
                drainSwr();
                swr_drained = true;
                continue;
            }
            int rc = avcodec_receive_frame(dec.get(), frame.get());
            if (rc == 0) {
                ensureSwr(frame.get());
                append(const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
                av_frame_unref(frame.get());
                continue;
            }
            if (rc == AVERROR_EOF) {
                dec_eof = true;
                continue;
            }
            if (rc != AVERROR(EAGAIN)) fail(ErrorKind::BadInput, file, "audio decoding failed (" + avError(rc) + ")");
            if (demux_eof) {
                if (!flushed)
                    avcodec_send_packet(dec.get(), nullptr), flushed = true;
                else
                    dec_eof = true;
                continue;
            }
            rc = av_read_frame(fmt.get(), pkt.get());
            if (rc < 0) {
                if (rc != AVERROR_EOF)
                    log::media()->warn("{}: read error ({}); treating it as the end of the audio", file.string(),
                                       avError(rc));
                demux_eof = true;
                continue;
            }
            if (pkt->stream_index == st->index) {
                rc = avcodec_send_packet(dec.get(), pkt.get());
                if (rc < 0 && rc != AVERROR(EAGAIN))
                    log::media()->debug("{}: skipped a damaged audio packet ({})", file.string(), avError(rc));
            }
            av_packet_unref(pkt.get());
        }
        return true;
    }

    int64_t read(std::vector<float>& out, int64_t max_frames, const std::stop_token& stop) {
        int64_t done = 0;
        while (done < max_frames) {
            throwIfCancelled(stop);
            if (!fill()) break;
            int64_t avail = int64_t(pending.size() - pending_pos) / out_channels;
            if (skip_frames > 0) {
                const int64_t s = std::min(avail, skip_frames);
                skip_frames -= s;
                pending_pos += size_t(s) * out_channels;
                continue;
            }
            const int64_t n = std::min(avail, max_frames - done);
            out.insert(out.end(), pending.begin() + pending_pos, pending.begin() + pending_pos + n * out_channels);
            pending_pos += size_t(n) * out_channels;
            done += n;
        }
        return done;
    }
};

AudioReader::AudioReader(const fs::path& file, int sample_rate, int channels) : impl_(std::make_unique<Impl>()) {
    if (sample_rate < 1000 || sample_rate > 384000)
        fail(ErrorKind::BadInput, file, "requested sample rate " + std::to_string(sample_rate) + " Hz is out of range");
    if (channels < 1 || channels > 8)
        fail(ErrorKind::BadInput, file,
             "requested channel count " + std::to_string(channels) + " is out of range (1..8)");
    impl_->file = file;
    impl_->out_rate = sample_rate;
    impl_->out_channels = channels;
    impl_->open();
}

AudioReader::~AudioReader() = default;
AudioReader::AudioReader(AudioReader&&) noexcept = default;
AudioReader& AudioReader::operator=(AudioReader&&) noexcept = default;

const AudioInfo& AudioReader::info() const { return impl_->ainfo; }
int AudioReader::sampleRate() const { return impl_->out_rate; }
int AudioReader::channels() const { return impl_->out_channels; }

int64_t AudioReader::read(std::vector<float>& out, int64_t max_frames, std::stop_token stop) {
    return impl_->read(out, max_frames, stop);
}

void AudioReader::seek(double time_s) {
    Impl& d = *impl_;
    time_s = std::max(0.0, time_s);
    const int64_t target = int64_t(std::llround(time_s * d.out_rate));
    const int64_t origin = d.st->start_time != AV_NOPTS_VALUE ? d.st->start_time : 0;
    const int64_t ts = origin + av_rescale_q(target, AVRational{1, d.out_rate}, d.st->time_base);
    d.resetState();
    int64_t reached = 0;
    if (target > 0 && av_seek_frame(d.fmt.get(), d.st->index, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
        avcodec_flush_buffers(d.dec.get());
        // Find where decoding restarts: the first frame's timestamp.
        for (;;) {
            int rc = avcodec_receive_frame(d.dec.get(), d.frame.get());
            if (rc == 0) {
                const int64_t pts =
                    d.frame->best_effort_timestamp != AV_NOPTS_VALUE ? d.frame->best_effort_timestamp : d.frame->pts;
                reached =
                    pts == AV_NOPTS_VALUE
                        ? target
                        : std::max<int64_t>(0, av_rescale_q(pts - origin, d.st->time_base, AVRational{1, d.out_rate}));
                d.ensureSwr(d.frame.get());
                d.append(const_cast<const uint8_t**>(d.frame->extended_data), d.frame->nb_samples);
                av_frame_unref(d.frame.get());
                break;
            }
            if (rc != AVERROR(EAGAIN)) {
                d.dec_eof = true;
                break;
            }
            rc = av_read_frame(d.fmt.get(), d.pkt.get());
            if (rc < 0) {
                d.demux_eof = true;
                avcodec_send_packet(d.dec.get(), nullptr);
                d.flushed = true;
                continue;
            }
            if (d.pkt->stream_index == d.st->index) avcodec_send_packet(d.dec.get(), d.pkt.get());
            av_packet_unref(d.pkt.get());
        }
    } else {
        // Seek to 0 (or a container that cannot seek): reopen and decode from the start.
        d.fmt.reset();
        d.dec.reset();
        d.open();
    }
    d.skip_frames = std::max<int64_t>(0, target - reached);
}

AudioBuffer readAudio(const fs::path& file, int sample_rate, int channels, std::stop_token stop) {
    AudioReader reader(file, sample_rate, channels);
    AudioBuffer buf;
    buf.sample_rate = sample_rate;
    buf.channels = channels;
    if (reader.info().duration_s > 0)
        buf.samples.reserve(size_t((reader.info().duration_s + 0.5) * sample_rate) * channels);
    while (reader.read(buf.samples, 1 << 16, stop) > 0) {
    }
    return buf;
}

}  // namespace redub::media
