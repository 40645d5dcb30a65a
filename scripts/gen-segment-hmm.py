#!/usr/bin/env python3
"""Writes src/segment/hmm.txt: the HMM of Python jieba 0.42.1 (jieba/finalseg/prob_*.py),
which build.rs packs for the segmenter. Floats are written as repr(), so they parse back to
the same doubles.

    python3 scripts/gen-segment-hmm.py > src/segment/hmm.txt
"""
from jieba.finalseg.prob_emit import P as EMIT
from jieba.finalseg.prob_start import P as START
from jieba.finalseg.prob_trans import P as TRANS

STATES = "BEMS"
print("# jieba 0.42.1 finalseg HMM: `start` and `trans FROM TO` lines, then `CHAR B E M S`")
print("# emission lines (`-` where jieba has none). Made by scripts/gen-segment-hmm.py.")
print("start", *(repr(START[s]) for s in STATES))
for a in STATES:
    for b in STATES:
        if b in TRANS[a]:
            print("trans", a, b, repr(TRANS[a][b]))
chars = sorted(set().union(*(set(v) for v in EMIT.values())))
for c in chars:
    print("%04x" % ord(c), *(repr(EMIT[s][c]) if c in EMIT[s] else "-" for s in STATES))
