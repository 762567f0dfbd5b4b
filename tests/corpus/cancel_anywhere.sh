#!/usr/bin/env bash
# Cancelling a dub at random moments never leaves an output: TRIES dubs of the bundled sample
# (one with --text, so a spoken scratch file exists too) are sent SIGINT or SIGTERM after a
# random delay spread over the whole job (model load, speech, face tracking, generation,
# encoding). Each must exit 6 (cancelled) with no output, no partial file and no scratch file
# left - or, if the signal came after the job ended, exit 0 with an output that probes - or,
# if it came while the process was still starting (loading its libraries, before `dub` can
# install its handler: the startup window, 3x the time `redub-cli --help` takes here), die by
# that signal (exit 128 + N) with nothing left.
#   bash tests/corpus/cancel_anywhere.sh REDUB_CLI [TRIES] [SEED]
set -uo pipefail
cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tries=${2:-10}
seed=${3:-$(( $(date +%s) % 100000 ))}
RANDOM=$seed
echo "seed $seed (pass it as SEED to repeat)"
repo=$(cd "$(dirname "$0")/../.." && pwd)
sample=$repo/resources/sample
work=$(mktemp -d /tmp/redub-cancel.XXXXXX)
trap 'rm -rf "$work"' EXIT

# How long one whole dub takes here: the delays are spread over it.
t0=$(date +%s%N)
"$cli" --quiet dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" -o "$work/whole.mp4" >/dev/null ||
  { echo "FAIL the uncancelled dub failed"; exit 1; }
whole_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N)
"$cli" --help >/dev/null 2>&1
startup_ms=$(( 3 * ($(date +%s%N) - t0) / 1000000 ))
echo "one whole dub: $whole_ms ms; startup window: $startup_ms ms"

bad=0
printf '%-4s %-7s %8s %6s %s\n' try signal delay_ms exit result
for i in $(seq "$tries"); do
  out=$work/try-$i.mp4
  delay=$(( RANDOM % (whole_ms * 11 / 10) ))
  sig=$([ $((RANDOM % 2)) = 0 ] && echo INT || echo TERM)
  if [ $((i % 3)) = 0 ]; then
    args=(dub --video "$sample/talking-face.mp4" --text "Hello world, this is a cancelled take." -o "$out")
  else
    args=(dub --video "$sample/talking-face.mp4" --audio "$sample/new-speech.wav" -o "$out")
  fi
  "$cli" --quiet "${args[@]}" >/dev/null 2>"$work/err" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -"$sig" "$pid" 2>/dev/null
  rc=0
  wait "$pid" || rc=$?
  left=$(ls -A "$work" | grep -E "^(try-$i\.mp4|try-$i\.mp4\.partial|\.try-$i\.mp4\.speech\.wav)$" | tr '\n' ' ')
  if [ "$rc" = 6 ] && [ -z "$left" ]; then
    result="cancelled, nothing left"
  elif [ "$rc" = 0 ] && "$cli" probe "$out" >/dev/null 2>&1 && [ "$(ls -A "$work" | grep -c "try-$i.*\(partial\|speech\)")" = 0 ]; then
    result="finished before the signal, output whole"
  elif [ "$rc" = $((128 + $(kill -l "$sig"))) ] && [ -z "$left" ] && [ "$delay" -le "$startup_ms" ]; then
    result="killed while starting, nothing left"
  else
    result="FAIL: left [$left] $(tail -1 "$work/err")"
    bad=$((bad + 1))
  fi
  printf '%-4s %-7s %8s %6s %s\n' "$i" "$sig" "$delay" "$rc" "$result"
done
echo "$tries tries, $bad failures"
[ "$bad" = 0 ]
