"""Evaluate a word2vec text file (as written for `zhvec vocab build`) with the
numpy emulation of zhvec inference on the dev sets."""
import argparse

import numpy as np

import evalkit

ap = argparse.ArgumentParser()
ap.add_argument("vec")
ap.add_argument("--seg", default="jieba", help="jieba | vocab (table words+chars as jieba dict)")
ap.add_argument("--freq", help="frequency file (needed for --seg vocab)")
ap.add_argument("--full", action="store_true")
a = ap.parse_args()

names, rows = [], []
with open(a.vec, encoding="utf-8") as f:
    n, dim = map(int, f.readline().split())
    for line in f:
        p = line.rstrip("\n").split(" ")
        names.append(p[0]); rows.append(np.array(p[1:], dtype=np.float32))
T = np.vstack(rows)
words = [(i, w) for i, w in enumerate(names) if len(w) > 1]
chars = [(i, w) for i, w in enumerate(names) if len(w) == 1]
order = [i for i, _ in words] + [i for i, _ in chars]
T = T[order]
widx = {w: k for k, (_, w) in enumerate(words)}
cidx = {c: k for k, (_, c) in enumerate(chars)}
# characters that appear in table words but have no own row: mean of those word rows
extra = {}
for k, (_, w) in enumerate(words):
    for ch in set(w):
        if ch not in cidx:
            extra.setdefault(ch, []).append(k)
if extra:
    add = np.vstack([T[ks].mean(0) for ks in extra.values()])
    for ch in extra:
        cidx[ch] = len(cidx)
    T = np.vstack([T, add])
if a.seg == "jieba":
    dev = evalkit.DevSet()
else:
    dev = evalkit.DevSet(evalkit.make_tokenizer(a.freq), tag="vocab-" + a.freq.replace("/", "_"))
Sw, Sc = evalkit.design(dev.tokens, widx, cidx, len(words))
m = evalkit.metrics(evalkit.sent_vectors(T, Sw, Sc), dev, full=a.full)
print(f"{a.vec}\tseg={a.seg}\twords={len(words)} chars={len(cidx)} (derived {len(extra)})\t{evalkit.fmt(m)}")
