// redub-cli bench diff2lip --weights W.pt --inputs X.safetensors: the Redub half of
// bench/diff2lip-side-by-side.sh. Loads the reference's random state dict through the normal
// import path (Generator::load of a .pt), runs the same denoiser forward and the same DDIM
// sampling as the Python reference did (inputs, reference outputs and the Python timings are
// in X, written by bench/diff2lip_side_by_side.py), and prints both sides' times, the ratio
// and the errors against the reference's outputs.
#include "cli/commands.hpp"
#include "models/generator.hpp"
#include "models/safetensors.hpp"
#include "redub/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace redub::cli {

namespace {

struct Errors {
    double rel_l2 = 0;   // ||a - ref|| / ||ref||
    double max_rel = 0;  // max |a - ref| / max |ref|
};

Errors compare(const std::vector<float>& a, const std::vector<float>& ref) {
    if (a.size() != ref.size()) fail(ErrorKind::Internal, "bench diff2lip: output sizes differ");
    double num = 0, den = 0, max_diff = 0, max_ref = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = double(a[i]) - ref[i];
        num += d * d;
        den += double(ref[i]) * ref[i];
        max_diff = std::max(max_diff, std::abs(d));
        max_ref = std::max(max_ref, std::abs(double(ref[i])));
    }
    return {std::sqrt(num / std::max(den, 1e-30)), max_diff / std::max(max_ref, 1e-30)};
}

template <class F>
double medianMs(int reps, F&& f) {
    f();  // warm-up
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        t.push_back(1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

int benchDiff2Lip(const Args& a) {
    a.allowOnly({"weights", "inputs", "threads", "reps", "json"});
    const std::string weights = a.get("weights", ""), inputs = a.get("inputs", "");
    if (weights.empty() || inputs.empty())
        fail(ErrorKind::BadInput, "bench diff2lip: give --weights W.pt --inputs X.safetensors "
                                  "(written by bench/diff2lip-side-by-side.sh)");
    const models::SafetensorsFile in = models::readSafetensors(inputs);
    auto meta = [&](const char* key) -> std::string {
        auto it = in.metadata.find(key);
        if (it == in.metadata.end()) fail(ErrorKind::BadInput, inputs, std::string("no '") + key + "' in the metadata");
        return it->second;
    };
    auto tensor = [&](const char* key) -> const models::NamedTensor& {
        auto it = in.tensors.find(key);
        if (it == in.tensors.end()) fail(ErrorKind::BadInput, inputs, std::string("no tensor '") + key + "'");
        return it->second;
    };
    const int threads = int(a.getInt("threads", std::stoi(meta("threads"))));
    const int reps = int(a.getInt("reps", std::stoi(meta("reps"))));
    const int steps = std::stoi(meta("steps"));
    const int t_fwd = std::stoi(meta("forward_timestep"));
    const double py_fwd = std::stod(meta("python_forward_ms")), py_smp = std::stod(meta("python_sample_ms"));

    auto g = models::Generator::load(weights, models::DeviceKind::Cpu, threads);
    const auto& src = tensor("source");
    models::FrameBatch b;
    b.batch = int(src.shape.at(0));
    b.size = int(src.shape.at(2));
    b.source = src.data;
    b.mask = tensor("mask").data;
    b.identity = tensor("identity").data;
    b.audio = tensor("audio").data;
    models::FrameBatch fb = b;  // forward(): `source` is the cond image verbatim
    fb.source = tensor("cond").data;
    const std::vector<float>& x_t = tensor("x_t").data;

    std::vector<float> eps, smp;
    const double fwd_ms = medianMs(reps, [&] { eps = g->forward(fb, x_t, t_fwd); });
    models::SamplerParams p = models::SamplerParams::defaults();
    p.steps = steps;
    p.seed = std::stoull(meta("seed"));
    p.spacing = "leading";  // guided-diffusion's "ddimN"
    const double smp_ms = medianMs(reps, [&] { smp = g->sample(b, p); });
    const Errors fe = compare(eps, tensor("eps").data), se = compare(smp, tensor("sample").data);

    if (a.has("json")) {
        nlohmann::json j{{"frames", b.batch}, {"steps", steps}, {"threads", threads}, {"reps", reps},
                         {"forward", {{"python_ms", py_fwd}, {"redub_ms", fwd_ms}, {"ratio", py_fwd / fwd_ms},
                                      {"rel_l2_error", fe.rel_l2}, {"max_rel_error", fe.max_rel}}},
                         {"sample", {{"python_ms", py_smp}, {"redub_ms", smp_ms}, {"ratio", py_smp / smp_ms},
                                     {"rel_l2_error", se.rel_l2}, {"max_rel_error", se.max_rel}}}};
        std::printf("%s\n", j.dump(2).c_str());
        return (fe.max_rel <= 1e-4 && se.max_rel <= 1e-4) ? 0 : 1;
    }
    std::printf("Diff2Lip (published hyper-parameters, %.2f M parameters, random weights), %d frames of %dx%d, "
                "%d threads, median of %d after a warm-up; Python: the reference code on torch %s\n\n",
                g->parameterCount() / 1e6, b.batch, b.size, b.size, threads, reps, meta("torch").c_str());
    std::printf("| run | python ms | redub ms | python / redub | rel. L2 error | max abs error / max abs |\n");
    std::printf("|---|---:|---:|---:|---:|---:|\n");
    std::printf("| denoiser forward, batch %d (t = %d) | %.0f | %.0f | %.2fx | %.1e | %.1e |\n", b.batch, t_fwd, py_fwd,
                fwd_ms, py_fwd / fwd_ms, fe.rel_l2, fe.max_rel);
    std::printf("| DDIM %d steps, %d frames | %.0f | %.0f | %.2fx | %.1e | %.1e |\n", steps, b.batch, py_smp, smp_ms,
                py_smp / smp_ms, se.rel_l2, se.max_rel);
    const bool same = fe.max_rel <= 1e-4 && se.max_rel <= 1e-4;
    std::printf("\nsame output (max error <= 1e-4 of the largest value): %s\n", same ? "yes" : "NO");
    return same ? 0 : 1;
}

}  // namespace redub::cli
