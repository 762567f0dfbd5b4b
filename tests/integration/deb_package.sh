#!/usr/bin/env bash
# The Debian package (installer/cpack.cmake): `cpack -G DEB` from this build makes
# redub_<version>_amd64.deb whose control fields, files, desktop entry, MIME type, icons and
# man page are right; unpacked into a scratch prefix, its redub-cli finds its data relative to
# that prefix from any working directory and dubs the packaged sample.
# (installer/clean-room.sh deb installs the package with apt on a fresh Debian root.)
# usage: deb_package.sh BUILD_DIR VERSION
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
t=$(mktemp -d /tmp/redub-deb.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL $*"; exit 1; }

cpack -G DEB -B "$t/pkg" --config "$build/CPackConfig.cmake" > "$t/cpack.log" 2>&1 ||
  { tail -20 "$t/cpack.log"; fail "cpack -G DEB failed"; }
deb="$t/pkg/redub_${version}_amd64.deb"
[ -f "$deb" ] || fail "no $deb; made: $(ls "$t/pkg")"
echo "built $(basename "$deb"): $(du -h "$deb" | cut -f1)"

# Control fields: name, version, and the dependencies a clean system needs to run it.
[ "$(dpkg-deb -f "$deb" Package)" = redub ] || fail "Package is not redub"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libdlib-data libopenblas0-pthread libtorch1.13 libqt6widgets6 qt6-qpa-plugins libavcodec59 libopencv-core406 libportaudio2; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done

# Files.
dpkg-deb -c "$deb" | awk '{print $6}' > "$t/files"
for f in usr/bin/redub usr/bin/redub-cli usr/share/redub/models/default/model.safetensors \
         usr/share/redub/models/default/MODEL_CARD.md usr/share/redub/sample/talking-face.mp4 \
         usr/share/redub/sample/new-speech.wav usr/share/applications/redub.desktop \
         usr/share/mime/packages/redub.xml usr/share/man/man1/redub-cli.1.gz usr/share/doc/redub/copyright \
         usr/share/icons/hicolor/scalable/apps/redub.svg; do
  grep -qx "./$f" "$t/files" || fail "the package lacks /$f"
done
if grep -E '\.sh$|CMakeLists|/build/' "$t/files"; then fail "the package carries build files"; fi

dpkg-deb -x "$deb" "$t/root"
share=$t/root/usr/share
# Icons: every PNG has the size its folder says.
for size in 32 48 64 128 256; do
  png=$share/icons/hicolor/${size}x${size}/apps/redub.png
  [ -f "$png" ] || fail "no ${size}x${size} icon"
  got=$(/usr/bin/python3 -c 'import sys; from PIL import Image; print("%dx%d" % Image.open(sys.argv[1]).size)' "$png")
  [ "$got" = "${size}x${size}" ] || fail "the ${size}x${size} icon is $got"
done
# The desktop entry is valid, names the icon and the project MIME type.
/usr/bin/desktop-file-validate "$share/applications/redub.desktop" || fail "desktop-file-validate refused redub.desktop"
grep -qx 'Icon=redub' "$share/applications/redub.desktop" || fail "the desktop entry has no Icon=redub"
grep -q 'application/x-redub-project' "$share/applications/redub.desktop" || fail "the desktop entry does not open projects"
# The MIME type: shared-mime-info compiles it and maps *.redub to it.
/usr/bin/update-mime-database "$share/mime" || fail "update-mime-database refused redub.xml"
grep -q 'application/x-redub-project:\*\.redub' "$share/mime/globs2" || fail "*.redub is not mapped: $(cat "$share/mime/globs2")"
# The man page has its sections and names the commands.
zcat "$share/man/man1/redub-cli.1.gz" > "$t/man"
for s in NAME DESCRIPTION "EXIT STATUS" ENVIRONMENT EXAMPLES; do grep -q "^\.SH \"\?$s" "$t/man" || fail "man page lacks $s"; done
grep -q batch "$t/man" || fail "the man page does not mention batch"

# The unpacked program finds its data beside its prefix from any working directory, and dubs.
cd /
info=$(env -u REDUB_DATA_DIR "$t/root/usr/bin/redub-cli" info)
grep -q "data: *$share/redub" <<<"$info" || fail "redub-cli does not find its data in $share/redub: $info"
env -u REDUB_DATA_DIR "$t/root/usr/bin/redub-cli" --quiet dub --video "$share/redub/sample/talking-face.mp4" \
  --audio "$share/redub/sample/new-speech.wav" --steps 2 --range 0-1 -o "$t/dubbed.mp4" || fail "the packaged redub-cli could not dub"
"$t/root/usr/bin/redub-cli" probe "$t/dubbed.mp4" | grep -q 138 || fail "the dub from the package is not 138 frames"
echo "ok: control, $(wc -l < "$t/files") entries, icons, desktop entry, MIME type, man page; the unpacked redub-cli dubbed the sample from /"
