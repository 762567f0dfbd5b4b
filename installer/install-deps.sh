#!/usr/bin/env bash
# Installs every Debian 12 package Redub's build, tests and demo need.
# Skips what is installed, says what it installs, and fails clearly when it is
# not root and something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git
  # Qt 6 (Widgets, Concurrent, Test are in qt6-base-dev; OpenGL widgets named explicitly)
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev
  # LibTorch (CPU) + the threaded OpenBLAS it should use (dropped by --no-install-recommends)
  libtorch-dev libopenblas0-pthread
  # FFmpeg libraries + CLI (tests generate media with it)
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
  # OpenCV, dlib + its 68-point landmark model
  libopencv-dev libdlib-dev libdlib-data
  # audio playback, logging, json
  portaudio19-dev libspdlog-dev nlohmann-json3-dev
  # speech synthesis with phoneme timings (TTS, training data)
  flite1-dev
  # GUI tests and screenshots under a virtual X server
  xvfb xauth
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are installed."
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: error: these packages are missing and installing them needs root." >&2
  echo "  run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done."
