#!/usr/bin/env bash
# Agreement check between zhvec and the Python peer (scripts/peer_embed.py).
#
#   scripts/check-vs-python.sh [CORPUS]
#
# Builds the test table (see make_test_vocab in common.sh), embeds CORPUS (default: the
# NLPCC 2017 headlines in ../shared) with `zhvec embed --seg-dict jieba --format npy` and with
# the peer, and reports the fraction of rows with cosine >= 0.999 (goal >= 99%), showing the
# worst disagreeing lines with both segmentations. Then checks the output formats
# (scripts/check-formats.py). Exits non-zero when either check fails.
# Environment: ZHVEC (binary), ZHVEC_CACHE (cache dir), ZHVEC_NO_BUILD=1 (skip cargo build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CORPUS=${1:-$HEADLINES}
[ -f "$CORPUS" ] || die "corpus $CORPUS not found (pass a path)"

ensure_python
ensure_zhvec
make_test_vocab

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "zhvec embed ..."
"$ZHVEC" embed --vocab "$TEST_ZV" --seg-dict jieba --format npy --quiet -o "$tmp/zhvec.npy" "$CORPUS"
say "python peer ..."
python3 "$SCRIPTS/peer_embed.py" --vectors "$TEST_VEC" -o "$tmp/peer.npy" "$CORPUS"

status=0
echo "== zhvec vs Python peer ($(basename "$CORPUS"))"
python3 "$SCRIPTS/compare-embeddings.py" --zhvec "$ZHVEC" --vocab "$TEST_ZV" "$tmp/zhvec.npy" "$tmp/peer.npy" "$CORPUS" || status=1
echo
echo "== output formats"
python3 "$SCRIPTS/check-formats.py" --zhvec "$ZHVEC" --vocab "$TEST_ZV" "$CORPUS" -- --seg-dict jieba || status=1
exit $status
