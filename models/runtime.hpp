// LibTorch runtime set-up: threads and device selection, behind a torch-free API.
#pragma once
#include <string>

namespace redub::models {

enum class DeviceKind { Cpu, Cuda, Auto };

// Parses "cpu", "cuda", "cuda:1", "auto"; throws Error{BadInput} otherwise.
DeviceKind parseDevice(const std::string& text);

// True when the linked LibTorch was built with CUDA and a GPU is visible.
bool cudaAvailable();

// Resolves Auto to Cuda when available, else Cpu; throws Error{Unsupported}
// for Cuda when this LibTorch has no CUDA or no GPU is visible.
DeviceKind resolveDevice(DeviceKind requested);

// Sets LibTorch intra-op threads (n <= 0: number of cores). Returns the count set.
int setThreads(int n);

// Keeps freed memory in the process's heap instead of returning it to the kernel (glibc
// malloc: mmap threshold 32 MiB, trim threshold 2 GiB, top pad 256 MiB), so the large
// activations a denoiser call allocates and frees reuse pages already mapped instead of
// page-faulting fresh zeroed ones every call: on the full Diff2Lip net (batch 2) minor page
// faults fell from 1.33 M to 0.40 M and CPU time by a quarter (docs/performance.md). Called
// by Generator::load for CPU models; REDUB_MALLOC=default leaves malloc alone. The cost: the
// process's RSS stays at its peak working set after the sampler returns. Idempotent.
void retainFreedMemory();

// Measured float32 matrix-multiply throughput (GFLOP/s) of an n x n x n product on the
// CPU with the current thread count: the practical peak the bench compares models to.
double measureMatmulGflops(int n = 1024);

// Measured float32 throughput (GFLOP/s) of a 3x3, stride-1 convolution of `channels` ->
// `channels` on a batch x channels x size x size input, in the memory format the models use
// on the CPU (channels-last when `channels_last`): the practical peak for a U-Net's convs,
// which need not equal the matmul peak (another library, another blocking).
double measureConvGflops(int channels = 128, int size = 64, int batch = 2, bool channels_last = true);

// "LibTorch 1.13.1 (CPU)" - for --version and logs.
std::string torchVersion();

}  // namespace redub::models
