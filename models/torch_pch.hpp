// Precompiled header for the few LibTorch translation units of redub_models.
#pragma once
#include <torch/torch.h>
