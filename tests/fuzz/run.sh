#!/usr/bin/env bash
# Fuzzes the parsers that read users' files with libFuzzer (clang, ASan + UBSan):
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]     (default 60 s each; all four targets)
# Builds tests/fuzz/ with clang into build-fuzz/, makes a seed corpus (tiny files generated
# here with ffmpeg and python3, plus the committed regression inputs), runs every target for
# SECONDS and prints a table: executions, exec/s, corpus size, findings. A finding (crash,
# sanitizer report, timeout, out-of-memory; not libFuzzer's slow-unit notes) is saved under
# build-fuzz/findings/TARGET/ and
# makes the script exit 1; copy it into tests/fuzz/regressions/TARGET/ once fixed, where
# test_fuzz_regressions replays it in every build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_safetensors fuzz_pt_import fuzz_project fuzz_probe)
out=$repo/build-fuzz
command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }

CC=clang CXX=clang++ cmake -S "$here" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out/build" -- -j"$(nproc)" >/dev/null

# Seeds: small valid inputs of each kind, then the regression inputs.
seeds=$out/seeds
rm -rf "$seeds" && mkdir -p "$seeds"/{fuzz_safetensors,fuzz_pt_import,fuzz_project,fuzz_probe}
/usr/bin/python3 - "$seeds/fuzz_safetensors" <<'EOF'
import json, struct, sys
def write(name, tensors):
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for key, (dtype, shape, data) in tensors.items():
        header[key] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    h = json.dumps(header).encode()
    open(f"{sys.argv[1]}/{name}", "wb").write(struct.pack("<Q", len(h)) + h + blob)
write("one.safetensors", {"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4))})
write("mixed.safetensors", {"a": ("F16", [3], b"\x00\x3c" * 3), "b": ("BF16", [1, 2], b"\x80\x3f" * 2),
                            "c": ("F64", [1], struct.pack("<d", 0.5)), "e": ("F32", [0], b"")})
EOF
cp "$repo/tests/fixtures/diff2lip/views.pt" "$seeds/fuzz_pt_import/"
cat > "$seeds/fuzz_project/full.redub" <<'EOF'
{"format": "redub-project", "version": 1, "video": "talk.mp4", "speech": "take2.wav", "offset_samples": 1600,
 "offset_sample_rate": 16000, "ranges": [{"begin": 0, "end": 25}, {"begin": 50, "end": 75}],
 "face": {"x": 0.5, "y": 0.4, "frame": 3}, "model": "m.safetensors", "steps": 5, "seed": 7, "device": "auto",
 "length_policy": "ping-pong", "export": {"output": "out.mp4", "crf": 18, "preset": "medium"}}
EOF
echo '{"format": "redub-project", "version": 1}' > "$seeds/fuzz_project/minimal.redub"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
ff -f lavfi -i testsrc2=size=32x24:rate=10 -f lavfi -i sine=frequency=440:sample_rate=8000 -t 0.3 \
   -c:v libx264 -preset ultrafast -c:a aac -shortest "$seeds/fuzz_probe/a.mp4"
ff -f lavfi -i testsrc2=size=16x16:rate=5 -t 0.4 -c:v mpeg4 "$seeds/fuzz_probe/b.mkv"
ff -f lavfi -i sine=frequency=300:sample_rate=8000 -t 0.1 "$seeds/fuzz_probe/c.wav"
ff -f lavfi -i testsrc2=size=16x16:rate=5 -t 0.2 -c:v libvpx -b:v 50k "$seeds/fuzz_probe/d.webm"
for t in "${targets[@]}"; do
  [ -d "$here/regressions/$t" ] && cp "$here/regressions/$t"/* "$seeds/$t/" 2>/dev/null || true
done

printf '%-18s %8s %12s %10s %8s %9s\n' target seconds executions exec/s corpus findings
status=0
for t in "${targets[@]}"; do
  corpus=$out/corpus/$t findings=$out/findings/$t
  rm -rf "$findings" && mkdir -p "$corpus" "$findings"
  log=$out/$t.log
  rc=0
  max_len=8192  # a header or a project; media files need room for a few frames
  [ "$t" = fuzz_probe ] && max_len=65536
  "$out/build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$seeds/$t" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  n_find=$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-18s %8s %12s %10s %8s %9s\n' "$t" "$seconds" "${execs:-?}" "$(( ${execs:-0} / seconds ))" \
    "$(find "$corpus" -type f | wc -l)" "$n_find"
  if [ "$rc" != 0 ] || [ "$n_find" != 0 ]; then
    status=1
    echo "  $t: exit $rc; see $log and $findings/"
  fi
done
exit "$status"
