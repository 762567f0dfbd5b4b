#include "media/probe.hpp"

#include "media/ffmpeg_util.hpp"
#include "redub/log.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace fs = std::filesystem;

namespace redub::media {

using namespace detail;

namespace {

// Files up to this size get their packet timestamps scanned (demux only, no
// decoding): exact frame count and a real VFR test. Bigger files use the
// container's index/headers.
constexpr int64_t kScanLimitBytes = int64_t(1) << 30;

double toSeconds(int64_t ts, AVRational tb) { return double(ts) * av_q2d(tb); }

struct Scan {
    int64_t packets = 0;
    std::vector<int64_t> pts;  // stream time base
    int64_t last_duration = 0;
    bool read_error = false;
    bool truncated = false;  // the demuxer hit the end of the file inside an element
    std::string error;
};

Scan scanVideoPackets(AVFormatContext* fmt, int vi) {
    Scan scan;
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        fmt->streams[i]->discard = int(i) == vi ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    PacketPtr pkt = allocPacket();
    resetTruncationSeen();
    for (;;) {
        const int rc = av_read_frame(fmt, pkt.get());
        if (rc == AVERROR_EOF) break;
        if (rc < 0) {
            scan.read_error = true;
            scan.error = avError(rc);
            break;
        }
        if (pkt->stream_index == vi && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
            ++scan.packets;
            const int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            if (t != AV_NOPTS_VALUE) scan.pts.push_back(t);
            if (pkt->duration > 0) scan.last_duration = pkt->duration;
        }
        av_packet_unref(pkt.get());
    }
    std::sort(scan.pts.begin(), scan.pts.end());
    scan.truncated = truncationSeen();
    return scan;
}

// The MP4/MOV index says where every sample is: a sample beyond the end of the
// file means the file was cut short.
bool indexRunsPastEnd(AVFormatContext* fmt, AVStream* st) {
    const int n = avformat_index_get_entries_count(st);
    if (n <= 0 || !fmt->pb) return false;
    const int64_t size = avio_size(fmt->pb);
    if (size <= 0) return false;
    const AVIndexEntry* last = avformat_index_get_entry(st, n - 1);
    return last && last->pos + last->size > size;
}

VideoInfo videoInfo(AVFormatContext* fmt, int vi, const fs::path& file, int64_t file_size) {
    AVStream* st = fmt->streams[vi];
    const AVCodecParameters* par = st->codecpar;
    VideoInfo v;
    v.stream_index = vi;
    v.codec = avcodec_get_name(par->codec_id);
    if (par->codec_id == AV_CODEC_ID_NONE && par->codec_tag) {
        char tag[AV_FOURCC_MAX_STRING_SIZE] = {0};
        av_fourcc_make_string(tag, par->codec_tag);
        v.codec = std::string("unknown (") + tag + ")";
    }
    if (par->format >= 0) {
        if (const char* name = av_get_pix_fmt_name(AVPixelFormat(par->format))) v.pixel_format = name;
    }
    v.coded_width = par->width;
    v.coded_height = par->height;
    if (par->width <= 0 || par->height <= 0 || par->width > kMaxDimension || par->height > kMaxDimension)
        fail(ErrorKind::BadInput, file,
             "absurd video size " + std::to_string(par->width) + "x" + std::to_string(par->height) +
                 " (each side must be 1.." + std::to_string(kMaxDimension) + "): the file is corrupt or not supported");
    v.rotation_deg = rotationOf(st);
    const bool swap = v.rotation_deg == 90 || v.rotation_deg == 270;
    v.width = swap ? par->height : par->width;
    v.height = swap ? par->width : par->height;
    const AVRational sar = av_guess_sample_aspect_ratio(fmt, st, nullptr);
    v.sample_aspect = sar.num > 0 && sar.den > 0 ? Rational(sar.num, sar.den) : Rational(1, 1);

    const AVRational tb = st->time_base;
    v.nominal_frame_rate = toRational(st->r_frame_rate);
    v.avg_frame_rate = toRational(st->avg_frame_rate);
    if (st->start_time != AV_NOPTS_VALUE) {
        const int64_t origin =
            fmt->start_time != AV_NOPTS_VALUE ? av_rescale_q(fmt->start_time, AV_TIME_BASE_Q, tb) : 0;
        v.start_s = std::max(0.0, toSeconds(st->start_time - origin, tb));
    }
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        v.duration_s = toSeconds(st->duration, tb);
    else if (fmt->duration != AV_NOPTS_VALUE)
        v.duration_s = double(fmt->duration) / AV_TIME_BASE;

    if (indexRunsPastEnd(fmt, st))
        fail(ErrorKind::BadInput, file, "truncated file: its index refers to data beyond the end of the file");

    if (file_size <= kScanLimitBytes) {
        Scan scan = scanVideoPackets(fmt, vi);
        if (scan.truncated)
            fail(ErrorKind::BadInput, file,
                 "truncated file: it ends before the end of its last block (" + std::to_string(scan.packets) +
                     " video frames readable)");
        if (scan.read_error && scan.packets == 0)
            fail(ErrorKind::BadInput, file,
                 "corrupt or truncated file: no video packet could be read (" + scan.error + ")");
        if (scan.read_error)
            log::media()->warn("{}: read error after {} video packets ({}); the file is probably truncated",
                               file.string(), scan.packets, scan.error);
        v.frame_count = scan.packets;
        v.frame_count_exact = !scan.read_error;
        if (scan.pts.size() >= 2) {
            std::vector<int64_t> d;
            d.reserve(scan.pts.size());
            for (size_t i = 1; i < scan.pts.size(); ++i) d.push_back(scan.pts[i] - scan.pts[i - 1]);
            std::vector<int64_t> sorted = d;
            std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
            const int64_t median = std::max<int64_t>(1, sorted[sorted.size() / 2]);
            // Tolerance: containers with coarse clocks (Matroska: 1 ms) round
            // each timestamp, so CFR deltas alternate by one tick.
            const int64_t tol = std::max<int64_t>(2, median / 50);
            v.variable_frame_rate =
                std::any_of(d.begin(), d.end(), [&](int64_t x) { return std::llabs(x - median) > tol; });
            const int64_t last_dur = scan.last_duration > 0 ? scan.last_duration : median;
            const double span_s = toSeconds(scan.pts.back() - scan.pts.front() + last_dur, tb);
            if (span_s > 0) {
                v.duration_s = span_s;
                const double measured = double(scan.pts.size()) / span_s;
                // Mean frame rate between the first and last timestamp: exact
                // even when the container clock rounds each timestamp.
                const double median_fps =
                    double(scan.pts.size() - 1) / toSeconds(scan.pts.back() - scan.pts.front(), tb);
                if (v.variable_frame_rate) {
                    v.avg_frame_rate = snapRate(measured);
                    if (std::abs(v.avg_frame_rate.toDouble() - measured) > 0.005 * measured)
                        v.avg_frame_rate = Rational(std::llround(measured * 1000), 1000);
                } else {
                    // Prefer FFmpeg's exact guess (30000/1001) over a rounded clock.
                    const double r = v.nominal_frame_rate.toDouble();
                    if (!v.nominal_frame_rate.valid() || v.nominal_frame_rate.num == 0 ||
                        std::abs(r - median_fps) > 0.01 * median_fps)
                        v.nominal_frame_rate = snapRate(median_fps);
                    // FFmpeg guesses 19001/317 from a 1 ms clock: name it 60000/1001.
                    const Rational standard = snapRate(v.nominal_frame_rate.toDouble(), 0.001);
                    if (standard.den == 1 || standard.den == 1001) v.nominal_frame_rate = standard;
                    const double a = v.avg_frame_rate.toDouble(), n = v.nominal_frame_rate.toDouble();
                    if (!v.avg_frame_rate.num || std::abs(a - median_fps) > 0.01 * median_fps ||
                        std::abs(a - n) < 0.001 * n)
                        v.avg_frame_rate = v.nominal_frame_rate;
                }
            }
        }
    } else {
        if (st->nb_frames > 0) {
            v.frame_count = st->nb_frames;
            v.frame_count_exact = true;
        }
        const double a = v.avg_frame_rate.toDouble(), r = v.nominal_frame_rate.toDouble();
        v.variable_frame_rate = a > 0 && r > 0 && std::abs(a - r) > 0.01 * r;
    }
    if (!v.nominal_frame_rate.num) v.nominal_frame_rate = v.avg_frame_rate.num ? v.avg_frame_rate : Rational(25, 1);
    if (!v.avg_frame_rate.num) v.avg_frame_rate = v.nominal_frame_rate;
    if (v.frame_count <= 0 && v.duration_s > 0) {
        v.frame_count = std::llround(v.duration_s * v.avg_frame_rate.toDouble());
        v.frame_count_exact = false;
    }
    // The timeline (docs/media.md): CFR maps one to one; VFR is resampled at
    // the average rate, slot k existing while (k + 1/2)/R is before the end.
    if (v.variable_frame_rate) {
        v.timeline_frame_rate = v.avg_frame_rate;
        v.timeline_frame_count =
            std::max<int64_t>(1, int64_t(std::ceil(v.duration_s * v.timeline_frame_rate.toDouble() - 0.5)));
    } else {
        v.avg_frame_rate = v.nominal_frame_rate;  // constant rate: one rate, named exactly
        v.timeline_frame_rate = v.nominal_frame_rate;
        v.timeline_frame_count = v.frame_count;
    }
    return v;
}

AudioInfo audioInfo(AVFormatContext* fmt, int ai) {
    AVStream* st = fmt->streams[ai];
    AudioInfo a;
    a.stream_index = ai;
    a.codec = avcodec_get_name(st->codecpar->codec_id);
    a.sample_rate = st->codecpar->sample_rate;
    a.channels = st->codecpar->ch_layout.nb_channels;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        a.duration_s = toSeconds(st->duration, st->time_base);
    else if (fmt->duration != AV_NOPTS_VALUE)
        a.duration_s = double(fmt->duration) / AV_TIME_BASE;
    if (st->start_time != AV_NOPTS_VALUE) {
        const int64_t origin =
            fmt->start_time != AV_NOPTS_VALUE ? av_rescale_q(fmt->start_time, AV_TIME_BASE_Q, st->time_base) : 0;
        a.start_s = std::max(0.0, toSeconds(st->start_time - origin, st->time_base));
    }
    return a;
}

}  // namespace

MediaInfo probe(const fs::path& file) {
    InputPtr fmt = openInput(file);
    MediaInfo info;
    info.path = file;
    info.container = fmt->iformat ? fmt->iformat->name : "";
    std::error_code ec;
    info.size_bytes = int64_t(fs::file_size(file, ec));
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) info.duration_s = double(fmt->duration) / AV_TIME_BASE;

    const int ai = findAudioStream(fmt.get());
    if (ai >= 0) {
        const auto* par = fmt->streams[ai]->codecpar;
        if (par->sample_rate <= 0 || par->sample_rate > 768000 || par->ch_layout.nb_channels <= 0 ||
            par->ch_layout.nb_channels > 64)
            fail(ErrorKind::BadInput, file,
                 "absurd audio parameters (" + std::to_string(par->sample_rate) + " Hz, " +
                     std::to_string(par->ch_layout.nb_channels) + " channels): the file is corrupt");
        info.audio = audioInfo(fmt.get(), ai);
    }
    const int vi = findVideoStream(fmt.get());
    if (vi >= 0) info.video = videoInfo(fmt.get(), vi, file, info.size_bytes);
    if (!info.video && !info.audio) fail(ErrorKind::BadInput, file, "contains neither a video nor an audio stream");
    if (info.duration_s <= 0)
        info.duration_s =
            std::max(info.video ? info.video->duration_s : 0.0, info.audio ? info.audio->duration_s : 0.0);
    if (info.video && info.video->duration_s <= 0) info.video->duration_s = info.duration_s;
    if (info.audio && info.audio->duration_s <= 0) info.audio->duration_s = info.duration_s;
    return info;
}

std::string describeRate(const Rational& rate) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld/%lld (%.3f fps)", (long long)rate.num, (long long)rate.den, rate.toDouble());
    return buf;
}

nlohmann::json toJson(const MediaInfo& info) {
    nlohmann::json j;
    j["path"] = info.path.string();
    j["container"] = info.container;
    j["duration_s"] = info.duration_s;
    j["size_bytes"] = info.size_bytes;
    auto rate = [](const Rational& r) { return nlohmann::json{{"num", r.num}, {"den", r.den}, {"fps", r.toDouble()}}; };
    if (info.video) {
        const VideoInfo& v = *info.video;
        j["video"] = {{"stream_index", v.stream_index},
                      {"codec", v.codec},
                      {"pixel_format", v.pixel_format},
                      {"width", v.width},
                      {"height", v.height},
                      {"coded_width", v.coded_width},
                      {"coded_height", v.coded_height},
                      {"rotation_deg", v.rotation_deg},
                      {"sample_aspect", rate(v.sample_aspect)},
                      {"avg_frame_rate", rate(v.avg_frame_rate)},
                      {"nominal_frame_rate", rate(v.nominal_frame_rate)},
                      {"variable_frame_rate", v.variable_frame_rate},
                      {"timeline_frame_rate", rate(v.timeline_frame_rate)},
                      {"timeline_frame_count", v.timeline_frame_count},
                      {"frame_count", v.frame_count},
                      {"frame_count_exact", v.frame_count_exact},
                      {"duration_s", v.duration_s},
                      {"start_s", v.start_s}};
        j["video"]["sample_aspect"].erase("fps");
    } else {
        j["video"] = nullptr;
    }
    if (info.audio) {
        const AudioInfo& a = *info.audio;
        j["audio"] = {{"stream_index", a.stream_index}, {"codec", a.codec},           {"sample_rate", a.sample_rate},
                      {"channels", a.channels},         {"duration_s", a.duration_s}, {"start_s", a.start_s}};
    } else {
        j["audio"] = nullptr;
    }
    return j;
}

}  // namespace redub::media
