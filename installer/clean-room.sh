#!/usr/bin/env bash
# Clean-room check before a release: the README's two commands in a throwaway Debian 12
# root made by debootstrap, so nothing installed by hand on this machine can help them.
#   bash installer/clean-room.sh [ROOT_DIR] [demo|test|both]   (as root; default /tmp/redub-cleanroom, both)
#   bash installer/clean-room.sh ROOT_DIR deb redub_VERSION_amd64.deb
#     the package instead: a fresh root (unpacked anew from a pristine copy kept beside it),
#     `apt-get install ./redub_*.deb`, then the demo dub of the packaged sample from /.
# Installs its own packages: the [cleanroom] group of installer/packages.txt (debootstrap).
# The Debian mirror is the one this machine's apt uses. Re-running reuses the root (delete
# it for a truly fresh run); the repository is cloned from this checkout's HEAD.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dir="${1:-/tmp/redub-cleanroom}"
what="${2:-both}"
deb="${3:-}"
if [ "$what" = deb ]; then
  [ -f "$deb" ] || { echo "clean-room: deb mode needs the package: clean-room.sh ROOT deb redub_*.deb" >&2; exit 1; }
  deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
fi
[ "$(id -u)" -eq 0 ] || { echo "clean-room: run as root (debootstrap, chroot)" >&2; exit 1; }
bash "$here/install-deps.sh" cleanroom

mirror="$(apt-cache policy | awk '/bookworm\/main/ && /Packages/ && $2 ~ /^http/ {print $2; exit}')"
[ -n "$mirror" ] || { echo "clean-room: no bookworm mirror found in this machine's apt sources" >&2; exit 1; }
start=$(date +%s)
if [ ! -x "$dir/usr/bin/apt-get" ]; then
  echo "clean-room: debootstrap bookworm into $dir from $mirror"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
    { echo "clean-room: debootstrap failed, see $dir.debootstrap.log" >&2; exit 1; }
  tar -C "$dir" -cf "$dir.pristine.tar" .
fi
if [ "$what" = deb ]; then  # always a fresh root: unpack the pristine one taken after debootstrap
  [ -f "$dir.pristine.tar" ] ||
    { echo "clean-room: $dir was made without a pristine copy: delete it for a fresh root" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir" && tar -C "$dir" -xf "$dir.pristine.tar"
fi
cleanup() { for m in dev/pts dev proc sys; do umount -l "$dir/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
trap "exit 130" INT TERM  # through the EXIT trap: never leave the mounts behind
mount -t proc proc "$dir/proc"
mount -t sysfs sys "$dir/sys"
mount --bind /dev "$dir/dev"
mount --bind /dev/pts "$dir/dev/pts"
cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true

in_root() {  # in_root LOG COMMAND: a clean environment in the chroot
  chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /bin/bash -c "$2" 2>&1 |
    tee "$1" | tail -n 25
  return "${PIPESTATUS[0]}"
}
if [ "$what" = deb ]; then
  cp "$deb" "$dir/tmp/"
  t0=$(date +%s)
  rc=0
  in_root "$dir.deb.log" "set -e; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb") >/dev/null
    cd / && redub-cli info && redub-cli dub --video /usr/share/redub/sample/talking-face.mp4 \
      --audio /usr/share/redub/sample/new-speech.wav -o /tmp/sample-dubbed.mp4 && redub-cli probe /tmp/sample-dubbed.mp4
    man -w redub-cli 2>/dev/null || ls /usr/share/man/man1/redub-cli.1.gz" || rc=$?
  echo "clean-room: apt-get install $(basename "$deb") + demo dub -> exit $rc in $(( $(date +%s) - t0 )) s (log: $dir.deb.log)"
  exit "$rc"
fi

rm -rf "$dir/root/redub"
git clone -q "$repo" "$dir/root/redub"
echo "clean-room: $(git -C "$repo" rev-parse --short HEAD) cloned; running the README's commands in the chroot"
run() {  # run demo|test
  local t0=$(date +%s)
  local rc=0
  in_root "$dir.$1.log" "cd /root/redub && bash installer/setup.sh $1" || rc=$?
  echo "clean-room: setup.sh $1 -> exit $rc in $(( $(date +%s) - t0 )) s (log: $dir.$1.log)"
  return "$rc"
}
rc=0
case "$what" in
  demo) run demo || rc=$? ;;
  test) run test || rc=$? ;;
  both) run demo || rc=$?; run test || rc=$? ;;
  *) echo "clean-room: demo, test, both or deb" >&2; exit 1 ;;
esac
echo "clean-room: finished with exit $rc after $(( $(date +%s) - start )) s"
exit "$rc"
