#include "core/synth/external_voices.hpp"

#include "media/audio_reader.hpp"
#include "media/probe.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

extern char** environ;

namespace redub::core::synth {
namespace fs = std::filesystem;
namespace {

constexpr const char* kText2Wave = "/usr/bin/text2wave";
constexpr const char* kHtsSlt = "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts/festvox/cmu_us_slt_arctic_hts.scm";
constexpr const char* kEspeak = "/usr/bin/espeak-ng";

// Runs argv[0] with argv (no shell: the text cannot be interpreted), stdout and stderr to
// `log`; returns the exit status (-1 when it could not start or was killed).
int run(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string firstLine(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// A scratch folder of our own under the system's temporary folder.
fs::path scratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "redub-voice-XXXXXX").string();
    if (!mkdtemp(pattern.data())) fail(ErrorKind::Io, fs::temp_directory_path(), "cannot make a scratch folder for the voice");
    return pattern;
}

}  // namespace

const std::vector<ExternalVoice>& externalVoices() {
    static const std::vector<ExternalVoice> voices = {
        {"hts-slt", "female, US English (Festival, HTS statistical voice of CMU Arctic SLT: smooth, natural)",
         {kText2Wave, kHtsSlt}},
        {"espeak-us", "male, US English (eSpeak NG formant voice: robotic, very clear, any text)", {kEspeak}},
        {"espeak-us-f", "female, US English (eSpeak NG, variant f3)", {kEspeak}},
        {"espeak-gb", "male, British English (eSpeak NG)", {kEspeak}},
    };
    return voices;
}

std::optional<ExternalVoice> findExternalVoice(const std::string& name) {
    for (const auto& v : externalVoices())
        if (v.name == name) return v;
    return std::nullopt;
}

bool installed(const ExternalVoice& voice) {
    return std::all_of(voice.needs.begin(), voice.needs.end(), [](const std::string& f) { return fs::exists(f); });
}

Speech speakExternal(const ExternalVoice& voice, const std::string& text, double rate) {
    if (!installed(voice))
        fail(ErrorKind::Unsupported, "voice '" + voice.name + "' is not installed (" +
                                         (voice.name == "hts-slt" ? "packages festival and festvox-us-slt-hts"
                                                                  : "package espeak-ng") +
                                         "; `bash installer/install-deps.sh` installs them)");
    const fs::path dir = scratchFolder();
    const ScratchPaths cleanup{dir};
    const fs::path wav = dir / "speech.wav", log = dir / "log.txt";
    int rc = 0;
    if (voice.name == "hts-slt") {
        const fs::path txt = dir / "text.txt";
        std::ofstream(txt) << text << "\n";
        // HTS ignores Duration_Stretch; hts_engine's own speed factor (-r) sets the rate.
        char speed[32];
        std::snprintf(speed, sizeof speed, "%.4f", rate);
        rc = run({kText2Wave, "-eval", "(voice_cmu_us_slt_arctic_hts)", "-eval",
                  std::string("(set! hts_engine_params (append hts_engine_params (list (list \"-r\" ") + speed + "))))",
                  "-o", wav.string(), txt.string()},
                 log);
    } else {
        const std::string v = voice.name == "espeak-gb" ? "en-gb" : voice.name == "espeak-us-f" ? "en-us+f3" : "en-us";
        rc = run({kEspeak, "-v", v, "-s", std::to_string(int(std::lround(175 * rate))), "-w", wav.string(), "--", text},
                 log);
    }
    if (rc != 0 || !fs::exists(wav))
        fail(ErrorKind::Internal, "voice '" + voice.name + "' failed (exit " + std::to_string(rc) + "): " + firstLine(log));
    const media::MediaInfo info = media::probe(wav);
    if (!info.audio) fail(ErrorKind::BadInput, "voice '" + voice.name + "' produced no speech for \"" + text + "\"");
    media::AudioBuffer pcm = media::readAudio(wav, info.audio->sample_rate, 1);
    if (pcm.samples.empty()) fail(ErrorKind::BadInput, "voice '" + voice.name + "' produced no speech for \"" + text + "\"");
    Speech s;
    s.sample_rate = pcm.sample_rate;
    s.samples = std::move(pcm.samples);
    log::core()->info("voice {}: {:.2f} s of speech", voice.name, s.durationSeconds());
    return s;
}

}  // namespace redub::core::synth
