#!/usr/bin/env python3
"""Generate a word2vec text file with Chinese-looking entries and random vectors.

Entries come from jieba's dict.txt, most frequent first: the top --words multi-character
words and the top --chars single characters ("all" for every one). When --rows asks for
more entries than that, synthetic 2-4 character words built from common characters are
appended after the real ones (they play the role of a big table's rare tail).

Vectors are Gaussian (fixed --seed), printed with six decimals like the Tencent tables:
    N D
    word v1 v2 ... vD

Examples:
    gen-w2v.py --words 100000 --chars 4000 --dim 64 -o small.vec           # agreement checks
    gen-w2v.py --words all --chars all --rows 2000000 --dim 200 -o big.vec # build benchmark
"""
import argparse
import os
import sys

import numpy as np


def jieba_dict_path():
    try:
        import jieba
    except ImportError:
        sys.exit("gen-w2v.py: needs the jieba package (pip install the jieba pin of scripts/requirements.txt)")
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


def read_dict(path):
    """Return (word, freq) pairs of jieba's dictionary, most frequent first, each word once."""
    freq = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[0]:
                freq.setdefault(parts[0], int(parts[1]))  # the dict lists a few words twice
    return sorted(freq.items(), key=lambda e: -e[1])  # stable: ties keep dictionary order


def take(entries, limit):
    return entries if limit == "all" else entries[: int(limit)]


def synthetic_words(count, char_pool, taken, rng):
    """`count` new 2-4 character words; characters drawn with a Zipf-like skew."""
    pool = np.array(char_pool)
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.8
    weights /= weights.sum()
    out = []
    while len(out) < count:
        batch = max(1024, 2 * (count - len(out)))
        lengths = rng.choice([2, 3, 4], size=batch, p=[0.6, 0.3, 0.1])
        chars = rng.choice(pool, size=(batch, 4), p=weights)
        for n, row in zip(lengths.tolist(), chars.tolist()):
            w = "".join(row[:n])
            if w not in taken:
                taken.add(w)
                out.append(w)
                if len(out) == count:
                    break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", default="100000", help="top multi-character dict words to keep, or 'all'")
    ap.add_argument("--chars", default="all", help="top single characters to keep, or 'all'")
    ap.add_argument("--rows", type=int, default=0,
                    help="exactly this many rows: the most frequent entries, padded with synthetic words")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=0.15, help="standard deviation of the values")
    ap.add_argument("--dict", default=None, help="jieba-format dict (default: the installed jieba's)")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    entries = read_dict(args.dict or jieba_dict_path())
    words = take([e for e in entries if len(e[0]) >= 2], args.words)
    chars = take([e for e in entries if len(e[0]) == 1], args.chars)
    real = sorted(words + chars, key=lambda e: -e[1])
    vocab = [w for w, _ in real]

    rng = np.random.default_rng(args.seed)
    if 0 < args.rows < len(vocab):
        vocab = vocab[: args.rows]
    elif args.rows > len(vocab):
        pool = [w for w, _ in entries if len(w) == 1 and "\u4e00" <= w <= "\u9fff"][:6000]
        vocab += synthetic_words(args.rows - len(vocab), pool, set(vocab), rng)

    # Six-decimal strings for every value in (-1, 1), looked up instead of formatted one by one.
    table = ["%.6f" % (i / 1e6) for i in range(-999999, 1000000)]
    lookup = table.__getitem__
    block = 20000
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write("%d %d\n" % (len(vocab), args.dim))
        for start in range(0, len(vocab), block):
            names = vocab[start : start + block]
            values = rng.standard_normal((len(names), args.dim), dtype=np.float32) * args.scale
            codes = np.rint(np.clip(values, -0.999999, 0.999999) * 1e6).astype(np.int64) + 999999
            out.write(
                "".join(
                    name + " " + " ".join(map(lookup, row)) + "\n"
                    for name, row in zip(names, codes.tolist())
                )
            )
    size = os.path.getsize(args.output)
    print(
        "gen-w2v.py: %d rows (from %d dict words and %d chars; %d synthetic) x %d dims, %.1f MB -> %s"
        % (len(vocab), len(words), len(chars), len(vocab) - len(real), args.dim, size / 1e6, args.output),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
