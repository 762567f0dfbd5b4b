#!/usr/bin/env bash
# Frames for the eye: dubs the bundled sample with the bundled speech and writes
# docs/screenshots/dub-strip.png - the mouth region of every 3rd frame from 1.0 s to
# 2.9 s, source on top, dubbed below, the new speech's waveform under them (same time axis).
#   bash docs/screenshots/make-dub-strip.sh [MODEL] [OUT.png]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${REDUB_CLI:-$root/build/app/redub-cli}"
model="${1:-$root/resources/models/default/model.safetensors}"
out="${2:-$root/docs/screenshots/dub-strip.png}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
video="$root/resources/sample/talking-face.mp4" speech="$root/resources/sample/new-speech.wav"
"$cli" --quiet dub --video "$video" --audio "$speech" --model "$model" -o "$tmp/dub.mp4" >/dev/null
first=25 last=72 step=3 n=16          # frames 25, 28, ..., 70 (1.0 s .. 2.8 s at 25 fps)
pick="select='between(n,$first,$last)*not(mod(n-$first,$step))',crop=100:70:160:170,scale=150:105,tile=${n}x1"
ffmpeg -loglevel error -y -i "$video" -vf "$pick" -frames:v 1 "$tmp/src.png"
ffmpeg -loglevel error -y -i "$tmp/dub.mp4" -vf "$pick" -frames:v 1 "$tmp/dub.png"
# The speech heard during those frames: from frame 25 to frame 73 (each tile is 3 frames).
ffmpeg -loglevel error -y -ss 1.0 -t $(awk "BEGIN{print ($last + 1 - $first) / 25}") -i "$speech" \
  -filter_complex "showwavespic=s=$((n * 150))x100:colors=0x3daee9" -frames:v 1 "$tmp/wave.png"
ffmpeg -loglevel error -y -i "$tmp/src.png" -i "$tmp/dub.png" -i "$tmp/wave.png" -filter_complex vstack=inputs=3 "$out"
echo "wrote $out"
