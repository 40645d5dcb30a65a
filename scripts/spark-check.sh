#!/usr/bin/env bash
# Spark check: zhvec under PySpark in local mode (PyPI's pyspark, the machine's Java 17),
# over the 36k NLPCC headlines in ../shared when present, else testdata/headlines.txt,
# with local[1] and local[2]. Too slow for CI (it installs pyspark); run it by hand.
#
#   scripts/spark-check.sh [INPUT]
#
# Creates $ZHVEC_CACHE/spark-venv (default ~/.cache/zhvec) with the pins of
# scripts/requirements.txt and the package from python/, builds the release CLI, and runs
# every check script of scripts/spark/ that exists, for each master:
#
#   scripts/spark/package_check.py   zhvec.spark.embed_column (the package)
#   scripts/spark/pipe_check.py      rdd.pipe with the CLI only
#
# Each is called as
#
#   python CHECK.py --master MASTER --input FILE --zhvec BIN --out DIR
#
# with MASTER local[1] or local[2], FILE the text to embed (one text per line, the line number
# is its key), BIN the release zhvec, and DIR a fresh folder of its own for its outputs. It
# prints its timings and exits non-zero when a vector differs from a direct `zhvec embed` run.
set -euo pipefail
source "$(dirname "$0")/common.sh"

input=${1:-$HEADLINES}
[ -f "$input" ] || input=$REPO/testdata/headlines.txt
ensure_zhvec

venv=$CACHE/spark-venv
[ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
say "installing $(pin pyspark) $(pin pyarrow) $(pin pandas) $(pin numpy) and the package into $venv"
"$venv/bin/pip" install -q "$(pin pyspark)" "$(pin pyarrow)" "$(pin pandas)" "$(pin numpy)" >&2
"$venv/bin/pip" install -q --force-reinstall --no-deps "$REPO/python" >&2

out=$(mktemp -d "${TMPDIR:-/tmp}/zhvec-spark.XXXXXX")
trap 'rm -rf "$out"' EXIT
say "input: $input ($(wc -l < "$input") lines); outputs in $out"
load=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0
for master in 'local[1]' 'local[2]'; do
    for check in package_check pipe_check; do
        script=$SCRIPTS/spark/$check.py
        [ -f "$script" ] || continue
        dir=$out/$check-${master//[^a-z0-9]/}
        mkdir -p "$dir"
        "$venv/bin/python" "$script" --master "$master" --input "$input" --zhvec "$ZHVEC" --out "$dir" ||
            { say "FAILED: $check $master"; failed=1; }
    done
done
machine_line "$load"
exit $failed
