#include "core/dub/model_inputs.hpp"

#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <initializer_list>
#include <utility>

namespace redub::core {
namespace {

// The value a config string names; Error{Unsupported} naming the model and the setting.
template <class T>
T pick(const std::string& name, std::initializer_list<std::pair<const char*, T>> options, const std::string& origin,
       const char* what) {
    for (const auto& [key, value] : options)
        if (name == key) return value;
    fail(ErrorKind::Unsupported, origin + ": unknown " + what + " '" + name + "'");
}

}  // namespace

ModelGeometry geometryFor(const models::ModelConfig& cfg, const std::string& origin) {
    ModelGeometry g;
    if (cfg.n_mels == 80)
        g.mel = MelParams::defaults();
    else if (cfg.n_mels == 256)
        g.mel = MelParams::seed000();
    else
        fail(ErrorKind::Unsupported, origin + ": models with " + std::to_string(cfg.n_mels) +
                                         " mel bands are not supported (80 or 256)");
    using Anchor = WindowParams::Anchor;
    g.win.anchor = pick<Anchor>(cfg.window_anchor, {{"start", Anchor::Start}, {"centre", Anchor::Centre},
                                                    {"center", Anchor::Centre}, {"diff2lip", Anchor::Diff2Lip}},
                                origin, "audio window anchor");
    g.win.cols = cfg.audio_cols;
    g.win.neighbours = cfg.audio_neighbours;
    g.mask = pick<MaskShape>(cfg.mask, {{"lower_half", MaskShape::LowerHalf}, {"landmarks", MaskShape::Landmarks}},
                             origin, "mask");
    g.crop = CropParams::defaults();
    using Policy = CropParams::Policy;
    g.crop.policy = pick<Policy>(cfg.crop, {{"similarity", Policy::Similarity}, {"detector_box", Policy::DetectorBox}},
                                 origin, "crop policy");
    g.crop.size = cfg.image_size;
    return g;
}

ModelGeometry modelGeometry(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) fail(ErrorKind::BadInput, file, "model file not found");
    const auto ext = file.extension().string();
    if (ext == ".pt" || ext == ".pth") return geometryFor(models::ModelConfig::diff2lip(), file.string());
    // safetensors: u64 little-endian header length, then the JSON header with "__metadata__".
    std::ifstream in(file, std::ios::binary);
    unsigned char len[8] = {};
    if (!in.read(reinterpret_cast<char*>(len), 8)) fail(ErrorKind::BadInput, file, "not a model file (too short)");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
    const uint64_t size = std::filesystem::file_size(file, ec);
    if (ec || n > size - 8 || n > (100ull << 20)) fail(ErrorKind::BadInput, file, "not a safetensors model file");
    std::string header(size_t(n), '\0');
    if (!in.read(header.data(), std::streamsize(n))) fail(ErrorKind::BadInput, file, "not a safetensors model file");
    std::string config;
    try {
        const auto j = nlohmann::json::parse(header);
        config = j.at("__metadata__").at("redub_config").get<std::string>();
    } catch (const nlohmann::json::exception&) {
        fail(ErrorKind::BadInput, file, "no 'redub_config' in the safetensors metadata: not a Redub model");
    }
    return geometryFor(models::ModelConfig::fromJsonString(config, file.string()), file.string());
}

void appendChw(std::vector<float>& out, const cv::Mat& rgb) {
    const int s = rgb.rows;
    const size_t base = out.size();
    out.resize(base + size_t(3) * s * s);
    float* dst = out.data() + base;
    for (int y = 0; y < s; ++y) {
        const auto* row = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < s; ++x)
            for (int c = 0; c < 3; ++c) dst[(size_t(c) * s + y) * s + x] = row[x][c] / 127.5f - 1.0f;
    }
}

void appendGrey(std::vector<float>& out, const cv::Mat& rgb) {
    const int s = rgb.rows;
    const size_t base = out.size();
    out.resize(base + size_t(s) * s);
    for (int y = 0; y < s; ++y) {
        const auto* row = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < s; ++x)
            out[base + size_t(y) * s + x] =
                (0.299f * row[x][0] + 0.587f * row[x][1] + 0.114f * row[x][2]) / 127.5f - 1.0f;
    }
}

void appendMask(std::vector<float>& out, const cv::Mat& mask) {
    const int s = mask.rows;
    const size_t base = out.size();
    out.resize(base + size_t(s) * s);
    for (int y = 0; y < s; ++y) {
        const float* row = mask.ptr<float>(y);
        std::copy(row, row + s, out.data() + base + size_t(y) * s);
    }
}

cv::Mat chwToRgb(const std::vector<float>& data, int i, int s) {
    cv::Mat out(s, s, CV_8UC3);
    const float* src = data.data() + size_t(i) * 3 * s * s;
    for (int y = 0; y < s; ++y) {
        auto* row = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < s; ++x)
            for (int c = 0; c < 3; ++c)
                row[x][c] = cv::saturate_cast<uchar>((src[(size_t(c) * s + y) * s + x] + 1.0f) * 127.5f);
    }
    return out;
}

}  // namespace redub::core
