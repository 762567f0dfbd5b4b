#!/usr/bin/env bash
# Installs the Debian 12 packages Redub needs, from installer/packages.txt (the one list;
# the guard test tests/base/check_packages.sh reads it too).
#   bash installer/install-deps.sh            # the default groups: build, runtime, test, scripts
#   bash installer/install-deps.sh train      # a named group (those marked "own" in the list)
#   bash installer/install-deps.sh --list [GROUP...]   # print the packages, install nothing
# Skips what is installed, says what it installs, and fails clearly when it is not root
# and something is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="${REDUB_PACKAGES:-$here/packages.txt}"
[ -f "$list" ] || { echo "install-deps: error: $list not found" >&2; exit 1; }

only_list=0
if [ "${1:-}" = --list ]; then only_list=1; shift; fi
groups=("$@")

# Prints the packages of the requested groups (no groups: every group not marked "own").
packages_of() {
  awk -v want=" ${groups[*]:-} " '
    /^[[:space:]]*#/ || /^[[:space:]]*$/ { next }
    /^\[/ { g = $1; gsub(/[][]/, "", g); own = ($0 ~ /\][[:space:]]+own:/); next }
    { sub(/#.*/, ""); gsub(/[[:space:]]+/, "");
      if (want == "  " ? !own : index(want, " " g " ")) print }
  ' "$list"
}
mapfile -t PACKAGES < <(packages_of)
for g in "${groups[@]}"; do
  grep -q "^\[$g\]" "$list" || { echo "install-deps: error: no group [$g] in $list" >&2; exit 1; }
done
if [ "$only_list" = 1 ]; then printf '%s\n' "${PACKAGES[@]}"; exit 0; fi
[ ${#PACKAGES[@]} -gt 0 ] || { echo "install-deps: error: no packages read from $list" >&2; exit 1; }

# Packages whose command may come from elsewhere ("cmd:NAME" in the list).
declare -A cmd_of=()
while read -r p c; do cmd_of[$p]="$c"; done < <(sed -n 's/^\([a-z0-9.+-]*\)[[:space:]].*cmd:\([A-Za-z0-9_-]*\).*/\1 \2/p' "$list")
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    if [ -n "${cmd_of[$p]:-}" ] && command -v "${cmd_of[$p]}" >/dev/null; then continue; fi
    missing+=("$p")
  fi
done

what="${groups[*]:-build runtime test scripts}"
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages ($what) are installed."
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s) ($what): ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: error: these packages are missing and installing them needs root." >&2
  echo "  run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done."
