# Shared setup for scripts/check-vs-python.sh, scripts/bench.sh and scripts/bench-build.sh.
# Source it; it defines paths and a few helpers and changes nothing by itself.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$REPO/scripts
CACHE=${ZHVEC_CACHE:-$HOME/.cache/zhvec-bench}
ZHVEC=${ZHVEC:-$REPO/target/release/zhvec}
HEADLINES=${HEADLINES:-$REPO/../shared/data/corpus/headlines-nlpcc2017.txt}
mkdir -p "$CACHE"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# jieba 0.42.1 and numpy for the Python peer.
ensure_python() {
    if ! python3 -c 'import jieba, numpy, sys; sys.exit(jieba.__version__ != "0.42.1")' 2>/dev/null; then
        say "installing $(grep -v '^#' "$SCRIPTS/requirements.txt" | tr '\n' ' ')"
        python3 -m pip install -q -r "$SCRIPTS/requirements.txt" >&2 || die "pip install failed"
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
