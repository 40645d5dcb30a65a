#!/usr/bin/env bash
# Spearman x100 of `zhvec eval sts` on the dev pair sets as they are (all simplified) and on
# their mixed-script copies (second sentence in traditional script, partly full-width; made by
# scripts/mixed-dev.py), for stsb, lcqmc and bq, with the mean of each column.
#
# Usage: scripts/eval-mixed.sh [ZHVEC_EVAL_ARGS...]
#   e.g. scripts/eval-mixed.sh --normalize-text none
# Environment: ZHVEC (binary, default target/release/zhvec), DEV (default
# ../shared/data/dev), ZHVEC_CACHE (the mixed copies are read from $ZHVEC_CACHE/mixed-dev).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dev=${DEV:-$REPO/../shared/data/dev}
mixed=$CACHE/mixed-dev
sets="stsb lcqmc bq"
[ -x "$ZHVEC" ] || die "no binary at $ZHVEC (cargo build --release, or set ZHVEC)"
for s in $sets; do
    [ -f "$dev/$s-dev.tsv" ] || die "no $dev/$s-dev.tsv (set DEV)"
    [ -f "$mixed/$s-dev.tsv" ] || die "no $mixed/$s-dev.tsv: run scripts/mixed-dev.py --dev $dev"
done

score() {
    "$ZHVEC" eval sts "$1" --json "${@:2}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["spearman"])'
}

printf '%-8s %10s %10s %8s\n' set simplified mixed gap
rows=""
for s in $sets; do
    a=$(score "$dev/$s-dev.tsv" "$@")
    b=$(score "$mixed/$s-dev.tsv" "$@")
    rows+="$a $b"$'\n'
    awk -v s="$s" -v a="$a" -v b="$b" 'BEGIN { printf "%-8s %10.2f %10.2f %8.2f\n", s, a, b, a - b }'
done
printf '%s' "$rows" | awk '{ a += $1; b += $2; n++ } END { printf "%-8s %10.2f %10.2f %8.2f\n", "mean", a / n, b / n, (a - b) / n }'
