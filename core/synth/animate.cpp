#include "core/synth/animate.hpp"

#include "core/synth/synth.hpp"
#include "media/probe.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"
#include "redub/log.hpp"

#include <chrono>
#include <cmath>

namespace redub::core {

namespace fs = std::filesystem;

AnimateReport runAnimate(const AnimateParams& params, const ProgressFn& progress, std::stop_token stop) {
    if (params.photo.empty()) fail(ErrorKind::BadInput, "no photo given");
    if (params.output.empty()) fail(ErrorKind::BadInput, "no output given");
    if (params.speech.empty() == params.text.empty())
        fail(ErrorKind::BadInput, "give the speech either as an audio file or as text (one of them)");
    if (!fs::exists(params.photo)) fail(ErrorKind::BadInput, params.photo, "photo not found");
    if (!params.text.empty()) synth::checkSpeakableText(params.text);  // before anything is written
    const fs::path dir = params.output.has_parent_path() ? params.output.parent_path() : fs::path(".");
    if (!fs::is_directory(dir)) fail(ErrorKind::Io, params.output, "its folder does not exist");

    // Temporary files beside the output (same file system), always removed.
    const std::string stem = "." + params.output.filename().string();
    const fs::path still = dir / (stem + ".still.mp4"), spoken = dir / (stem + ".speech.wav");
    const ScratchPaths scratch{still, spoken};
    auto report = [&](const char* stage, double fraction) {
        if (!progress) return;
        Progress p;
        p.stage = stage;
        p.fraction = fraction;
        progress(p);
    };

    AnimateReport r;
    fs::path speech = params.speech;
    if (!params.text.empty()) {
        report("speech", 0.0);
        synth::writeSpeechWav(params.text, params.voice, params.rate, spoken);
        speech = spoken;
    }
    const media::MediaInfo info = media::probe(speech);
    if (!info.audio) fail(ErrorKind::BadInput, speech, "has no audio stream to use as the speech");
    r.speech_s = info.audio->duration_s > 0 ? info.audio->duration_s : info.duration_s;
    if (!(r.speech_s > 0)) fail(ErrorKind::BadInput, speech, "the speech is empty");
    throwIfCancelled(stop);

    // The moving still: head motion and blinks, mouth closed, as long as the speech.
    auto sp = synth::SynthParams::defaults();
    sp.face = params.photo;
    sp.duration_s = r.speech_s;
    sp.fps = params.fps;
    sp.width = params.width;
    sp.height = params.height;
    sp.max_side = params.max_side;
    sp.seed = params.seed;
    const auto t0 = std::chrono::steady_clock::now();
    synth::synthesizeClip(sp, still,
                          [&](const Progress& p) {
                              Progress q = p;
                              q.fraction = 0.05 + 0.25 * p.fraction;  // the render is ~a quarter of the job
                              if (progress) progress(q);
                          },
                          stop);
    r.render_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log::core()->info("animate: {} rendered with head motion and blinks ({:.1f} s of video in {:.1f} s)",
                      params.photo.string(), r.speech_s, r.render_s);

    DubParams dp = params.dub;
    dp.video = still;
    dp.speech = speech;
    dp.output = params.output;
    dp.length_policy = LengthPolicy::PadSilence;  // the video is as long as the speech
    DubCallbacks cb;
    cb.progress = [&](const Progress& p) {
        Progress q = p;
        q.fraction = 0.3 + 0.7 * p.fraction;
        if (progress) progress(q);
    };
    r.dub = runDub(dp, cb, stop);
    return r;
}

}  // namespace redub::core
