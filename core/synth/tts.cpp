#include "core/synth/tts.hpp"

#include "redub/error.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
}

namespace redub::core::synth {
namespace {

// flite keeps global state (lexicon, voice registry): serialize all use.
std::mutex& fliteMutex() {
    static std::mutex m;
    return m;
}

cst_voice* voiceByName(const std::string& name) {
    static std::map<std::string, cst_voice*> voices;
    static bool initialised = false;
    if (!initialised) {
        flite_init();
        initialised = true;
    }
    auto it = voices.find(name);
    if (it != voices.end()) return it->second;
    cst_voice* v = nullptr;
    if (name == "slt") v = register_cmu_us_slt(nullptr);
    else if (name == "rms") v = register_cmu_us_rms(nullptr);
    else if (name == "awb") v = register_cmu_us_awb(nullptr);
    else if (name == "kal16" || name == "kal") v = register_cmu_us_kal16(nullptr);
    else
        fail(ErrorKind::BadInput, "voice '" + name + "' is not available (use slt, rms, awb or kal16)");
    if (!v) fail(ErrorKind::Internal, "flite could not load voice '" + name + "'");
    voices[name] = v;
    return v;
}

}  // namespace

std::vector<std::string> availableVoices() { return {"slt", "rms", "awb", "kal16"}; }

Speech synthesize(const std::string& text, const std::string& voice) {
    const bool has_letters = std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c); });
    if (!has_letters) fail(ErrorKind::BadInput, "text to synthesize is empty (no letters or digits)");
    std::lock_guard lock(fliteMutex());
    cst_voice* v = voiceByName(voice);
    cst_utterance* utt = flite_synth_text(text.c_str(), v);
    if (!utt) fail(ErrorKind::Internal, "flite failed to synthesize the text");
    Speech out;
    cst_wave* w = utt_wave(utt);
    if (!w || cst_wave_num_samples(w) <= 0) {
        delete_utterance(utt);
        fail(ErrorKind::BadInput, "text produced no speech: \"" + text + "\"");
    }
    out.sample_rate = cst_wave_sample_rate(w);
    const int n = cst_wave_num_samples(w);
    const int ch = cst_wave_num_channels(w);
    out.samples.resize(size_t(n));
    for (int i = 0; i < n; ++i) out.samples[size_t(i)] = float(w->samples[size_t(i) * size_t(ch)]) / 32768.0f;
    double prev_end = 0.0;
    for (cst_item* s = relation_head(utt_relation(utt, "Segment")); s; s = item_next(s)) {
        Phone p;
        p.name = item_feat_string(s, "name");
        p.start_s = prev_end;
        p.end_s = std::max(prev_end, double(item_feat_float(s, "end")));
        prev_end = p.end_s;
        out.phones.push_back(std::move(p));
    }
    delete_utterance(utt);
    const double dur = out.durationSeconds();
    if (!out.phones.empty()) {
        // flite's last pause may end a few samples before/after the wave: snap it.
        out.phones.back().end_s = std::max(out.phones.back().end_s, dur);
    }
    return out;
}

}  // namespace redub::core::synth
