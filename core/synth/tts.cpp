#include "core/synth/tts.hpp"

#include "core/synth/external_voices.hpp"
#include "media/wav_writer.hpp"
#include "redub/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
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
    else {
        std::string list;
        for (const auto& n : availableVoices()) list += (list.empty() ? "" : ", ") + n;
        fail(ErrorKind::BadInput, "voice '" + name + "' is not available (use " + list + "; `redub-cli voices` describes them)");
    }
    if (!v) fail(ErrorKind::Internal, "flite could not load voice '" + name + "'");
    voices[name] = v;
    return v;
}

}  // namespace

std::vector<std::string> availableVoices() {
    std::vector<std::string> names;
    for (const auto& v : voiceInfos()) names.push_back(v.name);
    return names;
}

std::vector<VoiceInfo> voiceInfos() {
    std::vector<VoiceInfo> out = {{"slt", "female, US English (flite, CMU Arctic clustergen; with phone timings)"}};
    // Festival's HTS voice sounds most natural; eSpeak NG is the robotic fallback.
    for (const auto& v : externalVoices())
        if (v.name == "hts-slt" && installed(v)) out.push_back({v.name, v.description});
    out.push_back({"rms", "male, US English (flite, CMU Arctic clustergen; with phone timings)"});
    out.push_back({"awb", "male, Scottish English (flite, CMU Arctic clustergen; with phone timings)"});
    out.push_back({"kal16", "male, US English (flite diphone, 16 kHz: robotic but very clear; with phone timings)"});
    for (const auto& v : externalVoices())
        if (v.name != "hts-slt" && installed(v)) out.push_back({v.name, v.description});
    return out;
}

void checkSpeakableText(const std::string& text) {
    size_t chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80) ++chars;  // count characters, not UTF-8 continuation bytes
        if (c < 0x80) continue;
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        const std::string ch = text.substr(i, std::min(len, text.size() - i));
        fail(ErrorKind::BadInput, "the text has a character the offline voices cannot speak: '" + ch +
                                      "' (character " + std::to_string(chars) +
                                      "); they speak English - write it in plain ASCII letters");
    }
    const bool has_letters = std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c); });
    if (!has_letters) fail(ErrorKind::BadInput, "the text to speak is empty (no letters or digits)");
}

Speech synthesize(const std::string& text, const std::string& voice, double rate) {
    checkSpeakableText(text);
    if (!(rate >= 0.5 && rate <= 2.0)) fail(ErrorKind::BadInput, "speaking rate must be in 0.5..2 (1 = the voice's pace)");
    if (const auto ext = findExternalVoice(voice)) return speakExternal(*ext, text, rate);
    std::lock_guard lock(fliteMutex());
    cst_voice* v = voiceByName(voice);
    flite_feat_set_float(v->features, "duration_stretch", float(1.0 / rate));
    cst_utterance* utt = flite_synth_text(text.c_str(), v);
    flite_feat_set_float(v->features, "duration_stretch", 1.0f);
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

Speech writeSpeechWav(const std::string& text, const std::string& voice, double rate, const std::filesystem::path& out) {
    Speech s = synthesize(text, voice, rate);
    media::writeWavMono16(out, s.samples, s.sample_rate);
    return s;
}

}  // namespace redub::core::synth
