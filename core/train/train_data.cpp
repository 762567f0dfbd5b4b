#include "core/train/train_data.hpp"

#include "core/dub/model_inputs.hpp"

#include "core/audio/align.hpp"
#include "core/audio/mel.hpp"
#include "core/face/crop.hpp"
#include "core/face/face_detector.hpp"
#include "core/face/face_track.hpp"
#include "core/face/mask.hpp"
#include "core/face/video_faces.hpp"
#include "media/audio_reader.hpp"
#include "media/video_reader.hpp"
#include "models/safetensors.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace redub::core {
namespace fs = std::filesystem;

DatasetClipInfo buildDatasetClip(const fs::path& video, const fs::path& out, const DatasetParams& params,
                                 const ProgressFn& progress, std::stop_token stop) {
    const models::ModelConfig& cfg = params.config;
    cfg.validate();
    const ModelGeometry g = geometryFor(cfg, "dataset config");
    media::VideoReader reader(video);
    media::AudioBuffer pcm = media::readAudio(video, g.mel.sample_rate, 1, stop);  // throws "no audio stream"
    const MelParams& mp = g.mel;
    const Mel mel = melSpectrogram(pcm.samples, mp, stop);
    const WindowParams& win = g.win;
    const CropParams& cp = g.crop;
    const Rational fps = reader.frameRate();
    // Frames past the end of the audio have no speech to learn from.
    const int64_t audio_frames = int64_t(pcm.duration_s() * fps.num / fps.den);
    const int64_t total = std::min(reader.frameCount(), audio_frames);

    // The face the dub would repaint: tracked, the largest chosen, smoothed - the same
    // path as the dub job (core/video_faces + selectTrack + smoothTrack), so training
    // crops and inference crops agree (a per-frame "first detection" once took a
    // mission patch for the face).
    const VideoFaces scan = trackVideoFaces(video, 0, total - 1, DetectorParams::defaults(), TrackerParams::defaults(),
                                            [&](int64_t done, int64_t all) {
                                                if (progress)
                                                    progress({"dataset: faces", done, all,
                                                              0.5 * double(done) / double(std::max<int64_t>(1, all)), -1});
                                            },
                                            stop);
    const FaceTrack track = smoothTrack(selectTrack(scan.frames, FaceChoice{}), 5);
    models::TensorMap t;
    auto& crops = t["crops"];
    auto& masks = t["masks"];
    auto& audio = t["audio"];
    auto& box = t["mouth_box"];
    auto& index = t["frame_index"];
    DatasetClipInfo info;
    media::VideoFrame f;
    const int s = cfg.image_size;
    while (reader.next(f, stop)) {
        if (f.index >= total) break;
        if (params.max_frames > 0 && info.frames >= params.max_frames) break;
        if (f.index % std::max(1, params.frame_step) != 0) continue;
        if (size_t(f.index) >= track.frames.size() || !track.frames[size_t(f.index)]) {
            ++info.skipped;
            continue;
        }
        const FaceDetection& face = *track.frames[size_t(f.index)];
        const Crop crop = computeCrop(face, cp);
        appendChw(crops.data, extractCrop(f.rgb, crop));
        const cv::Mat m = makeMask(face, crop, g.mask);
        masks.data.insert(masks.data.end(), m.ptr<float>(0), m.ptr<float>(0) + size_t(s) * s);
        const auto w = frameAudioWindows(mel, f.index, fps, mp, win, 0);
        audio.data.insert(audio.data.end(), w.begin(), w.end());
        float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
        for (int k = 48; k < 68; ++k) {
            const cv::Point2f p = crop.apply(face.landmarks[size_t(k)]);
            x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
        }
        const float mx = 0.15f * (x1 - x0), my = 0.3f * (y1 - y0) + 1.0f;
        box.data.insert(box.data.end(), {x0 - mx, y0 - my, x1 + mx, y1 + my});
        index.data.push_back(float(f.index));
        ++info.frames;
        if (progress) progress({"dataset", f.index + 1, total, 0.5 + 0.5 * double(f.index + 1) / std::max<int64_t>(1, total), -1});
        throwIfCancelled(stop);
    }
    if (info.frames == 0) fail(ErrorKind::BadInput, video, "no face found in any frame");
    const int64_t n = info.frames;
    crops.shape = {n, 3, s, s};
    masks.shape = {n, 1, s, s};
    audio.shape = {n, cfg.audioWindows(), cfg.n_mels, cfg.audio_cols};
    box.shape = {n, 4};
    index.shape = {n};
    std::map<std::string, std::string> meta{{"source", video.string()},
                                            {"fps", std::to_string(fps.num) + "/" + std::to_string(fps.den)},
                                            {"redub_dataset_config", cfg.toJsonString()}};
    if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
    models::writeSafetensors(out, t, meta);
    log::core()->info("dataset: {} -> {} ({} frames, {} without a face)", video.string(), out.string(), n, info.skipped);
    return info;
}

models::TrainData loadDataset(const std::vector<fs::path>& inputs) { return loadDataset(inputs, 0, -1); }

models::TrainData loadDataset(const std::vector<fs::path>& inputs, int64_t begin, int64_t end) {
    const bool window = begin > 0 || end >= 0;
    std::vector<fs::path> files;
    for (const fs::path& p : inputs) {
        if (fs::is_directory(p)) {
            for (auto& e : fs::directory_iterator(p))
                if (e.path().extension() == ".safetensors") files.push_back(e.path());
        } else if (fs::exists(p)) {
            files.push_back(p);
        } else {
            fail(ErrorKind::BadInput, p, "dataset file or folder does not exist");
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(ErrorKind::BadInput, "no dataset clips (*.safetensors) found in the given folders");
    models::TrainData d;
    int clip = 0;
    for (const fs::path& f : files) {
        auto st = models::readSafetensors(f);
        auto need = [&](const char* name, size_t rank) -> models::NamedTensor& {
            auto it = st.tensors.find(name);
            if (it == st.tensors.end() || it->second.shape.size() != rank)
                fail(ErrorKind::BadInput, f, std::string("not a Redub dataset clip (tensor '") + name + "' missing or mis-shaped)");
            return it->second;
        };
        auto& crops = need("crops", 4);
        auto& masks = need("masks", 4);
        auto& audio = need("audio", 4);
        auto& box = need("mouth_box", 2);
        const int64_t n = crops.shape[0];
        if (masks.shape[0] != n || audio.shape[0] != n || box.shape[0] != n)
            fail(ErrorKind::BadInput, f, "dataset tensors have different frame counts");
        if (d.size == 0) {
            d.size = int(crops.shape[2]);
            d.audio_windows = int(audio.shape[1]);
            d.n_mels = int(audio.shape[2]);
            d.audio_cols = int(audio.shape[3]);
        } else if (d.size != crops.shape[2] || d.audio_windows != audio.shape[1] || d.n_mels != audio.shape[2] ||
                   d.audio_cols != audio.shape[3]) {
            fail(ErrorKind::BadInput, f, "dataset clip was built for a different model config than the others");
        }
        const float* index = nullptr;
        if (window) {
            auto it = st.tensors.find("frame_index");
            if (it == st.tensors.end() || int64_t(it->second.data.size()) != n)
                fail(ErrorKind::BadInput, f, "dataset clip has no frame index (rebuild it with `redub-cli dataset`)");
            index = it->second.data.data();
        }
        const size_t c = crops.data.size() / size_t(std::max<int64_t>(1, n)), m = masks.data.size() / size_t(std::max<int64_t>(1, n)),
                     a = audio.data.size() / size_t(std::max<int64_t>(1, n));
        for (int64_t i = 0; i < n; ++i) {
            if (index && (index[i] < float(begin) || (end >= 0 && index[i] >= float(end)))) continue;
            d.crops.insert(d.crops.end(), crops.data.begin() + i * c, crops.data.begin() + (i + 1) * c);
            d.masks.insert(d.masks.end(), masks.data.begin() + i * m, masks.data.begin() + (i + 1) * m);
            d.audio.insert(d.audio.end(), audio.data.begin() + i * a, audio.data.begin() + (i + 1) * a);
            d.mouth_box.insert(d.mouth_box.end(), box.data.begin() + i * 4, box.data.begin() + (i + 1) * 4);
            d.clip.push_back(clip);
        }
        ++clip;
    }
    if (d.count() == 0)
        fail(ErrorKind::BadInput, "no dataset frames in source frames " + std::to_string(begin) + ".." +
                                      (end >= 0 ? std::to_string(end) : std::string("end")) + " of the given clips");
    d.validate("dataset");
    return d;
}

void writeCropGrid(const fs::path& png, const std::vector<std::vector<float>>& rows, int s) {
    if (rows.empty() || s <= 0) fail(ErrorKind::BadInput, png, "empty grid");
    const size_t per = size_t(3) * s * s;
    size_t cols = 0;
    for (auto& r : rows) cols = std::max(cols, r.size() / per);
    cv::Mat grid(int(rows.size()) * s, int(cols) * s, CV_8UC3, cv::Scalar(0, 0, 0));
    for (size_t r = 0; r < rows.size(); ++r)
        for (size_t c = 0; c < rows[r].size() / per; ++c) {
            const float* src = rows[r].data() + c * per;
            for (int y = 0; y < s; ++y)
                for (int x = 0; x < s; ++x) {
                    cv::Vec3b& o = grid.at<cv::Vec3b>(int(r) * s + y, int(c) * s + x);
                    for (int ch = 0; ch < 3; ++ch)  // RGB -> BGR for imwrite
                        o[2 - ch] = cv::saturate_cast<uchar>((src[(size_t(ch) * s + y) * s + x] + 1.0f) * 127.5f);
                }
        }
    if (!png.parent_path().empty()) fs::create_directories(png.parent_path());
    if (!cv::imwrite(png.string(), grid)) fail(ErrorKind::Io, png, "cannot write the PNG");
}

}  // namespace redub::core
