#!/usr/bin/env bash
# Throughput of `zhvec vocab build` on a big word2vec text file; prints one markdown table
# and `zhvec vocab info --json` of the f32 table.
#
#   scripts/bench-build.sh
#
# The input is generated once by scripts/gen-w2v.py into the cache dir: ROWS x DIM (default
# 2,000,000 x 200, about 3.8 GB, the shape of Tencent's 2M-word d200 table): jieba's dictionary
# words and characters first, then synthetic words, six-decimal values. Each build is timed by
# hyperfine (median of RUNS, after one warm-up run that also puts the file in the page cache,
# so this measures parsing and writing, not the disk); MB/s is input bytes per second.
# Max RSS and the CPU time (user + sys, which a busy machine inflates less than the wall time)
# come from that warm-up run under /usr/bin/time -v. The tables go to OUT_DIR (default
# /dev/shm, so that writing them measures the build, not the disk; the rows' temporary file
# goes beside them) and are removed at the end. The last row is the startup of
# `echo 一条新闻标题 | zhvec embed --vocab big.zv`: opening the big table.
# Environment: ROWS, DIM, RUNS (default 3), OUT_DIR, ZHVEC, ZHVEC_CACHE, ZHVEC_NO_BUILD=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS=${ROWS:-2000000}
DIM=${DIM:-200}
RUNS=${RUNS:-3}
OUT_DIR=${OUT_DIR:-/dev/shm}
NPROC=$(nproc)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install -y hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install -y time)"

ensure_python
ensure_zhvec

VEC=$CACHE/w2v-${ROWS}x${DIM}.vec
if [ ! -s "$VEC" ]; then
    say "generating $VEC ..."
    python3 "$SCRIPTS/gen-w2v.py" --words all --chars all --rows "$ROWS" --dim "$DIM" --seed 2 -o "$VEC.part" >&2 &&
        mv "$VEC.part" "$VEC" || die "gen-w2v.py failed"
fi
in_bytes=$(stat -c %s "$VEC")

tmp=$(mktemp -d)
out_base=$OUT_DIR/zhvec-bench-$$-w2v-${ROWS}x${DIM}
trap 'rm -rf "$tmp" "$out_base".*.zv' EXIT
rows_md=()

# build ID DTYPE THREADS: warm-up run under /usr/bin/time, then hyperfine.
build() {
    local id=$1 dtype=$2 threads=$3
    local out=$out_base.$dtype.zv
    local cmd
    cmd="$(printf '%q' "$ZHVEC") vocab build --vectors $(printf '%q' "$VEC") -o $(printf '%q' "$out") --dtype $dtype --threads $threads --quiet"
    say "== vocab build --dtype $dtype --threads $threads"
    /usr/bin/time -v -o "$tmp/$id.time" bash -c "$cmd" >&2 || die "vocab build failed"
    hyperfine --style basic --runs "$RUNS" --export-json "$tmp/$id.json" "$cmd" >&2
    local rss_kb out_bytes cpu
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$id.time")
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f + %.2f", u, s}' "$tmp/$id.time")
    out_bytes=$(stat -c %s "$out")
    rows_md+=("$(python3 - "$tmp/$id.json" "$in_bytes" "$out_bytes" "$rss_kb" "$dtype" "$threads" "$cpu" <<'EOF'
import json, statistics, sys
path, in_bytes, out_bytes, rss_kb, dtype, threads, cpu = sys.argv[1:]
times = json.load(open(path))["results"][0]["times"]
med = statistics.median(times)
print("| vocab build | %s | %s | %.2f (%.2f–%.2f) | %.0f | %s | %.0f | %.0f |" % (
    dtype, threads, med, min(times), max(times), int(in_bytes) / 1e6 / med, cpu,
    int(out_bytes) / 1e6, int(rss_kb) / 1024))
EOF
)")
}

build f32-all f32 "$NPROC"
build f32-1 f32 1
build f16-all f16 "$NPROC"
build int8-all int8 "$NPROC"

F32=$out_base.f32.zv
startup="echo 一条新闻标题 | $(printf '%q' "$ZHVEC") embed --vocab $(printf '%q' "$F32") --quiet > /dev/null"
/usr/bin/time -v -o "$tmp/startup.time" bash -c "$startup"
hyperfine --style basic --warmup 5 --runs 30 --export-json "$tmp/startup.json" "$startup" >&2
startup_row=$(python3 - "$tmp/startup.json" "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/startup.time")" <<'EOF'
import json, statistics, sys
times = json.load(open(sys.argv[1]))["results"][0]["times"]
print("| echo 一条新闻标题 \\| zhvec embed --vocab (f32 table) | f32 | 1 | %.1f ms (%.1f–%.1f) | – | – | – | %.0f |" % (
    1e3 * statistics.median(times), 1e3 * min(times), 1e3 * max(times), int(sys.argv[2]) / 1024))
EOF
)

echo
machine_line "$LOAD_START"
echo "$(zhvec_line); input: $(basename "$VEC"), $ROWS rows x $DIM dims," \
    "$(awk -v b="$in_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB; runs: $RUNS (page cache warm)"
echo
echo "| step | dtype | threads | median s (min–max) | input MB/s | CPU s (user + sys) | output MB | max RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows_md[@]}" "$startup_row"
echo
echo "zhvec vocab info (the f32 table) --json:"
"$ZHVEC" vocab info "$F32" --json
