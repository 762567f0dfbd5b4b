#include "core/train/train_job.hpp"

#include "core/project/paths.hpp"
#include "core/train/train_data.hpp"
#include "models/generator.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <cstdlib>

namespace redub::core {
namespace fs = std::filesystem;

std::vector<std::vector<float>> sampleValidationRows(const fs::path& model, const models::TrainData& data, int count,
                                                     int steps, models::DeviceKind device, int threads) {
    auto gen = models::Generator::load(model, device, threads);
    const auto& cfg = gen->config();
    const int S = data.size;
    const int64_t img = 3LL * S * S, plane = int64_t(S) * S;
    const int64_t aud = int64_t(data.audio_windows) * data.n_mels * data.audio_cols;
    const int n = int(std::min<int64_t>(count, data.count()));
    // Spread the picks over the whole set.
    models::FrameBatch b;
    b.batch = n;
    b.size = S;
    std::vector<float> truth;
    for (int k = 0; k < n; ++k) {
        const int64_t f = data.count() * k / n;
        int64_t first = f;
        while (first > 0 && data.clip[size_t(first - 1)] == data.clip[size_t(f)]) --first;
        const float* c = data.crops.data() + f * img;
        truth.insert(truth.end(), c, c + img);
        b.source.insert(b.source.end(), c, c + img);
        b.mask.insert(b.mask.end(), data.masks.begin() + f * plane, data.masks.begin() + (f + 1) * plane);
        const float* id = data.crops.data() + first * img;
        b.identity.insert(b.identity.end(), id, id + img);
        for (int m = 0; m < cfg.motion_frames; ++m) {
            if (cfg.motion_grey)
                for (int64_t i = 0; i < plane; ++i)
                    b.motion.push_back(0.299f * id[i] + 0.587f * id[plane + i] + 0.114f * id[2 * plane + i]);
            else
                b.motion.insert(b.motion.end(), id, id + img);
        }
        b.audio.insert(b.audio.end(), data.audio.begin() + f * aud, data.audio.begin() + (f + 1) * aud);
    }
    auto sp = models::SamplerParams::defaults();
    sp.steps = steps;
    std::vector<float> gen_out = gen->sample(b, sp);
    return {truth, gen_out};
}

models::TrainStats runTrainJob(const TrainJobParams& jp, const ProgressFn& progress, std::stop_token stop) {
    if (jp.out.empty()) fail(ErrorKind::BadInput, "train: no output model (-o/--out) given");
    if (jp.data.empty() && jp.videos.empty()) fail(ErrorKind::BadInput, "train: give --data DIR or --video FILE");
    models::TrainParams tp = jp.train;
    tp.out = jp.out;
    if (!jp.from.empty()) tp.init = jp.from == "default" ? dataFile("models/default/model.safetensors") : jp.from;
    if (!jp.config_file.empty()) tp.config = models::ModelConfig::fromFile(jp.config_file);
    models::Trainer trainer(tp);

    std::vector<fs::path> data = jp.data;
    if (!jp.videos.empty()) {
        // Fine-tuning on footage: cache its dataset next to the output model.
        const fs::path dir = fs::path(jp.out).concat(".data");
        fs::create_directories(dir);
        auto dp = DatasetParams::fromConfig(trainer.config());
        for (const fs::path& v : jp.videos) {
            const fs::path f = dir / (v.stem().string() + ".safetensors");
            if (!fs::exists(f)) buildDatasetClip(v, f, dp, progress, stop);  // stages "dataset: faces", "dataset"
            data.push_back(f);
        }
    }
    const bool split = jp.heldout.empty() && jp.holdout_from_frame >= 0;
    const models::TrainData train = split ? loadDataset(data, 0, jp.holdout_from_frame) : loadDataset(data);
    models::TrainData held;
    if (!jp.heldout.empty()) held = loadDataset(jp.heldout);
    if (split) held = loadDataset(data, jp.holdout_from_frame, -1);
    const bool has_held = held.count() > 0;
    const fs::path grids = jp.grid_dir.empty() ? fs::path(jp.out).concat(".val") : jp.grid_dir;
    const models::TrainData& grid_src = has_held ? held : train;
    log::core()->info("train: {} frames ({} held out) -> {}", train.count(), held.count(), jp.out.string());
    auto on_val = [&](const models::TrainStats& st, const fs::path& model) {
        try {
            auto rows = sampleValidationRows(model, grid_src, 8, 10, jp.train.device, jp.train.threads);
            const fs::path png = grids / ("step-" + std::to_string(st.step) + ".png");
            writeCropGrid(png, rows, grid_src.size);
            log::core()->info("train: step {} loss {:.4f} held-out {:.4f}, grid {}", st.step, st.loss, st.val_loss,
                              png.string());
        } catch (const Error& e) {
            log::core()->warn("train: validation grid failed: {}", e.what());
        }
    };
    return trainer.run(train, has_held ? &held : nullptr, progress, on_val, stop);
}

}  // namespace redub::core
