#!/usr/bin/env bash
# Clean-room check before a release: the README's two commands in a throwaway Debian 12
# root made by debootstrap, so nothing installed by hand on this machine can help them.
#   bash installer/clean-room.sh [ROOT_DIR] [demo|test|both]   (as root; default /tmp/redub-cleanroom, both)
# Installs its own packages: the [cleanroom] group of installer/packages.txt (debootstrap).
# The Debian mirror is the one this machine's apt uses. Re-running reuses the root (delete
# it for a truly fresh run); the repository is cloned from this checkout's HEAD.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dir="${1:-/tmp/redub-cleanroom}"
what="${2:-both}"
[ "$(id -u)" -eq 0 ] || { echo "clean-room: run as root (debootstrap, chroot)" >&2; exit 1; }
bash "$here/install-deps.sh" cleanroom

mirror="$(apt-cache policy | awk '/bookworm\/main/ && /Packages/ && $2 ~ /^http/ {print $2; exit}')"
[ -n "$mirror" ] || { echo "clean-room: no bookworm mirror found in this machine's apt sources" >&2; exit 1; }
start=$(date +%s)
if [ ! -x "$dir/usr/bin/apt-get" ]; then
  echo "clean-room: debootstrap bookworm into $dir from $mirror"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
    { echo "clean-room: debootstrap failed, see $dir.debootstrap.log" >&2; exit 1; }
fi
cleanup() { for m in dev/pts dev proc sys; do umount -l "$dir/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
trap "exit 130" INT TERM  # through the EXIT trap: never leave the mounts behind
mount -t proc proc "$dir/proc"
mount -t sysfs sys "$dir/sys"
mount --bind /dev "$dir/dev"
mount --bind /dev/pts "$dir/dev/pts"
cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true

rm -rf "$dir/root/redub"
git clone -q "$repo" "$dir/root/redub"
echo "clean-room: $(git -C "$repo" rev-parse --short HEAD) cloned; running the README's commands in the chroot"
run() {  # run demo|test
  local t0=$(date +%s)
  chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    /bin/bash -c "cd /root/redub && bash installer/setup.sh $1" 2>&1 | tee "$dir.$1.log" | tail -n 25
  local rc=${PIPESTATUS[0]}
  echo "clean-room: setup.sh $1 -> exit $rc in $(( $(date +%s) - t0 )) s (log: $dir.$1.log)"
  return "$rc"
}
rc=0
case "$what" in
  demo) run demo || rc=$? ;;
  test) run test || rc=$? ;;
  both) run demo || rc=$?; run test || rc=$? ;;
  *) echo "clean-room: demo, test or both" >&2; exit 1 ;;
esac
echo "clean-room: finished with exit $rc after $(( $(date +%s) - start )) s"
exit "$rc"
