#!/usr/bin/env bash
# Checks that `zhvec vocab build --vectors MODEL.bin` reads the word vectors fastText gives.
#
#   scripts/check-fasttext-bin.sh             # models trained on the headlines, compared
#   scripts/check-fasttext-bin.sh --testdata  # rebuild testdata/fasttext/tiny.bin + tiny.print.txt
#
# The check trains two small models on the segmented headlines (skipgram with 1-4 character
# n-grams, cbow with 2-5 and word bigrams) in a folder under /dev/shm, and for each:
# - writes every word's vector from fastText's own get_word_vector (the Python binding of
#   the same fastText, 0.9.2) as full-precision word2vec text, builds a table from it and one
#   from the .bin with zhvec, and requires their word and character vectors to be
#   bit-identical;
# - compares `fasttext print-word-vectors` (5 significant digits) with those vectors.
# --testdata trains the tiny model of the tests on testdata/fasttext/train.txt (sentences
# written for this), and stores fastText's print-word-vectors output beside it.
# Needs: apt-get install -y fasttext python3-fasttext. Environment: ZHVEC, HEADLINES, LINES.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v fasttext >/dev/null || die "fasttext not found (apt-get install -y fasttext python3-fasttext)"
PY=/usr/bin/python3
"$PY" -c 'import fasttext' 2>/dev/null || die "the fastText Python binding is missing (apt-get install -y python3-fasttext)"
ensure_zhvec

if [ "${1:-}" = --testdata ]; then
    out=$REPO/testdata/fasttext
    work=$(mktemp -d /dev/shm/check-fasttext.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    for _ in 1 2 3 4 5 6 7 8; do cat "$out/train.txt"; done >"$work/train.txt"
    fasttext skipgram -input "$work/train.txt" -output "$work/tiny" -dim 8 -minCount 1 -minn 1 -maxn 3 \
        -bucket 1000 -epoch 5 -thread 1 -verbose 0
    cp "$work/tiny.bin" "$out/tiny.bin"
    tail -n +2 "$work/tiny.vec" | cut -d' ' -f1 | fasttext print-word-vectors "$out/tiny.bin" >"$out/tiny.print.txt"
    say "wrote $out/tiny.bin ($(stat -c %s "$out/tiny.bin") bytes) and tiny.print.txt ($(wc -l <"$out/tiny.print.txt") words)"
    exit 0
fi

LINES=${LINES:-36000}
work=$(mktemp -d /dev/shm/check-fasttext.XXXXXX)
trap 'rm -rf "$work"' EXIT
head -n "$LINES" "$HEADLINES" | "$ZHVEC" segment >"$work/seg.txt"

check() {
    local name=$1
    shift
    fasttext "$@" -input "$work/seg.txt" -output "$work/$name" -thread 2 -verbose 0
    "$PY" - "$work/$name.bin" "$work/$name.exact.vec" <<'EOF'
import sys
import fasttext
fasttext.FastText.eprint = lambda *a, **k: None
m = fasttext.load_model(sys.argv[1])
words = m.get_words()
with open(sys.argv[2], "w") as f:
    f.write(f"{len(words)} {m.get_dimension()}\n")
    for w in words:
        f.write(w + " " + " ".join(repr(float(x)) for x in m.get_word_vector(w)) + "\n")
EOF
    "$ZHVEC" vocab build --quiet --vectors "$work/$name.bin" -o "$work/$name.bin.zv"
    "$ZHVEC" vocab build --quiet --vectors "$work/$name.exact.vec" -o "$work/$name.vec.zv"
    tail -n +2 "$work/$name.exact.vec" | cut -d' ' -f1 | fasttext print-word-vectors "$work/$name.bin" >"$work/$name.print.txt"
    "$PY" - "$name" "$work/$name.bin.zv" "$work/$name.vec.zv" "$work/$name.exact.vec" "$work/$name.print.txt" <<'EOF'
import struct, sys
from array import array
name, from_bin, from_vec, exact, printed = sys.argv[1:]
def sections(path):
    b = open(path, "rb").read()
    return b, [struct.unpack_from("<QQ", b, 80 + 16 * i) for i in range(15)]
(a, sa), (b, sb) = sections(from_bin), sections(from_vec)
same = True
for i, what in [(1, "word names"), (4, "word vectors"), (7, "char names"), (10, "char vectors")]:
    x, y = a[sa[i][0]:sa[i][0] + sa[i][1]], b[sb[i][0]:sb[i][0] + sb[i][1]]
    same &= x == y
    n = len(array("f", x)) if "vectors" in what else len(x)
    print(f"{name}: {what}: {'bit-identical' if x == y else 'DIFFERENT'} ({n} {'values' if 'vectors' in what else 'bytes'})")
vec = {}
for line in list(open(exact, encoding="utf-8"))[1:]:
    f = line.split(" ")
    vec[f[0]] = [float(v) for v in f[1:]]
worst = 0.0
for line in open(printed, encoding="utf-8"):
    f = line.split()
    for p, e in zip(map(float, f[1:]), vec[f[0]]):
        worst = max(worst, abs(p - e) / max(abs(e), 1e-30))
print(f"{name}: fasttext print-word-vectors (5 significant digits) vs get_word_vector: max relative difference {worst:.2e} over {len(vec)} words")
sys.exit(0 if same and worst < 1e-4 else 1)
EOF
}

check skipgram skipgram -dim 50 -minCount 2 -minn 1 -maxn 4 -bucket 200000 -epoch 3
check cbow cbow -dim 32 -minCount 3 -minn 2 -maxn 5 -wordNgrams 2 -bucket 100000 -epoch 3
say "ok: zhvec reads fastText .bin word vectors bit-identically to fastText's get_word_vector"
