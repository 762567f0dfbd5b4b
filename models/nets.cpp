// The config-driven U-Net of both model families (docs/models.md). Module and
// parameter names follow OpenAI's guided-diffusion (as Diff2Lip's checkpoint does).
#include "models/nets.hpp"

#include <cmath>

namespace redub::models::nets {

namespace {

thread_local double* g_flop_counter = nullptr;

namespace nn = torch::nn;
using torch::Tensor;

}  // namespace

FlopCount::FlopCount(double* sink) : previous_(g_flop_counter) { g_flop_counter = sink; }
FlopCount::~FlopCount() { g_flop_counter = previous_; }

namespace {

void addFlops(double f) {
    if (g_flop_counter) *g_flop_counter += f;
}

Tensor conv2d(nn::Conv2d& c, const Tensor& x) {
    Tensor y = c->forward(x);
    if (g_flop_counter) {
        const auto& w = c->weight;
        addFlops(2.0 * static_cast<double>(y.numel()) * static_cast<double>(w.size(1) * w.size(2) * w.size(3)));
    }
    return y;
}

Tensor conv1d(nn::Conv1d& c, const Tensor& x) {
    Tensor y = c->forward(x);
    if (g_flop_counter) {
        const auto& w = c->weight;
        addFlops(2.0 * static_cast<double>(y.numel()) * static_cast<double>(w.size(1) * w.size(2)));
    }
    return y;
}

Tensor linear(nn::Linear& l, const Tensor& x) {
    Tensor y = l->forward(x);
    addFlops(2.0 * static_cast<double>(y.numel()) * static_cast<double>(l->weight.size(1)));
    return y;
}

// SiLU of a tensor nothing else holds (a norm's or an affine's fresh output): in place when no
// gradient is recorded (sampling: one allocation and one pass over memory fewer per call, same
// values), out of place when training (autograd needs the input of SiLU).
Tensor siluFresh(Tensor x) { return torch::GradMode::is_enabled() ? torch::silu(x) : torch::silu_(x); }

// fresh + other, into `fresh` when no gradient is recorded (the same sums: + commutes).
Tensor addFresh(Tensor fresh, const Tensor& other) {
    return torch::GradMode::is_enabled() ? fresh + other : fresh.add_(other);
}

// GroupNorm with 32 groups, eps 1e-5, computed in float32 (guided-diffusion's GroupNorm32).
nn::GroupNorm groupNorm(int64_t ch) { return nn::GroupNorm(nn::GroupNormOptions(32, ch).eps(1e-5)); }

nn::Conv2d conv3(int64_t in, int64_t out, int64_t stride = 1) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// Sinusoidal timestep embedding laid out [cos, sin], max period 10000.
Tensor timestepEmbedding(const Tensor& t, int64_t dim) {
    const int64_t half = dim / 2;
    auto freqs = torch::exp(-std::log(10000.0) *
                            torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat32)) / half)
                     .to(t.device());
    auto args = t.to(torch::kFloat32).unsqueeze(1) * freqs.unsqueeze(0);
    auto emb = torch::cat({torch::cos(args), torch::sin(args)}, -1);
    if (dim % 2) emb = torch::cat({emb, torch::zeros_like(emb.narrow(1, 0, 1))}, -1);
    return emb;
}

// ---- building blocks --------------------------------------------------------

enum class Resample { None, Up, Down };

struct ResBlockOptions {
    int64_t channels = 0, out_channels = 0, emb_channels = 0;
    int64_t audio_channels = 0;  // > 0: FiLM from the audio embedding too (family A)
    bool scale_shift = false;    // FiLM from the timestep (family A) instead of adding it
    float dropout = 0;
    Resample resample = Resample::None;
    std::vector<int64_t> down_stride = {2, 2};
};

struct ResBlockImpl : nn::Module {
    ResBlockOptions o;
    nn::GroupNorm in_norm{nullptr}, out_norm{nullptr};
    nn::Conv2d in_conv{nullptr}, out_conv{nullptr}, skip{nullptr};
    nn::Linear emb_lin{nullptr}, audio_lin{nullptr};
    nn::Dropout drop{nullptr};

    explicit ResBlockImpl(const ResBlockOptions& opt) : o(opt) {
        in_norm = groupNorm(o.channels);
        in_conv = conv3(o.channels, o.out_channels);
        register_module("in_layers", nn::Sequential(in_norm, nn::SiLU(), in_conv));
        emb_lin = nn::Linear(o.emb_channels, o.scale_shift ? 2 * o.out_channels : o.out_channels);
        register_module("emb_layers", nn::Sequential(nn::SiLU(), emb_lin));
        if (o.audio_channels > 0) {
            audio_lin = nn::Linear(o.audio_channels, 2 * o.out_channels);
            register_module("audio_layers", nn::Sequential(nn::SiLU(), audio_lin));
        }
        out_norm = groupNorm(o.out_channels);
        drop = nn::Dropout(o.dropout);
        out_conv = conv3(o.out_channels, o.out_channels);
        register_module("out_layers", nn::Sequential(out_norm, nn::SiLU(), drop, out_conv));
        if (o.out_channels != o.channels)
            skip = register_module("skip_connection", nn::Conv2d(nn::Conv2dOptions(o.channels, o.out_channels, 1)));
    }

    Tensor resample(const Tensor& x) const {
        if (o.resample == Resample::Up)
            return torch::nn::functional::interpolate(
                x, torch::nn::functional::InterpolateFuncOptions()
                       .scale_factor(std::vector<double>{2.0, 2.0})
                       .mode(torch::kNearest));
        if (o.resample == Resample::Down) return torch::avg_pool2d(x, o.down_stride, o.down_stride);
        return x;
    }

    Tensor forward(Tensor x, const Tensor& emb, const Tensor& z) {
        Tensor h = siluFresh(in_norm->forward(x));
        if (o.resample != Resample::None) {
            h = resample(h);
            x = resample(x);
        }
        h = conv2d(in_conv, h);
        Tensor e = linear(emb_lin, torch::silu(emb)).unsqueeze(-1).unsqueeze(-1);
        if (o.scale_shift) {
            // Family A: h <- (1+z_s) * ((1+t_s) * GN(h) + t_b) + z_b
            auto ts = e.chunk(2, 1);
            h = out_norm->forward(h) * (1 + ts[0]) + ts[1];
            if (audio_lin) {
                auto zs = linear(audio_lin, torch::silu(z)).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
                h = h * (1 + zs[0]) + zs[1];
            }
            h = conv2d(out_conv, drop->forward(siluFresh(h)));
        } else {
            h = addFresh(h, e);
            h = conv2d(out_conv, drop->forward(siluFresh(out_norm->forward(h))));
        }
        Tensor s = skip ? conv2d(skip, x) : x;
        return addFresh(h, s);
    }
};
TORCH_MODULE(ResBlock);

// Self-attention over spatial positions, "legacy" QKV order (heads split before q|k|v).
struct AttentionBlockImpl : nn::Module {
    int64_t heads;
    nn::GroupNorm norm{nullptr};
    nn::Conv1d qkv{nullptr}, proj_out{nullptr};
    AttentionBlockImpl(int64_t ch, int64_t n_heads) : heads(n_heads) {
        norm = register_module("norm", groupNorm(ch));
        qkv = register_module("qkv", nn::Conv1d(nn::Conv1dOptions(ch, 3 * ch, 1)));
        proj_out = register_module("proj_out", nn::Conv1d(nn::Conv1dOptions(ch, ch, 1)));
    }
    Tensor forward(const Tensor& x_in) {
        const auto b = x_in.size(0), c = x_in.size(1);
        Tensor x = x_in.reshape({b, c, -1});
        const auto len = x.size(2);
        Tensor q3 = conv1d(qkv, norm->forward(x));
        const int64_t ch = c / heads;
        auto parts = q3.reshape({b * heads, 3 * ch, len}).split(ch, 1);
        const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(ch)));
        Tensor w = torch::bmm((parts[0] * scale).transpose(1, 2), parts[1] * scale);  // [bh, t, s]
        w = torch::softmax(w.to(torch::kFloat32), -1);
        Tensor a = torch::bmm(parts[2], w.transpose(1, 2));  // [bh, c, t]
        addFlops(2.0 * 2.0 * static_cast<double>(b * heads) * ch * len * len);
        Tensor h = conv1d(proj_out, a.reshape({b, -1, len}));
        return addFresh(h, x).reshape(x_in.sizes());
    }
};
TORCH_MODULE(AttentionBlock);

// guided-diffusion's TimestepEmbedSequential: layers named "0", "1", ...
struct BlockImpl : nn::Module {
    std::vector<ResBlock> res;
    std::vector<AttentionBlock> attn;
    std::vector<nn::Conv2d> convs;
    std::vector<std::pair<char, size_t>> order;  // 'r', 'a', 'c'
    void addRes(ResBlock m) {
        register_module(std::to_string(order.size()), m);
        order.emplace_back('r', res.size());
        res.push_back(m);
    }
    void addAttn(AttentionBlock m) {
        register_module(std::to_string(order.size()), m);
        order.emplace_back('a', attn.size());
        attn.push_back(m);
    }
    void addConv(nn::Conv2d m) {
        register_module(std::to_string(order.size()), m);
        order.emplace_back('c', convs.size());
        convs.push_back(m);
    }
    Tensor forward(Tensor h, const Tensor& emb, const Tensor& z) {
        for (auto [kind, i] : order) {
            if (kind == 'r')
                h = res[i]->forward(h, emb, z);
            else if (kind == 'a')
                h = attn[i]->forward(h);
            else
                h = conv2d(convs[i], h);
        }
        return h;
    }
};
TORCH_MODULE(Block);

struct BlockList {
    nn::ModuleList list;
    std::vector<Block> blocks;
    Block add() {
        Block b;
        list->push_back(b);
        blocks.push_back(b);
        return b;
    }
};

int64_t headsFor(const ModelConfig& c, int64_t ch) {
    return c.num_head_channels > 0 ? ch / c.num_head_channels : c.num_heads;
}

// ---- audio encoders -----------------------------------------------------------

// Diff2Lip's TFGAudioEncoder: Conv1d over time, then a 2-D residual encoder with its
// own timestep embedding evaluated at t = 0.
struct Diff2LipAudioEncoderImpl : nn::Module {
    int64_t mc, out_channels;
    nn::Linear te0{nullptr}, te2{nullptr};
    nn::Conv1d in_conv{nullptr};
    nn::GroupNorm in_norm{nullptr};
    BlockList enc;
    Block middle{nullptr};

    explicit Diff2LipAudioEncoderImpl(const ModelConfig& c) : mc(c.audio_model_channels) {
        te0 = nn::Linear(mc, mc);
        te2 = nn::Linear(mc, mc);
        register_module("time_embed", nn::Sequential(te0, nn::SiLU(), te2));
        in_conv = nn::Conv1d(nn::Conv1dOptions(c.n_mels, c.audio_init_dim, 3).padding(1));
        in_norm = groupNorm(c.audio_init_dim);
        register_module("input_block", nn::Sequential(in_conv, in_norm, nn::SiLU()));
        enc.list = register_module("encoder_blocks", nn::ModuleList());
        int64_t ch = c.audio_channel_mult[0] * mc;
        enc.add()->addConv(conv3(1, ch));
        int64_t ds = 1;
        const auto& mult = c.audio_channel_mult;
        for (size_t level = 0; level < mult.size(); ++level) {
            for (int r = 0; r < c.audio_num_res_blocks; ++r) {
                ResBlockOptions o;
                o.channels = ch;
                o.out_channels = mult[level] * mc;
                o.emb_channels = mc;
                enc.add()->addRes(ResBlock(o));
                ch = o.out_channels;
            }
            if (level + 1 != mult.size()) {
                ResBlockOptions o;
                o.channels = o.out_channels = ch;
                o.emb_channels = mc;
                o.resample = Resample::Down;
                o.down_stride = (c.audio_init_dim / ds) > c.audio_cols ? std::vector<int64_t>{2, 1}
                                                                       : std::vector<int64_t>{2, 2};
                enc.add()->addRes(ResBlock(o));
                ds *= 2;
            }
        }
        out_channels = mult.back() * mc;
        middle = register_module("middle_block", Block());
        ResBlockOptions o;
        o.channels = ch;
        o.out_channels = out_channels;
        o.emb_channels = mc;
        middle->addRes(ResBlock(o));
    }

    Tensor forward(const Tensor& mels) {  // [B, n_mels, cols]
        const auto bf = mels.size(0);
        auto t = torch::zeros({bf}, torch::TensorOptions().dtype(torch::kLong).device(mels.device()));
        Tensor emb = linear(te2, torch::silu(linear(te0, timestepEmbedding(t, mc))));
        Tensor h = torch::silu(in_norm->forward(conv1d(in_conv, mels)));
        h = h.reshape({bf, 1, h.size(1), h.size(2)});
        Tensor none;
        for (auto& b : enc.blocks) h = b->forward(h, emb, none);
        return middle->forward(h, emb, none);
    }
};
TORCH_MODULE(Diff2LipAudioEncoder);

// Family A: a small conv encoder over the (2k+1) mel windows stacked as channels -> z.
struct RedubAudioEncoderImpl : nn::Module {
    nn::Conv2d conv_in{nullptr};
    std::vector<nn::GroupNorm> norms;
    std::vector<nn::Conv2d> convs;
    nn::GroupNorm out_norm{nullptr};
    nn::Linear proj{nullptr};

    explicit RedubAudioEncoderImpl(const ModelConfig& c) {
        const int64_t mc = c.audio_model_channels;
        int64_t ch = c.audio_channel_mult[0] * mc;
        conv_in = register_module("conv_in", conv3(c.audioWindows(), ch));
        auto blocks = register_module("blocks", nn::ModuleList());
        for (int m : c.audio_channel_mult) {
            const int64_t out = m * mc;
            auto norm = groupNorm(ch);
            auto conv = conv3(ch, out, 2);
            blocks->push_back(nn::Sequential(norm, nn::SiLU(), conv));
            norms.push_back(norm);
            convs.push_back(conv);
            ch = out;
        }
        out_norm = register_module("out_norm", groupNorm(ch));
        proj = register_module("proj", nn::Linear(ch, c.timeEmbedChannels()));
    }
    Tensor forward(const Tensor& audio) {  // [B, 2k+1, n_mels, cols]
        Tensor h = conv2d(conv_in, audio);
        for (size_t i = 0; i < convs.size(); ++i) h = conv2d(convs[i], torch::silu(norms[i]->forward(h)));
        h = torch::silu(out_norm->forward(h)).mean({2, 3});
        return linear(proj, h);
    }
};
TORCH_MODULE(RedubAudioEncoder);

// ---- the U-Net ------------------------------------------------------------------

struct UNetImpl : DenoiserImpl {
    ModelConfig c;
    bool family_a;
    nn::Linear te0{nullptr}, te2{nullptr};
    BlockList input, output;
    Block middle{nullptr};
    nn::GroupNorm out_norm{nullptr};
    nn::Conv2d out_conv{nullptr};
    Diff2LipAudioEncoder d2l_audio{nullptr};
    nn::GroupNorm style_norm{nullptr};
    nn::Conv2d style_conv{nullptr};
    RedubAudioEncoder redub_audio{nullptr};

    explicit UNetImpl(const ModelConfig& cfg) : c(cfg), family_a(!cfg.isDiff2Lip()) {
        const int64_t mc = c.model_channels, ted = c.timeEmbedChannels();
        te0 = nn::Linear(mc, ted);
        te2 = nn::Linear(ted, ted);
        register_module("time_embed", nn::Sequential(te0, nn::SiLU(), te2));

        auto resOpts = [&](int64_t in, int64_t out) {
            ResBlockOptions o;
            o.channels = in;
            o.out_channels = out;
            o.emb_channels = ted;
            o.dropout = c.dropout;
            o.scale_shift = family_a;
            o.audio_channels = family_a ? ted : 0;
            return o;
        };
        auto attnHere = [&](int64_t ds) {
            for (int r : c.attention_resolutions)
                if (r * ds == c.image_size) return true;
            return false;
        };

        input.list = register_module("input_blocks", nn::ModuleList());
        int64_t ch = c.channel_mult[0] * mc;
        input.add()->addConv(conv3(c.inChannels(), ch));
        std::vector<int64_t> chans = {ch};
        int64_t ds = 1;
        for (size_t level = 0; level < c.channel_mult.size(); ++level) {
            for (int r = 0; r < c.num_res_blocks; ++r) {
                auto b = input.add();
                const int64_t out = c.channel_mult[level] * mc;
                b->addRes(ResBlock(resOpts(ch, out)));
                ch = out;
                if (attnHere(ds)) b->addAttn(AttentionBlock(ch, headsFor(c, ch)));
                chans.push_back(ch);
            }
            if (level + 1 != c.channel_mult.size()) {
                auto o = resOpts(ch, ch);
                o.resample = Resample::Down;
                input.add()->addRes(ResBlock(o));
                chans.push_back(ch);
                ds *= 2;
            }
        }
        middle = register_module("middle_block", Block());
        middle->addRes(ResBlock(resOpts(ch, ch)));
        middle->addAttn(AttentionBlock(ch, headsFor(c, ch)));
        middle->addRes(ResBlock(resOpts(ch, ch)));

        output.list = register_module("output_blocks", nn::ModuleList());
        for (int level = static_cast<int>(c.channel_mult.size()) - 1; level >= 0; --level) {
            for (int i = 0; i <= c.num_res_blocks; ++i) {
                const int64_t ich = chans.back();
                chans.pop_back();
                auto b = output.add();
                const int64_t out = c.channel_mult[level] * mc;
                b->addRes(ResBlock(resOpts(ch + ich, out)));
                ch = out;
                if (attnHere(ds)) b->addAttn(AttentionBlock(ch, headsFor(c, ch)));
                if (level && i == c.num_res_blocks) {
                    auto o = resOpts(ch, ch);
                    o.resample = Resample::Up;
                    b->addRes(ResBlock(o));
                    ds /= 2;
                }
            }
        }
        out_norm = groupNorm(ch);
        out_conv = conv3(c.channel_mult[0] * mc, c.outChannels());
        register_module("out", nn::Sequential(out_norm, nn::SiLU(), out_conv));

        if (family_a) {
            redub_audio = register_module("audio_encoder", RedubAudioEncoder(c));
        } else {
            d2l_audio = register_module("audio_encoder", Diff2LipAudioEncoder(c));
            style_norm = groupNorm(d2l_audio->out_channels);
            style_conv = nn::Conv2d(nn::Conv2dOptions(d2l_audio->out_channels, ted, 1));
            register_module("audio_encoder_to_style",
                            nn::Sequential(style_norm, nn::SiLU(),
                                           nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})),
                                           style_conv, nn::Flatten()));
        }
    }

    Tensor audioCondition(const Tensor& audio) override {
        if (family_a) return redub_audio->forward(audio);
        Tensor mels = audio.reshape({audio.size(0), c.n_mels, c.audio_cols});
        Tensor a = d2l_audio->forward(mels);
        a = torch::silu(style_norm->forward(a)).mean({2, 3}, true);
        return conv2d(style_conv, a).flatten(1);
    }

    Tensor forward(const NetInputs& in) override {
        const auto& m = in.mask;
        Tensor x = in.x * m + (1 - m) * in.source;
        std::vector<Tensor> parts;
        Tensor z;
        Tensor audio = in.audio_cond.defined() ? in.audio_cond : audioCondition(in.audio);
        if (family_a) {
            parts = {x, m, in.identity};
            if (in.motion.defined() && in.motion.numel() > 0) parts.push_back(in.motion);
            z = audio;
        } else {
            parts = {x, in.source, in.identity};
        }
        Tensor h = torch::cat(parts, 1);
        if (out_conv->weight.dim() == 4 && out_conv->weight.size(1) > 1 &&
            out_conv->weight.is_contiguous(at::MemoryFormat::ChannelsLast) && !out_conv->weight.is_contiguous())
            h = h.contiguous(at::MemoryFormat::ChannelsLast);
        Tensor emb = linear(te2, torch::silu(linear(te0, timestepEmbedding(in.t, c.model_channels))));
        if (!family_a) emb = emb + audio;
        std::vector<Tensor> hs;
        for (auto& b : input.blocks) {
            h = b->forward(h, emb, z);
            hs.push_back(h);
        }
        h = middle->forward(h, emb, z);
        for (auto& b : output.blocks) {
            h = torch::cat({h, hs.back()}, 1);
            hs.pop_back();
            h = b->forward(h, emb, z);
        }
        return conv2d(out_conv, siluFresh(out_norm->forward(h)));
    }
};

}  // namespace

std::shared_ptr<DenoiserImpl> build(const ModelConfig& config) {
    config.validate();
    return std::make_shared<UNetImpl>(config);
}

}  // namespace redub::models::nets
