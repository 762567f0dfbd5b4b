#!/usr/bin/env bash
# The README's two commands:
#   bash installer/setup.sh demo   # install deps, build, dub the bundled sample -> out/sample-dubbed.mp4
#   bash installer/setup.sh test   # install deps, build, run every test (ctest)
# BUILD_DIR (default: build) and JOBS (default: nproc) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-}
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

case "$what" in
  demo|test) ;;
  *) echo "usage: bash installer/setup.sh demo|test" >&2; exit 1 ;;
esac

bash installer/install-deps.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j "$JOBS"

if [ "$what" = test ]; then
  cd "$BUILD_DIR"
  ctest --output-on-failure -j 2
else
  mkdir -p out
  cli="$BUILD_DIR"/app/redub-cli
  "$cli" info
  echo "setup: dubbing the bundled sample (resources/sample/) with the bundled model (resources/models/default/)"
  "$cli" dub --video resources/sample/talking-face.mp4 --audio resources/sample/new-speech.wav \
      -o out/sample-dubbed.mp4
  "$cli" probe out/sample-dubbed.mp4
  echo "setup: done - play out/sample-dubbed.mp4, or open the editor: $BUILD_DIR/app/redub"
fi
