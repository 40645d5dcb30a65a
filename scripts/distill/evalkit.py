"""Numpy emulation of zhvec's default inference (jieba segmentation, word
channel with character fallback, character channel, concatenation) and the dev
metrics used to choose the recipe. Dev data is read from ../shared/data/dev and
never copied anywhere.

Why a copy of the recipe: distill.py trains the table through it. design()
turns the pooling into sparse matrices, so one training step is two sparse
products and their transposes for the gradient; the binary gives outputs only,
no gradients, and running it per step would be far too slow. search.py also
scores many tables in memory without building a .zv for each.
Keep in sync with: src/embed.rs (the recipe), src/build/chars.rs (characters
derived from words, load_vec) and src/vocab/quant.rs (int8 rows, quantize).
scripts/peer_embed.py is the independent copy the outputs of zhvec are checked
against; this one is only as exact as training needs."""
import os
import pickle

import numpy as np
import scipy.sparse as sp
from scipy.stats import spearmanr

import common

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.environ.get("ZHVEC_DEV", os.path.join(HERE, "..", "..", "..", "shared", "data", "dev"))
PAIRS = ["stsb", "lcqmc", "bq", "pawsx", "afqmc"]


def load_pairs(name):
    s1, s2, g = [], [], []
    with open(os.path.join(DEV, f"{name}-dev.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                s1.append(p[0]); s2.append(p[1]); g.append(float(p[2]))
    return s1, s2, np.array(g)


def load_thucnews():
    xs, ys = [], []
    with open(os.path.join(DEV, "thucnews-dev.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 2:
                xs.append(p[0]); ys.append(int(p[1]))
    return xs, np.array(ys)


def load_wordsim():
    a, b, g = [], [], []
    with open(os.path.join(DEV, "wordsim240.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                a.append(p[0]); b.append(p[1]); g.append(float(p[2]))
    return a, b, np.array(g)


def make_tokenizer(dict_path=None):
    import jieba
    import logging
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer(dictionary=dict_path) if dict_path else jieba.Tokenizer()
    tk.initialize()
    return tk


def segment(texts, tk):
    return [[t for t in tk.lcut(s, HMM=True) if t.strip()] for s in texts]


class DevSet:
    """All dev texts, segmented once per segmentation mode."""

    def __init__(self, tk=None, tag="jieba"):
        cache = os.path.join(common.cache_dir(), f"devseg-{tag}.pkl")
        if os.path.exists(cache):
            with open(cache, "rb") as f:
                self.__dict__.update(pickle.load(f))
            return
        tk = tk or make_tokenizer()
        self.texts = []
        self.pairs = {}
        for n in PAIRS:
            s1, s2, g = load_pairs(n)
            i = len(self.texts)
            self.texts += s1 + s2
            self.pairs[n] = (np.arange(i, i + len(s1)), np.arange(i + len(s1), i + 2 * len(s1)), g)
        xs, ys = load_thucnews()
        i = len(self.texts)
        self.texts += xs
        self.thuc = (np.arange(i, i + len(xs)), ys)
        a, b, g = load_wordsim()
        i = len(self.texts)
        self.texts += a + b
        self.wordsim = (np.arange(i, i + len(a)), np.arange(i + len(a), i + 2 * len(a)), g)
        self.tokens = segment(self.texts, tk)
        with open(cache, "wb") as f:
            pickle.dump(self.__dict__, f)


def load_vec(path):
    """A word2vec text file as zhvec vocab build reads it: rows [words ; chars],
    multi-character entries are words, single characters are chars, and a
    character with no row of its own that occurs in table words gets the mean of
    those words' rows (each word once). Returns (T, widx, cidx, n_derived) with
    widx: word -> row and cidx: char -> row offset after the words."""
    names, rows = [], []
    with open(path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            p = line.rstrip("\n").split(" ")
            names.append(p[0]); rows.append(np.array(p[1:], dtype=np.float32))
    T = np.vstack(rows)
    words = [(i, w) for i, w in enumerate(names) if len(w) > 1]
    chars = [(i, w) for i, w in enumerate(names) if len(w) == 1]
    T = T[[i for i, _ in words] + [i for i, _ in chars]]
    widx = {w: k for k, (_, w) in enumerate(words)}
    cidx = {c: k for k, (_, c) in enumerate(chars)}
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
    return T, widx, cidx, len(extra)


def design(tokens, widx, cidx, n_words):
    """Sparse averaging matrices over table rows [words ; chars].
    widx: multi-char word -> row; cidx: char -> char row (0-based in char table)."""
    rw, cw, vw = [], [], []
    rc, cc, vc = [], [], []
    for i, toks in enumerate(tokens):
        wrows = []
        crows = []
        for t in toks:
            tc = [n_words + cidx[ch] for ch in t if ch in cidx]
            crows += tc
            j = widx.get(t) if len(t) > 1 else None
            if j is not None:
                wrows.append(([j], 1.0))
            elif tc:
                wrows.append((tc, 1.0 / len(tc)))
        if wrows:
            k = 1.0 / len(wrows)
            for rs, w in wrows:
                for r in rs:
                    rw.append(i); cw.append(r); vw.append(w * k)
        if crows:
            k = 1.0 / len(crows)
            for r in crows:
                rc.append(i); cc.append(r); vc.append(k)
    n = n_words + len(cidx)
    Sw = sp.csr_matrix((vw, (rw, cw)), shape=(len(tokens), n))
    Sc = sp.csr_matrix((vc, (rc, cc)), shape=(len(tokens), n))
    Sw.sum_duplicates(); Sc.sum_duplicates()
    return Sw, Sc


def quantize(T):
    s = np.abs(T).max(1, keepdims=True) / 127.0
    s[s == 0] = 1.0
    return (np.clip(np.rint(T / s), -127, 127) * s).astype(np.float32)


def sent_vectors(T, Sw, Sc, q=True):
    if q:
        T = quantize(T)
    return np.hstack([Sw @ T, Sc @ T])


def cos_rows(A, B):
    na = np.linalg.norm(A, axis=1); nb = np.linalg.norm(B, axis=1)
    return (A * B).sum(1) / np.maximum(na * nb, 1e-12)


def metrics(V, dev, full=False):
    out = {}
    names = PAIRS if full else PAIRS[:3]
    for n in names:
        a, b, g = dev.pairs[n]
        out[n] = 100 * spearmanr(cos_rows(V[a], V[b]), g).correlation
    out["mean"] = float(np.mean([out[n] for n in PAIRS[:3]]))
    if full:
        a, b, g = dev.wordsim
        out["wordsim240"] = 100 * spearmanr(cos_rows(V[a], V[b]), g).correlation
        idx, ys = dev.thuc
        X = V[idx]
        X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        h = len(idx) // 2
        C = np.stack([X[:h][ys[:h] == c].mean(0) for c in range(ys.max() + 1)])
        pred = (X[h:] @ C.T).argmax(1)
        out["thucnews_acc"] = 100 * float((pred == ys[h:]).mean())
    return out


def fmt(m):
    return " ".join(f"{k}={v:.2f}" for k, v in m.items())
