"""Evaluate a word2vec text file (as written for `zhvec vocab build`) with the
numpy emulation of zhvec inference (evalkit.py) on the dev sets.

Usage: evalvec.py FILE.vec [--seg jieba|vocab --freq FILE.freq] [--full]"""
import argparse
import os
import sys

# The sibling modules, whatever the working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import evalkit  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vec")
    ap.add_argument("--seg", default="jieba", choices=["jieba", "vocab"],
                    help="jieba | vocab (table words+chars as jieba dict)")
    ap.add_argument("--freq", help="frequency file (needed for --seg vocab)")
    ap.add_argument("--full", action="store_true")
    a = ap.parse_args()
    if a.seg == "vocab" and not a.freq:
        ap.error("--seg vocab needs --freq")

    T, widx, cidx, derived = evalkit.load_vec(a.vec)
    if a.seg == "jieba":
        dev = evalkit.DevSet()
    else:
        freq = os.path.abspath(a.freq)
        dev = evalkit.DevSet(evalkit.make_tokenizer(freq), tag="vocab-" + freq.replace("/", "_"))
    Sw, Sc = evalkit.design(dev.tokens, widx, cidx, len(widx))
    m = evalkit.metrics(evalkit.sent_vectors(T, Sw, Sc), dev, full=a.full)
    print(f"{a.vec}\tseg={a.seg}\twords={len(widx)} chars={len(cidx)} (derived {derived})\t{evalkit.fmt(m)}")


if __name__ == "__main__":
    main()
