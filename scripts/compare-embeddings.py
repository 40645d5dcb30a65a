#!/usr/bin/env python3
"""Row-by-row agreement of two embedding matrices (.npy) of the same input lines.

Prints the fraction of rows whose cosine is >= --threshold (two all-zero rows agree; one
all-zero row against a non-zero one does not), the same per channel (word half, char half),
and a few disagreeing lines with both segmentations: zhvec's (from `zhvec segment`) and
Python jieba's. Exits 1 when the fraction is below --goal.

Usage: compare-embeddings.py ZHVEC.npy PEER.npy CORPUS [--zhvec BIN] [--vocab ZV] [--show 8]
"""
import argparse
import logging
import subprocess
import sys

import numpy as np


def row_cosines(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    cos = np.einsum("ij,ij->i", a, b) / np.maximum(na * nb, 1e-300)
    cos[(na == 0) & (nb == 0)] = 1.0
    cos[(na == 0) != (nb == 0)] = 0.0
    return cos


def zhvec_segment(binary, vocab, lines):
    """Segment lines with `zhvec segment --seg-dict jieba`."""
    cmd = [binary, "segment", "--seg-dict", "jieba"] + (["--vocab", vocab] if vocab else [])
    proc = subprocess.run(cmd, input="".join(line + "\n" for line in lines).encode(), capture_output=True)
    out = proc.stdout.decode("utf-8", errors="replace").splitlines()
    if proc.returncode == 0 and len(out) == len(lines):
        return out
    return ["(zhvec segment failed: %s)" % proc.stderr.decode(errors="replace").strip()[:200]] * len(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zhvec_npy")
    ap.add_argument("peer_npy")
    ap.add_argument("corpus")
    ap.add_argument("--zhvec", default="target/release/zhvec", help="zhvec binary, for `zhvec segment`")
    ap.add_argument("--vocab", help="table for `zhvec segment --vocab`")
    ap.add_argument("--threshold", type=float, default=0.999)
    ap.add_argument("--goal", type=float, default=0.99)
    ap.add_argument("--show", type=int, default=8, help="disagreeing lines to print")
    args = ap.parse_args()

    ours = np.load(args.zhvec_npy)
    peer = np.load(args.peer_npy)
    with open(args.corpus, "rb") as f:
        lines = [raw.rstrip(b"\r\n").decode("utf-8", errors="replace") for raw in f]
    if ours.shape != peer.shape or ours.shape[0] != len(lines):
        print("shape mismatch: zhvec %s, peer %s, corpus %d lines" % (ours.shape, peer.shape, len(lines)))
        return 1
    d = ours.shape[1] // 2

    cos = row_cosines(ours, peer)
    word_cos = row_cosines(ours[:, :d], peer[:, :d])
    char_cos = row_cosines(ours[:, d:], peer[:, d:])
    ok = cos >= args.threshold
    frac = ok.mean()
    print("rows: %d, dims: %d" % (len(lines), ours.shape[1]))
    print("cosine >= %g: %.4f%% of rows (goal >= %.0f%%)" % (args.threshold, 100 * frac, 100 * args.goal))
    print("  word half: %.4f%%, char half: %.4f%%" % (100 * (word_cos >= args.threshold).mean(), 100 * (char_cos >= args.threshold).mean()))
    print("  min cosine %.6f, median %.6f" % (cos.min(), np.median(cos)))

    bad = np.flatnonzero(~ok)
    if len(bad) and args.show > 0:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        shown = bad[np.argsort(cos[bad])][: args.show]
        segs = zhvec_segment(args.zhvec, args.vocab, [lines[i] for i in shown])
        print("\n%d disagreeing rows; the %d lowest:" % (len(bad), len(shown)))
        for i, seg in zip(shown, segs):
            print("line %d  cos %.4f (word %.4f, char %.4f)" % (i + 1, cos[i], word_cos[i], char_cos[i]))
            print("  text:   %s" % lines[i])
            print("  zhvec:  %s" % seg)
            print("  jieba:  %s" % " ".join(jieba.cut(lines[i], HMM=True)))
    return 0 if frac >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
