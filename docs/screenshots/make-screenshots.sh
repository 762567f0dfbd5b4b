#!/bin/sh
# Regenerates docs/screenshots/*.png from the bundled sample, under Xvfb.
#   docs/screenshots/make-screenshots.sh [BUILD_DIR]      (default: build)
# The captures are quantised to 256 colours (Floyd-Steinberg) to stay < 300 KB.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/demo.redub" <<JSON
{"format": "redub-project", "version": 1,
 "video": "$root/resources/sample/talking-face.mp4", "speech": "$root/resources/sample/new-speech.wav",
 "offset_samples": 1920, "ranges": [{"begin": 20, "end": 72}, {"begin": 95, "end": 126}]}
JSON
export XDG_CONFIG_HOME="$tmp/config"   # a fresh window layout, no recent files
shoot() {  # shoot NAME ARGS...
  name=$1; shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/redub" --project "$tmp/demo.redub" "$@" --screenshot "$tmp/$name.png"
  /usr/bin/python3 - "$tmp/$name.png" "$here/$name.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
pal = im.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
im.quantize(palette=pal, dither=Image.Dither.FLOYDSTEINBERG).save(sys.argv[2], optimize=True)
PY
}
shoot editor --frame 40
shoot editor-preview --frame 40 --preview   # needs the bundled model
ls -l "$here"/*.png
