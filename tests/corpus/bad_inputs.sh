#!/usr/bin/env bash
# The bad-input corpus: hostile and unusual files generated here (ffmpeg, head, dd - nothing
# committed), each run through `redub-cli probe`, `redub-cli dub` and the editor's open
# (`redub --open/--audio/--project ... --screenshot`, offscreen) with a time bound.
#   bash tests/corpus/bad_inputs.sh REDUB_CLI [WORK_DIR]
# Every run must end in one of:
#   ok     exit 0 and, for dub, an output that probes with frames;
#   error  exit 2..6 (bad input, unsupported, I/O, model, cancelled) with a message that names
#          the file, and no output or partial file left behind.
# The editor must stay up (it saves its screenshot and exits 0) and, for a file the CLI refuses,
# log an error that names the file (the dialog the user sees says the same).
# Anything else is counted: crash (a signal, or exit 7: an internal error is a bug), hang (killed
# at the time bound), unclear (an error that does not name the file), leftover (an output or
# partial file after a failure). Prints one line per run and a table; exit 1 if any are found.
# The full and read-only output folders are small tmpfs mounts (as root; else those cases are
# listed as skipped).
set -uo pipefail
cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
editor=$(dirname "$cli")/redub
work=${2:-}
own_work=0
[ -n "$work" ] || { work=$(mktemp -d /tmp/redub-corpus.XXXXXX); own_work=1; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
sample=$repo/resources/sample
bound=${REDUB_CORPUS_TIMEOUT:-180}
mkdir -p "$work/in" "$work/out"
in=$work/in
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  [ "$own_work" = 1 ] && rm -rf "$work"
}
trap cleanup EXIT

ff() { ffmpeg -hide_banner -loglevel error -y "$@" || echo "corpus: could not make $*" >&2; }
face="-i $sample/talking-face.mp4 -t 0.4"
ff -i "$sample/new-speech.wav" -t 0.4 "$work/speech-0.4s.wav"  # the new speech for the video cases: 10 frames
# --- unusual but valid video (the sample's face, 10 frames) ---
ff $face -frames:v 3 -vf scale=7680:4320 -c:v libx264 -preset ultrafast -an "$in/8k.mp4"  # 3 frames: ~50 s
ff -f lavfi -i color=c=gray:size=2x2:rate=25 -t 0.2 -vf scale=1:1 -c:v libx264 -pix_fmt yuv444p "$in/1x1.mp4"
ff $face -vf scale=401:299 -c:v libx264 -pix_fmt yuv444p -an "$in/odd-size-401x299.mp4"
ff $face -c:v libx264 -an -metadata:s:v rotate=90 "$in/rotated.mp4"
ff $face -vf "setpts='N/25/TB+if(mod(N,3),0,0.013)/TB'" -fps_mode vfr -c:v libx264 -an "$in/vfr.mkv"
ff $face -c:v libx264 -pix_fmt yuv420p10le -an "$in/10-bit.mp4"
ff $face -c:v libx264 -pix_fmt yuv444p -an "$in/yuv444.mp4"
ff $face -an "$in/video-only.mp4"
ff -i "$sample/new-speech.wav" -t 1 -c:a aac "$in/audio-only.m4a"
cp "$sample/talking-face.mp4" "$in/vidéo à doubler – take 2.mp4"
cp "$sample/talking-face.mp4" "$in/my clip (final) [v2].mp4"
# --- broken video ---
: > "$in/zero-length.mp4"
ff $face -c:v libx264 -movflags +faststart "$in/whole.mp4"
head -c $(( $(stat -c %s "$in/whole.mp4") / 3 )) "$in/whole.mp4" > "$in/truncated-faststart.mp4"
ff $face -c:v libx264 "$in/whole-moov-at-end.mp4"
head -c $(( $(stat -c %s "$in/whole-moov-at-end.mp4") / 2 )) "$in/whole-moov-at-end.mp4" > "$in/truncated-no-index.mp4"
rm -f "$in/whole-moov-at-end.mp4"
cp "$in/whole.mp4" "$in/corrupt-middle.mp4"
dd if=/dev/urandom of="$in/corrupt-middle.mp4" bs=1 seek=$(( $(stat -c %s "$in/whole.mp4") / 2 )) count=4096 conv=notrunc status=none
ff $face -c:v libvpx -b:v 200k "$in/whole.mkv"
cp "$in/whole.mkv" "$in/corrupt.mkv"
dd if=/dev/urandom of="$in/corrupt.mkv" bs=1 seek=200 count=2048 conv=notrunc status=none
rm -f "$in/whole.mp4" "$in/whole.mkv"
head -c 65536 /dev/urandom > "$in/random-bytes.mp4"
echo "this is not a video" > "$in/text.mp4"
ff -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 0 -c:v libx264 "$in/no-frames.mp4"
mkdir -p "$in/a-folder.mp4"
# --- broken audio ---
: > "$in/zero-length.wav"
head -c 20000 "$sample/new-speech.wav" > "$in/truncated.wav"
{ printf 'RIFF\xff\xff\xff\xffWAVEfmt '; head -c 200 /dev/urandom; } > "$in/corrupt-header.wav"
ff -f lavfi -i anullsrc=r=16000:cl=mono -t 0 "$in/no-samples.wav"
# --- hostile model and project files ---
head -c 4096 /dev/urandom > "$in/random.safetensors"
head -c 100000 "$repo/resources/models/default/model.safetensors" > "$in/truncated.safetensors"
printf '\xff\xff\xff\xff\xff\xff\xff\x7f{}' > "$in/huge-header.safetensors"
cp "$repo/tests/fixtures/diff2lip/views.pt" "$in/not-a-model.pt"
head -c 4096 /dev/urandom > "$in/random.redub"
echo '{"format": "redub-project", "version": 1, "video": 3, "speech": []}' > "$in/wrong-types.redub"
echo '{"format": "redub-project", "version": 99}' > "$in/future-version.redub"
printf '{"format": "redub-project", "version": 1, "video": "%s", "speech": "%s", "steps": 2, "export": {"output": "%s"}}' \
  "missing-video.mp4" "$sample/new-speech.wav" "$work/out/never.mp4" > "$in/missing-video.redub"

# --- output folders ---
mkdir -p "$work/full" "$work/readonly"
can_mount=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=96k tmpfs "$work/full" 2>/dev/null; then
  mounts+=("$work/full")
  mount -t tmpfs -o size=64k,ro tmpfs "$work/readonly" 2>/dev/null && mounts+=("$work/readonly") && can_mount=1
fi

declare -A count=()
crashes=0 hangs=0 unclear=0 leftovers=0
line() { printf '%-8s %-7s %-44s %s\n' "$1" "$2" "$3" "$4"; }
# run KIND NAME NAMED OUT -- ARGS...: NAMED is the file the error must name; OUT the output or "".
run() {
  local kind=$1 name=$2 named=$3 out=$4
  shift 5
  local err=$work/err.txt rc=0 verdict
  [ -n "$out" ] && rm -f "$out"
  timeout -s KILL "$bound" "$cli" --quiet "$@" > /dev/null 2> "$err" || rc=$?
  local msg
  msg=$(grep -v '^\[' "$err" | head -1 | cut -c1-150)
  local left=""
  if [ -n "$out" ]; then
    left=$(find "$(dirname "$out")" -maxdepth 1 -name "$(basename "$out")*" 2>/dev/null | head -1)
  fi
  if [ "$rc" = 0 ]; then
    verdict=ok
    if [ -n "$out" ] && ! "$cli" probe "$out" > /dev/null 2>&1; then verdict=crash; msg="exit 0 but $out does not probe"; fi
    [ "$verdict" = ok ] && msg=""
  elif [ "$rc" = 137 ]; then
    verdict=hang; msg="killed after $bound s"
  elif [ "$rc" -ge 2 ] && [ "$rc" -le 6 ]; then
    verdict=error
    if ! grep -qF "$(basename "$named")" "$err"; then verdict=unclear; fi
    if [ -n "$left" ]; then verdict=leftover; msg="left $left; $msg"; fi
  else
    verdict=crash; msg="exit $rc: $msg"
  fi
  count[$verdict]=$(( ${count[$verdict]:-0} + 1 ))
  case $verdict in crash) crashes=$((crashes + 1)) ;; hang) hangs=$((hangs + 1)) ;;
                   unclear) unclear=$((unclear + 1)) ;; leftover) leftovers=$((leftovers + 1)) ;; esac
  line "$kind" "$verdict" "$name" "$msg"
  last_verdict=$verdict
}

# open NAME NAMED EXPECT_ERROR -- EDITOR_ARGS...: the editor opens it offscreen and must stay up.
open_in_editor() {
  local name=$1 named=$2 expect=$3
  shift 4
  [ -x "$editor" ] || return 0
  local err=$work/err.txt rc=0 verdict msg=""
  QT_QPA_PLATFORM=offscreen timeout -s KILL "$bound" "$editor" "$@" --screenshot "$work/shot.png" > /dev/null 2> "$err" || rc=$?
  if [ "$rc" = 137 ]; then
    verdict=hang; msg="killed after $bound s"
  elif [ "$rc" != 0 ]; then
    verdict=crash; msg="exit $rc: $(grep -v '^\[.*\] \[info\]' "$err" | tail -1 | cut -c1-120)"
  elif grep -q '\[error\]' "$err"; then
    verdict=error
    msg=$(grep '\[error\]' "$err" | head -1 | cut -c1-150)
    grep '\[error\]' "$err" | grep -qF "$(basename "$named")" || verdict=unclear
  elif [ "$expect" = error ]; then
    verdict=unclear; msg="the CLI refuses it but the editor showed no error"
  else
    verdict=ok
  fi
  count[$verdict]=$(( ${count[$verdict]:-0} + 1 ))
  case $verdict in crash) crashes=$((crashes + 1)) ;; hang) hangs=$((hangs + 1)) ;; unclear) unclear=$((unclear + 1)) ;; esac
  line open "$verdict" "$name" "$msg"
}

dub_opts=(--steps 2)
echo "corpus in $in; each run bounded at $bound s"
line kind result case message
for f in "$in"/*.mp4 "$in"/*.mkv "$in"/*.m4a; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  run probe "$name" "$f" "" -- probe "$f"
  open_in_editor "$name" "$f" "$last_verdict" -- --open "$f"
  out="$work/out/${name%.*}-dubbed.mp4"
  run dub "$name" "$f" "$out" -- dub --video "$f" --audio "$work/speech-0.4s.wav" "${dub_opts[@]}" -o "$out"
done
for f in "$in"/*.wav "$in/video-only.mp4"; do
  name=$(basename "$f")
  if [[ "$name" == *.wav ]]; then
    run probe "$name" "$f" "" -- probe "$f"
    open_in_editor "speech: $name" "$f" "$last_verdict" -- --open "$sample/talking-face.mp4" --audio "$f"
  fi
  out="$work/out/speech-${name%.*}-dubbed.mp4"
  run dub "speech: $name" "$f" "$out" -- dub --video "$sample/talking-face.mp4" --audio "$f" "${dub_opts[@]}" -o "$out"
done
for f in "$in"/*.safetensors "$in"/*.pt; do
  name=$(basename "$f")
  out="$work/out/model-${name%.*}-dubbed.mp4"
  run dub "model: $name" "$f" "$out" -- dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" --model "$f" -o "$out"
done
for f in "$in"/*.redub; do
  name=$(basename "$f")
  named=$f
  [ "$name" = missing-video.redub ] && named=missing-video.mp4
  out="$work/out/project-${name%.*}.mp4"
  run dub "project: $name" "$named" "$out" -- dub --project "$f" -o "$out"
  open_in_editor "project: $name" "$named" error -- --project "$f"
done
run dub "output: folder missing" "$work/no-such-folder/x.mp4" "$work/no-such-folder/x.mp4" -- \
  dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" "${dub_opts[@]}" -o "$work/no-such-folder/x.mp4"
if [ "$can_mount" = 1 ]; then
  run dub "output: full disk (96 KiB tmpfs)" "$work/full/x.mp4" "$work/full/x.mp4" -- \
    dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" "${dub_opts[@]}" -o "$work/full/x.mp4"
  run dub "output: read-only folder" "$work/readonly/x.mp4" "$work/readonly/x.mp4" -- \
    dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" "${dub_opts[@]}" -o "$work/readonly/x.mp4"
else
  line dub skipped "output: full disk, read-only folder" "needs root for the tmpfs mounts"
fi

total=0
for k in "${!count[@]}"; do total=$(( total + count[$k] )); done
echo
echo "| runs | ok | clear errors | crashes | hangs | unclear errors | left output |"
echo "|---|---|---|---|---|---|---|"
echo "| $total | ${count[ok]:-0} | ${count[error]:-0} | $crashes | $hangs | $unclear | $leftovers |"
[ $(( crashes + hangs + unclear + leftovers )) = 0 ]
