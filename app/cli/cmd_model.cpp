// redub-cli model import|info|run-step|init: model files (docs/models.md).
#include "cli/commands.hpp"
#include "models/generator.hpp"
#include "models/pt_import.hpp"
#include "models/safetensors.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace redub::cli {
namespace fs = std::filesystem;

extern const char* const kModelUsage =
    "redub-cli model import FILE.pt -o M.safetensors [--config CFG.json]\n"
    "    Import a Diff2Lip checkpoint (CC-BY-NC-4.0 weights: non-commercial use only). Every key and\n"
    "    shape must match the published network (or CFG.json for a reduced-width variant).\n"
    "redub-cli model info M [--json]\n"
    "    Family, size, parameters and FLOPs per frame per denoiser step.\n"
    "redub-cli model run-step M --inputs IN.safetensors -o OUT.safetensors [--device cpu|cuda|auto]\n"
    "    One denoiser forward on named inputs x [B,3,S,S], t [B], source, mask, identity, motion, audio;\n"
    "    writes eps [B,outC,S,S] (for parity checks against reference implementations).\n"
    "redub-cli model init (--preset redub-small|diff2lip | --config CFG.json) -o M.safetensors [--seed 1]\n"
    "    Write a randomly initialised model.";

namespace {

models::ModelConfig presetOrConfig(const Args& a) {
    if (a.has("config")) return models::ModelConfig::fromFile(a.require("config"));
    const std::string p = a.get("preset", "redub-small");
    if (p == "redub-small") return models::ModelConfig::redubSmall();
    if (p == "diff2lip") return models::ModelConfig::diff2lip();
    fail(ErrorKind::BadInput, "unknown preset '" + p + "' (use redub-small or diff2lip)");
}

std::string list(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

}  // namespace

int cmdModel(const Args& a) {
    const auto& pos = a.positional();
    if (pos.empty()) fail(ErrorKind::BadInput, "model: give a sub-command (import, info, run-step, init)");
    const std::string sub = pos[0];
    if (sub == "import") {
        a.allowOnly({"output", "config"});
        if (pos.size() != 2) fail(ErrorKind::BadInput, "model import: give one .pt file");
        const auto cfg = a.has("config") ? models::ModelConfig::fromFile(a.require("config")) : models::ModelConfig::diff2lip();
        const fs::path out = a.require("output");
        const int64_t n = models::importDiff2Lip(pos[1], out, cfg);
        std::printf("%s: imported %s (%lld parameters, every key and shape matched)\n", out.string().c_str(),
                    pos[1].c_str(), static_cast<long long>(n));
        std::printf("note: Diff2Lip's weights are licensed CC-BY-NC-4.0 (non-commercial use only).\n");
        return 0;
    }
    if (sub == "info") {
        a.allowOnly({"json", "device", "threads"});
        if (pos.size() != 2) fail(ErrorKind::BadInput, "model info: give one model file");
        auto g = models::Generator::load(pos[1], models::parseDevice(a.get("device", "cpu")), int(a.getInt("threads", 0)));
        const auto& c = g->config();
        if (a.has("json")) {
            nlohmann::json j{{"file", pos[1]}, {"family", c.family}, {"parameters", g->parameterCount()},
                             {"flops_per_step", g->flopsPerStep()}, {"config", c.toJson()}};
            std::printf("%s\n", j.dump(2).c_str());
            return 0;
        }
        std::printf("file:        %s\n", pos[1].c_str());
        std::printf("family:      %s%s\n", c.family.c_str(), c.isDiff2Lip() ? " (weights CC-BY-NC-4.0)" : "");
        std::printf("input:       %dx%d crop, %d channels in, %d out; audio %d x %dx%d mels\n", c.image_size,
                    c.image_size, c.inChannels(), c.outChannels(), c.audioWindows(), c.n_mels, c.audio_cols);
        std::printf("u-net:       base %d, mult %s, %d res blocks/level, attention at %s px\n", c.model_channels,
                    list(c.channel_mult).c_str(), c.num_res_blocks, list(c.attention_resolutions).c_str());
        std::printf("parameters:  %lld (%.2f M)\n", static_cast<long long>(g->parameterCount()), g->parameterCount() / 1e6);
        std::printf("FLOPs:       %.3f GFLOP per frame per step\n", g->flopsPerStep() / 1e9);
        std::printf("sampler:     %s schedule, T=%d, %d steps by default\n", c.schedule.c_str(), c.diffusion_steps,
                    c.default_sampling_steps);
        return 0;
    }
    if (sub == "run-step") {
        a.allowOnly({"inputs", "output", "device", "threads"});
        if (pos.size() != 2) fail(ErrorKind::BadInput, "model run-step: give one model file");
        auto g = models::Generator::load(pos[1], models::parseDevice(a.get("device", "cpu")), int(a.getInt("threads", 0)));
        const auto in = models::readSafetensors(a.require("inputs"));
        const auto out = g->runStep(in.tensors);
        models::writeSafetensors(a.require("output"), out, {});
        std::printf("%s: eps [%lld,%lld,%lld,%lld]\n", a.require("output").c_str(),
                    static_cast<long long>(out.at("eps").shape[0]), static_cast<long long>(out.at("eps").shape[1]),
                    static_cast<long long>(out.at("eps").shape[2]), static_cast<long long>(out.at("eps").shape[3]));
        return 0;
    }
    if (sub == "init") {
        a.allowOnly({"preset", "config", "output", "seed"});
        const auto cfg = presetOrConfig(a);
        models::writeRandomModel(cfg, a.require("output"), static_cast<uint64_t>(a.getInt("seed", 1)));
        std::printf("%s: random %s model\n", a.require("output").c_str(), cfg.family.c_str());
        return 0;
    }
    fail(ErrorKind::BadInput, "model: unknown sub-command '" + sub + "' (use import, info, run-step, init)");
}

}  // namespace redub::cli
