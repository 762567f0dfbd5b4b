#!/usr/bin/env bash
# Guard: every absolute system path that the repository's code, tests and scripts refer
# to must come from a package in installer/packages.txt (the installer's one list), or
# from a package that a listed package depends on, or from an Essential package.
#
#   bash tests/base/check_packages.sh SRC_DIR [PACKAGES_FILE]     # the check (CTest test_packages)
#   bash tests/base/check_packages.sh --self-test SRC_DIR         # proves the check can fail
#
# A path is found when it starts a word (after a space, quote, '=', '(', ',' or a shebang's '!') with
# /usr/, /opt/, /bin/, /lib/ or /var/lib/ (not /etc: the machine's own configuration, such as
# /etc/resolv.conf, comes from no package). Its package is what `dpkg -S` says; a path
# that is not on this machine (a file only installed later) must name its package on the
# same or the previous line as "deb:NAME". Paths inside a downloaded package
# ("$x/pkg/usr/share/...") do not start a word and are not checked, nor are /usr/local paths
# (a user's own installs, which no package owns).
set -uo pipefail

if [ "${1:-}" = --self-test ]; then
  src="$2"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  # Remove one package the code really needs (the landmark model) and expect a failure
  # that names both the path and the package.
  grep -v '^libdlib-data' "$src/installer/packages.txt" >"$tmp/packages.txt"
  out="$(bash "$0" "$src" "$tmp/packages.txt" 2>&1)"; rc=$?
  if [ $rc -ne 0 ] && grep -q '/usr/share/dlib' <<<"$out" && grep -q 'libdlib-data' <<<"$out"; then
    echo "self-test: the guard fails without libdlib-data and names it:"
    grep -m1 'libdlib-data' <<<"$out"
    echo "1 passed, 0 failed"
    exit 0
  fi
  echo "self-test: FAILED - with libdlib-data removed from the list the guard said (exit $rc):" >&2
  echo "$out" >&2
  exit 1
fi

src="${1:?usage: check_packages.sh SRC_DIR [PACKAGES_FILE]}"
list="${2:-$src/installer/packages.txt}"
command -v dpkg >/dev/null || { echo "check_packages: dpkg not found (this check is for Debian)" >&2; exit 1; }
[ -f "$list" ] || { echo "check_packages: $list not found" >&2; exit 1; }

# The listed packages, and what they depend on (one level: a listed package brings those).
mapfile -t listed < <(REDUB_PACKAGES="$list" bash "$src/installer/install-deps.sh" --list \
  $(sed -n 's/^\[\([a-z0-9_-]*\)\].*/\1/p' "$list"))
declare -A ok=()
for p in "${listed[@]}"; do ok[$p]="listed"; done
while IFS='|' read -r p deps; do
  for d in $(tr ',|' '\n\n' <<<"$deps" | sed 's/(.*)//; s/:.*//; s/[[:space:]]//g' | grep -v '^$'); do
    [ -n "${ok[$d]:-}" ] || ok[$d]="a dependency of $p"
  done
done < <(dpkg-query -W -f='${Package}|${Depends}, ${Pre-Depends}\n' "${listed[@]}" 2>/dev/null)

# Files that code, tests and scripts are made of (docs prose is not read by anything).
mapfile -t files < <(cd "$src" && git ls-files 2>/dev/null || find . -type f | sed 's|^\./||')
files_checked=0 paths_checked=0 failures=0
declare -A seen=() owner_of=()
for f in "${files[@]}"; do
  case "$f" in
    installer/packages.txt|tests/base/check_packages.sh) continue ;;
    *.cpp|*.hpp|*.h|*.sh|*.py|*.cmake|*CMakeLists.txt|.ci/*|installer/*) ;;
    *) continue ;;
  esac
  [ -f "$src/$f" ] || continue
  files_checked=$((files_checked + 1))
  while IFS=: read -r line path; do
    [ -n "$path" ] || continue
    case "$path" in *'*'*|*'$'*|/usr/local/*) continue ;; esac  # globs, variables, a user's own installs
    case "$path" in /usr/share/redub|/usr/share/redub/*|/usr/bin/redub|/usr/bin/redub-cli|/usr/share/man/man1/redub-cli.1.gz)
      continue ;; esac  # what Redub's own package installs (docs/packaging.md)
    path="${path%/}"; path="${path%.}"
    key="$f:$path"; [ -n "${seen[$key]:-}" ] && continue; seen[$key]=1
    paths_checked=$((paths_checked + 1))
    owners="${owner_of[$path]:-}"
    if [ -z "$owners" ] && [ -e "$path" ]; then
      owners="$(dpkg -S "$path" 2>/dev/null | grep -v '^diversion' | sed 's/: .*//' | tr ',' '\n' |
                sed 's/:.*//; s/[[:space:]]//g' | sort -u | tr '\n' ' ')"
      owner_of[$path]="$owners"
    fi
    if [ -z "$owners" ]; then
      owners="$(sed -n "$((line > 1 ? line - 1 : 1)),${line}p" "$src/$f" | grep -o 'deb:[a-z0-9.+-]*' | sed 's/deb://' | tr '\n' ' ')"
    fi
    if [ -z "$owners" ]; then
      echo "FAIL $f:$line refers to $path, which no installed package owns and which names no package (deb:NAME)"
      failures=$((failures + 1)); continue
    fi
    good=""
    for o in $owners; do
      if [ -n "${ok[$o]:-}" ]; then good="$o (${ok[$o]})"; break; fi
      if [ "$(dpkg-query -W -f='${Essential}' "$o" 2>/dev/null)" = yes ]; then good="$o (Essential)"; break; fi
    done
    if [ -n "$good" ]; then
      echo "ok   $f:$line $path <- $good"
    else
      echo "FAIL $f:$line refers to $path from package $owners- add it to $(basename "$list") (installer/packages.txt)"
      failures=$((failures + 1))
    fi
  done < <(grep -noE "(^|[[:space:]\"'=(,!])/(usr|opt|bin|lib|var/lib)/[A-Za-z0-9_./+*\$-]+" "$src/$f" |
           sed -E "s/^([0-9]+):[[:space:]\"'=(,!]?/\1:/")
done
echo "check_packages: $files_checked files, $paths_checked paths, $failures failures"
[ "$files_checked" -gt 0 ] || { echo "check_packages: no files found under $src" >&2; exit 1; }
echo "$((paths_checked - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
