#!/usr/bin/env bash
# Two or more zhvec binaries (or thread counts) compared fairly on a machine whose speed drifts:
# their runs alternate (A B C A B C ...), so a slow spell slows every binary alike, and each
# run writes a new output file (the previous one is removed first, untimed).
#
#   scripts/ab.sh [-n RUNS] [-o OUT] BIN1 BIN2 ... -- ARGS...
#
# Runs `BIN ARGS -o OUT` RUNS times for every BIN (default 10 runs, OUT in /dev/shm when
# writable) and prints, per binary, the median and the minimum wall time and the median CPU
# time (user + system), from /usr/bin/time. Compare thread counts by giving the same binary
# with different `-j` in ARGS in separate calls, or by wrapping it in a small script.
#
# Example: scripts/ab.sh old/zhvec target/release/zhvec -- embed -q -j2 -f npy headlines.txt
set -euo pipefail

runs=10
if [ -d /dev/shm ] && [ -w /dev/shm ]; then out=$(mktemp -p /dev/shm ab.XXXXXX); else out=$(mktemp); fi
while getopts "n:o:" opt; do
    case $opt in
    n) runs=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
bins=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    bins+=("$1")
    shift
done
[ $# -gt 0 ] && shift
[ ${#bins[@]} -ge 1 ] && [ $# -ge 1 ] || {
    echo "usage: scripts/ab.sh [-n RUNS] [-o OUT] BIN1 BIN2 ... -- ARGS..." >&2
    exit 2
}
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install -y time)" >&2; exit 2; }

times=$(mktemp -d)
trap 'rm -rf "$times"; rm -f "$out"' EXIT
for _ in $(seq "$runs"); do
    for i in "${!bins[@]}"; do
        rm -f "$out"
        /usr/bin/time -f "%e %U %S" -a -o "$times/$i" "${bins[$i]}" "$@" -o "$out" >/dev/null 2>"$times/$i.err" ||
            { echo "${bins[$i]} failed: $(tail -n 3 "$times/$i.err")" >&2; exit 1; }
    done
done
for i in "${!bins[@]}"; do
    python3 - "${bins[$i]}" "$times/$i" <<'EOF'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if l[:1].isdigit()]
wall = [r[0] for r in rows]
cpu = [r[1] + r[2] for r in rows]
print(f"{sys.argv[1]}: {len(rows)} runs, wall median {statistics.median(wall):.3f} s (min {min(wall):.3f}), "
      f"CPU median {statistics.median(cpu):.3f} s")
EOF
done
