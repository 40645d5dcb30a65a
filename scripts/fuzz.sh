#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer) on the nightly toolchain. The targets live in fuzz/, a
# package of its own that the main crate's build, tests and lints never include:
#   table_open     arbitrary bytes as a .zv table: open, lookups, row reads, verify, embed
#   vectors_parse  the word2vec text/binary, GloVe, fastText and gzip readers via the build
#   embed_line     embed and segment of arbitrary text with both segmenter dictionaries,
#                  checking dimension, finiteness and bit-identical results
# Usage: scripts/fuzz.sh SECONDS [TARGET...]   runs each target (all three by default) for
# SECONDS, one after another; FUZZ_JOBS=2 runs two at a time (the machine has 2 cores). A
# finding does not stop a run: each crashing or hanging input is saved in
# fuzz/artifacts/TARGET/ and fuzzing goes on; every run's log is in fuzz/logs/. Seeds are
# made from testdata/ by fuzz/make-seeds.py into fuzz/corpus/TARGET/, which keeps what the
# fuzzer finds between runs; fuzz/dicts/TARGET.dict gives libFuzzer tokens to insert.
# Reproduce a finding with `cargo +nightly fuzz run TARGET ARTIFACT` in fuzz/. Needs the
# nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz (installed here if
# missing). Scratch files go to /dev/shm when it exists.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ=$REPO/fuzz
ALL=(table_open vectors_parse embed_line)

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh SECONDS [TARGET...]"
SECONDS_EACH=$1
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
    [[ " ${ALL[*]} " == *" $t "* ]] || die "unknown target $t (expected one of: ${ALL[*]})"
done

rustup toolchain list | grep -q '^nightly' || die "the nightly toolchain is missing: rustup toolchain install nightly"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz

# Longest inputs: tables need room for a header and a few sections; text lines stay short.
max_len() {
    case $1 in
        table_open) echo 8192 ;;
        vectors_parse) echo 4096 ;;
        embed_line) echo 1024 ;;
    esac
}

cd "$FUZZ"
if ! out=$(nice -n 19 cargo +nightly fuzz build 2>&1); then
    printf '%s\n' "$out" | tail -n 40 >&2
    die "cargo fuzz build failed"
fi
for t in "${TARGETS[@]}"; do
    [ -n "$(ls -A "corpus/$t" 2>/dev/null)" ] || python3 make-seeds.py corpus >/dev/null
done
mkdir -p logs
# One scratch directory for the whole run: forked fuzzing processes end without cleaning up.
SCRATCH=$(mktemp -d "$([ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/zhvec-fuzz.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR=$SCRATCH

run() {
    local t=$1 log
    log=logs/$t-$(date -u +%Y%m%dT%H%M%SZ).log
    mkdir -p "artifacts/$t"
    printf '%s: %s s, log %s\n' "$t" "$SECONDS_EACH" "fuzz/$log"
    # One forked worker that carries on past a finding (each is saved under artifacts/);
    # -timeout: a single input taking this long is reported as a hang.
    local dict=()
    [ -f "dicts/$t.dict" ] && dict=(-dict="dicts/$t.dict")
    nice -n 19 cargo +nightly fuzz run "$t" "corpus/$t" -- "${dict[@]}" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=4096 \
        >"$log" 2>&1 || true
    # The last status line: executions, coverage, corpus, and crashes/hangs.
    grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed "s/^/$t: /" || true
    printf '%s: %s artifacts in fuzz/artifacts/%s\n' "$t" "$(ls "artifacts/$t" | wc -l)" "$t"
}

jobs_max=${FUZZ_JOBS:-1}
for t in "${TARGETS[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n || true
    done
    run "$t" &
done
wait
