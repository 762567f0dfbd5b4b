#!/usr/bin/env bash
# Diff2Lip on the CPU, Redub against the published Python implementation, on this machine:
# the same network (the reference's own modules, published hyper-parameters, random weights
# from a fixed seed), the same inputs, the same thread count. Prints one table: python ms,
# redub ms, the ratio, and Redub's error against the reference's output for
#   (a) one denoiser forward at batch FRAMES, (b) a whole DDIM sampling of FRAMES frames, STEPS steps.
#
#   bash bench/diff2lip-side-by-side.sh REF_DIR [--frames N] [--steps S] [--threads T] [--reps R] [--work DIR]
#
# REF_DIR: a checkout of https://github.com/soumik-kanad/diff2lip (kept outside this repository;
# only imported from, never copied). Exit 2 when it is absent or lacks the expected files.
# Installs its own packages: the [bench] group of installer/packages.txt (python3-torch: Debian's
# torch 1.13.1, the same build as the libtorch-dev Redub links). Needs build/app/redub-cli
# (or REDUB_CLI). Figures of this machine: docs/performance.md, "Diff2Lip side by side".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage="usage: bash bench/diff2lip-side-by-side.sh REF_DIR [--frames N] [--steps S] [--threads T] [--reps R] [--work DIR]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
ref="$1"; shift
frames=2 steps=2 threads=2 reps=3 work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --frames) frames="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
if [ ! -f "$ref/guided-diffusion/guided_diffusion/unet.py" ] || [ ! -f "$ref/guided-diffusion/guided_diffusion/script_util.py" ]; then
  echo "diff2lip-side-by-side: no Diff2Lip reference at '$ref' (expected guided-diffusion/guided_diffusion/unet.py there): git clone https://github.com/soumik-kanad/diff2lip \"$ref\"" >&2
  exit 2
fi
ref="$(cd "$ref" && pwd)"
case "$ref/" in "$root"/*) echo "diff2lip-side-by-side: keep the reference outside the repository ($ref)" >&2; exit 2 ;; esac
cli="${REDUB_CLI:-$root/build/app/redub-cli}"
[ -x "$cli" ] || { echo "diff2lip-side-by-side: redub-cli not found: build it or set REDUB_CLI" >&2; exit 1; }
bash "$root/installer/install-deps.sh" bench >/dev/null
work="${work:-$(mktemp -d /tmp/redub-d2l-sbs.XXXXXX)}"
mkdir -p "$work"
echo "diff2lip-side-by-side: $frames frames, $steps DDIM steps, $threads threads, median of $reps (work dir $work)"
# Python first, then Redub: never both at once on the same cores.
OMP_NUM_THREADS="$threads" /usr/bin/python3 "$root/bench/diff2lip_side_by_side.py" "$ref" "$work" \
  --frames "$frames" --steps "$steps" --threads "$threads" --reps "$reps"
"$cli" bench diff2lip --weights "$work/weights.pt" --inputs "$work/inputs.safetensors" --threads "$threads" --reps "$reps"
