# Shared setup for scripts/check-vs-python.sh, scripts/bench.sh, scripts/bench-build.sh and
# scripts/build-default-vocab. Source it; it defines paths and a few helpers and changes
# nothing by itself (except creating the cache dir).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$REPO/scripts
# The cache dir of every script; scripts/distill/common.py (cache_dir) has the same default.
CACHE=${ZHVEC_CACHE:-$HOME/.cache/zhvec}
ZHVEC=${ZHVEC:-$REPO/target/release/zhvec}
HEADLINES=${HEADLINES:-$REPO/../shared/data/corpus/headlines-nlpcc2017.txt}
mkdir -p "$CACHE"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The pinned requirement of one package from scripts/requirements.txt, e.g. `jieba==0.42.1`.
pin() {
    local line
    line=$(grep -E "^$1==" "$SCRIPTS/requirements.txt") || die "no pin for $1 in $SCRIPTS/requirements.txt"
    echo "$line"
}

# Its version alone, e.g. `0.42.1`.
pin_version() {
    local line
    line=$(pin "$1") || exit 1
    echo "${line#*==}"
}

# The pinned jieba and numpy for the Python peer and gen-w2v.py, installed unless present.
ensure_python() {
    local jieba numpy
    jieba=$(pin jieba) || exit 1
    numpy=$(pin numpy) || exit 1
    if ! python3 -c 'import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (r.split("==") for r in sys.argv[1:])))' "$jieba" "$numpy" 2>/dev/null; then
        say "installing $jieba $numpy"
        python3 -m pip install -q "$jieba" "$numpy" >&2 || die "pip install $jieba $numpy failed"
    fi
}

# Build the release binary; keep an existing one if the tree does not compile right now.
ensure_zhvec() {
    if [ -n "${ZHVEC_NO_BUILD:-}" ]; then
        [ -x "$ZHVEC" ] || die "$ZHVEC not found"
        return
    fi
    if ! (cd "$REPO" && cargo build --release --quiet --bin zhvec) >&2; then
        [ -x "$ZHVEC" ] || die "cargo build --release failed and $ZHVEC does not exist"
        say "warning: cargo build --release failed; using the existing $ZHVEC"
    fi
}

# The test table: jieba's top 100k multi-character words + its 4000 most frequent single
# characters (rarer characters are derived from words), random 64-d vectors, fixed seed.
# Sets TEST_VEC (word2vec text) and TEST_ZV (built with zhvec vocab build --dtype f32).
make_test_vocab() {
    TEST_VEC=$CACHE/jieba100k-d64.vec
    TEST_ZV=$CACHE/jieba100k-d64.zv
    if [ ! -s "$TEST_VEC" ]; then
        python3 "$SCRIPTS/gen-w2v.py" --words 100000 --chars 4000 --dim 64 --seed 1 -o "$TEST_VEC.part" >&2 &&
            mv "$TEST_VEC.part" "$TEST_VEC" || die "gen-w2v.py failed"
    fi
    "$ZHVEC" vocab build -o "$TEST_ZV" --vectors "$TEST_VEC" --dtype f32 --quiet >&2 ||
        die "zhvec vocab build failed"
}

# The header lines of a benchmark report: date, machine, load averages (at start: $1, and now).
machine_line() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)," \
        "$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB; load average at start: $1, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The measured binary: version, path, and the commit it was built from.
zhvec_line() {
    echo "$("$ZHVEC" --version) ($ZHVEC; repo at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'))"
}
