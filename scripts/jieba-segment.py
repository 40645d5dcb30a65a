#!/usr/bin/env python3
"""Python jieba 0.42.1's segmentation of each line of FILE, as `zhvec segment
--normalize-text none` prints it: lines split as zhvec splits them (at `\\n`, one `\\r`
before it dropped, a BOM at the start dropped), `jieba.cut(line, HMM=True)`, tokens made
only of whitespace (Unicode White_Space, as Rust's char::is_whitespace) dropped, the rest
joined by spaces.

    python3 scripts/jieba-segment.py [--user-dict FILE] [--dict FILE] CORPUS > OUT
"""
import argparse
import logging
import re
import sys

import jieba

WHITE_SPACE = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--user-dict")
    ap.add_argument("--dict", help="a dictionary in place of jieba's own")
    args = ap.parse_args()
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer(args.dict) if args.dict else jieba.dt
    tok.initialize()
    if args.user_dict:
        tok.load_userdict(args.user_dict)
    data = open(args.corpus, "rb").read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = sys.stdout
    for raw in lines:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        line = raw.decode("utf-8")
        toks = [t for t in tok.cut(line, HMM=True) if not WHITE_SPACE.fullmatch(t)]
        out.write(" ".join(toks) + "\n")


if __name__ == "__main__":
    main()
