#!/usr/bin/env bash
# Every relative link in the repository's Markdown resolves to a file or folder in the
# repository, and no document cites a design note that is not in it.
#   bash check_doc_links.sh REPO            -> exit 1 and one line per broken link
#   bash check_doc_links.sh --self-test REPO -> the check must catch a planted broken link
set -uo pipefail
check() {
    local repo=$1 bad=0
    while IFS= read -r md; do
        local dir; dir=$(dirname "$md")
        # [text](target) with a relative target; anchors and titles stripped
        while IFS= read -r target; do
            target=${target%%#*}; target=${target%% *}
            [ -z "$target" ] && continue
            case "$target" in http://*|https://*|mailto:*) continue ;; esac
            if [ ! -e "$dir/$target" ]; then
                echo "${md#$repo/}: broken link to $target"; bad=1
            fi
        done < <(grep -oE '\]\([^)]+\)' "$md" | sed -E 's/^\]\((.*)\)$/\1/')
        if grep -nE '(\.\./)+shared/|BUILD-NOTES|design/(MODEL|DATA|STYLE)' "$md" >/dev/null; then
            echo "${md#$repo/}: cites a design note outside the repository: $(grep -nE '(\.\./)+shared/|BUILD-NOTES|design/(MODEL|DATA|STYLE)' "$md" | head -1)"; bad=1
        fi
    done < <(find "$repo" -name '*.md' -not -path '*/build/*' -not -path '*/.git/*' -not -path '*/node_modules/*')
    return $bad
}
if [ "${1:-}" = "--self-test" ]; then
    repo=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/docs"; echo "ok" > "$tmp/docs/there.md"
    printf '[fine](there.md#x) [web](https://example.org)\n' > "$tmp/docs/good.md"
    check "$tmp" || { echo "self-test: a good tree was refused"; exit 1; }
    printf 'see [gone](missing.md)\n' > "$tmp/docs/bad.md"
    out=$(check "$tmp") && { echo "self-test: a broken link passed"; exit 1; }
    echo "$out" | grep -q 'docs/bad.md: broken link to missing.md' || { echo "self-test: not named: $out"; exit 1; }
    echo "the link check catches a broken link"; exit 0
fi
check "$1" && echo "every Markdown link resolves"
