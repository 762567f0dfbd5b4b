// Internal (LibTorch) declarations of the config-driven U-Net. Not a public header:
// include only from models/*.cpp.
#pragma once

#include "models/config.hpp"

#include <torch/torch.h>

namespace redub::models::nets {

// FLOP counting (2*MACs of every conv/linear/attention product): while one is alive, this thread's nets add their FLOPs to *sink. (The counter stays inside
// nets.cpp: an extern thread_local read from another TU went through a TLS wrapper that
// UBSan saw as a store through a null pointer.)
class FlopCount {
public:
    explicit FlopCount(double* sink);
    ~FlopCount();
    FlopCount(const FlopCount&) = delete;
    FlopCount& operator=(const FlopCount&) = delete;

private:
    double* previous_;
};

// Inputs of one denoiser call, already shaped as tensors on the model's device.
struct NetInputs {
    torch::Tensor x;         // [B,3,S,S] x_t
    torch::Tensor t;         // [B] int64 model timesteps
    torch::Tensor source;    // [B,3,S,S] (Diff2Lip: its cond image)
    torch::Tensor mask;      // [B,1,S,S]
    torch::Tensor identity;  // [B,3,S,S]
    torch::Tensor motion;    // [B,m*C,S,S] or undefined
    torch::Tensor audio;     // [B,2k+1,n_mels,cols]
    // Optional: audioCondition(audio), computed once per sampling call (the audio path does
    // not depend on x or t); undefined = computed inside forward().
    torch::Tensor audio_cond;
};

struct DenoiserImpl : torch::nn::Module {
    virtual torch::Tensor forward(const NetInputs& in) = 0;
    // What the audio contributes, the same at every step: family A its embedding z, Diff2Lip
    // its style vector (added to the timestep embedding). Equal, bit for bit, to what
    // forward() computes when NetInputs::audio_cond is undefined.
    virtual torch::Tensor audioCondition(const torch::Tensor& audio) = 0;
};

// Builds the network of `config` (family A or B) with default (random) initialisation.
std::shared_ptr<DenoiserImpl> build(const ModelConfig& config);

}  // namespace redub::models::nets
