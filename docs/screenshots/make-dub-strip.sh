#!/usr/bin/env bash
# Frames for the eye: dubs the bundled sample with the bundled speech and writes
# docs/screenshots/dub-strip.png - the mouth region of every 3rd frame from 0.2 s to
# 2.1 s, source on top, dubbed below, the new speech's waveform under them (same time axis).
#   bash docs/screenshots/make-dub-strip.sh [MODEL] [OUT.png]
# Another face: VIDEO=face.mp4|photo.jpg CROP=w:h:x:y (the mouth region) [SPEECH=...];
# a photo is held still for 2.4 s, so every movement of its mouth comes from the speech.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${REDUB_CLI:-$root/build/app/redub-cli}"
model="${1:-$root/resources/models/default/model.safetensors}"
out="${2:-$root/docs/screenshots/dub-strip.png}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
video="${VIDEO:-$root/resources/sample/talking-face.mp4}" speech="${SPEECH:-$root/resources/sample/new-speech.wav}"
crop="${CROP:-100:70:160:170}"
case "$video" in
  *.jpg|*.jpeg|*.png)
    ffmpeg -loglevel error -y -loop 1 -i "$video" -t 2.4 -r 25 -vf "scale=trunc(iw/2)*2:trunc(ih/2)*2" \
      -pix_fmt yuv420p "$tmp/still.mp4"
    video="$tmp/still.mp4" ;;
esac
"$cli" --quiet dub --video "$video" --audio "$speech" --model "$model" -o "$tmp/dub.mp4" >/dev/null
first=5 last=52 step=3 n=16           # frames 5, 8, ..., 50 (0.2 s .. 2.1 s at 25 fps)
pick="select='between(n,$first,$last)*not(mod(n-$first,$step))',crop=$crop,scale=150:105,tile=${n}x1"
ffmpeg -loglevel error -y -i "$video" -vf "$pick" -frames:v 1 "$tmp/src.png"
ffmpeg -loglevel error -y -i "$tmp/dub.mp4" -vf "$pick" -frames:v 1 "$tmp/dub.png"
# The speech heard during those frames: from frame 5 to frame 53 (each tile is 3 frames).
ffmpeg -loglevel error -y -ss 0.2 -t $(awk "BEGIN{print ($last + 1 - $first) / 25}") -i "$speech" \
  -filter_complex "showwavespic=s=$((n * 150))x100:scale=sqrt:colors=0x3daee9" -frames:v 1 "$tmp/wave.png"
ffmpeg -loglevel error -y -i "$tmp/src.png" -i "$tmp/dub.png" -i "$tmp/wave.png" -filter_complex vstack=inputs=3 "$tmp/strip.png"
/usr/bin/python3 - "$tmp/strip.png" "$out" <<'PY'   # 256 colours: a third of the size
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
im.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PY
echo "wrote $out"
