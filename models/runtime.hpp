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

// Measured float32 matrix-multiply throughput (GFLOP/s) of an n x n x n product on the
// CPU with the current thread count: the practical peak the bench compares models to.
double measureMatmulGflops(int n = 1024);

// "LibTorch 1.13.1 (CPU)" - for --version and logs.
std::string torchVersion();

}  // namespace redub::models
