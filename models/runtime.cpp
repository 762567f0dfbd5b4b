#include "models/runtime.hpp"

#include "redub/error.hpp"
#include "redub/log.hpp"

#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <torch/torch.h>

#include <dlfcn.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <thread>

namespace redub::models {

DeviceKind parseDevice(const std::string& text) {
    if (text == "cpu") return DeviceKind::Cpu;
    if (text == "auto" || text.empty()) return DeviceKind::Auto;
    if (text.rfind("cuda", 0) == 0) return DeviceKind::Cuda;
    fail(ErrorKind::BadInput, "unknown device '" + text + "' (use cpu, cuda or auto)");
}

bool cudaAvailable() { return torch::cuda::is_available(); }

DeviceKind resolveDevice(DeviceKind requested) {
    if (requested == DeviceKind::Auto) return cudaAvailable() ? DeviceKind::Cuda : DeviceKind::Cpu;
    if (requested == DeviceKind::Cuda && !cudaAvailable())
        fail(ErrorKind::Unsupported,
             "device 'cuda' requested but this LibTorch has no CUDA support or no GPU is visible; use --device cpu");
    return requested;
}

namespace {
// Debian's LibTorch calls BLAS through libblas.so.3; with OpenBLAS (pthread flavour) that
// library keeps its own pool of one busy-waiting thread per core, which
// torch::set_num_threads does not touch: "--threads 1" then still used ~1.8 cores.
// Looked up at run time so any BLAS (or none) works.
bool setBlasThreads(int n) {
    using Fn = void (*)(int);
    if (auto f = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        f(n);
        return true;
    }
    return false;
}
}  // namespace

int setThreads(int n) {
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(n);
    const bool blas = setBlasThreads(n);
    log::models()->debug("LibTorch intra-op threads: {}{}", n, blas ? " (OpenBLAS too)" : "");
    return n;
}

void retainFreedMemory() {
    static const bool done = [] {
        const char* v = std::getenv("REDUB_MALLOC");
        if (v && std::string(v) == "default") return false;
#if defined(__GLIBC__)
        // 32 MiB is the largest mmap threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2).
        const bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) && mallopt(M_TRIM_THRESHOLD, INT_MAX) &&
                        mallopt(M_TOP_PAD, 256 << 20);
        log::models()->debug("malloc keeps freed memory (mmap threshold 32 MiB){}", ok ? "" : ": mallopt refused");
        return ok;
#else
        return false;
#endif
    }();
    (void)done;
}

double measureMatmulGflops(int n) {
    c10::InferenceMode guard;
    auto a = torch::randn({n, n}), b = torch::randn({n, n});
    auto c = torch::mm(a, b);  // warm-up
    double best = 1e30;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        c = torch::mm(a, b);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

double measureConvGflops(int channels, int size, int batch, bool channels_last) {
    c10::InferenceMode guard;
    const auto fmt = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    auto x = torch::randn({batch, channels, size, size}).contiguous(fmt);
    auto w = (torch::randn({channels, channels, 3, 3}) * 0.03).contiguous(fmt);
    auto b = torch::zeros({channels});
    auto y = torch::conv2d(x, w, b, 1, 1);  // warm-up
    double best = 1e30;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        y = torch::conv2d(x, w, b, 1, 1);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 2.0 * batch * channels * channels * 9.0 * size * size / best / 1e9;
}

std::string torchVersion() {
    return std::string("LibTorch ") + TORCH_VERSION + (cudaAvailable() ? " (CUDA)" : " (CPU)");
}

}  // namespace redub::models
