#!/usr/bin/env python3
"""Check `zhvec vocab export`, `zhvec nn` and `zhvec eval analogy` against gensim and numpy.

Exports a table (the embedded default unless --vocab) with --table both as npy, word2vec text
and word2vec binary, then checks:
  - numpy.load reads the .npy: 2-D little-endian float32, one row per line of the token list;
  - gensim KeyedVectors.load_word2vec_format reads the text and the binary file, with the same
    tokens in the same order and exactly the same float32 values as the .npy;
  - `zhvec nn WORD -k 10 --table both` gives the words and cosines of gensim's most_similar
    (cosines within 1e-5; a pair of neighbours with cosines that close may swap);
  - `zhvec eval analogy --table both` gives gensim's evaluate_word_analogies counts (correct
    and covered questions, per section) on the analogy file.

The pinned gensim, numpy and scipy of scripts/requirements.txt are installed into a virtualenv
under $ZHVEC_CACHE (default ~/.cache/zhvec) on first use; the script reruns itself there.

Usage: check-export.py [--zhvec BIN] [--vocab TABLE.zv] [--analogy FILE] [--words W,W,...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CACHE = os.environ.get("ZHVEC_CACHE") or os.path.expanduser("~/.cache/zhvec")
VENV = os.path.join(CACHE, "venv-check")
PACKAGES = ("gensim", "numpy", "scipy", "smart-open", "wrapt")


def pins():
    out = {}
    with open(os.path.join(HERE, "requirements.txt")) as f:
        for line in f:
            line = line.strip()
            if "==" in line and not line.startswith("#"):
                name, version = line.split("==")
                out[name] = version
    return {p: out[p] for p in PACKAGES}


def ensure_venv():
    """Reruns this script in the virtualenv with the pinned packages, installing them first."""
    want = pins()
    try:
        from importlib.metadata import version

        if all(version(n) == v for n, v in want.items()):
            return
    except Exception:
        pass
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.executable) == os.path.realpath(py) and os.environ.get("ZHVEC_CHECK_REEXEC"):
        sys.exit("error: the virtualenv %s does not hold the pinned %s" % (VENV, want))
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    check = "import sys\nfrom importlib.metadata import version\nsys.exit(any(version(n) != v for n, v in %r.items()))" % want
    if subprocess.run([py, "-c", check], capture_output=True).returncode != 0:
        print("installing %s into %s" % (" ".join("%s==%s" % kv for kv in want.items()), VENV), file=sys.stderr)
        subprocess.run([py, "-m", "pip", "install", "--quiet"] + ["%s==%s" % kv for kv in want.items()], check=True)
    os.environ["ZHVEC_CHECK_REEXEC"] = "1"
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


failures = []


def report(name, ok, detail=""):
    print("%-52s %s%s" % (name, "ok" if ok else "FAIL", ("  " + detail) if detail else ""))
    if not ok:
        failures.append(name)


def zhvec(args, binary, table):
    cmd = [binary] + args + (["--vocab", table] if table and args[0] in ("nn", "eval") else [])
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")))
    return proc.stdout.decode()


def main():
    ensure_venv()
    import numpy as np
    from gensim.models import KeyedVectors

    ap = argparse.ArgumentParser()
    ap.add_argument("--zhvec", default=os.path.join(REPO, "target", "release", "zhvec"))
    ap.add_argument("--vocab", help="table to export (default: the embedded one)")
    ap.add_argument("--analogy", default=os.path.join(REPO, "..", "shared", "data", "dev", "ca8-morphological.txt"))
    ap.add_argument("--words", default="北京,中国,电脑,喜欢,快乐,足球,银行,手机")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="zhvec-check-export-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    table = [args.vocab] if args.vocab else []
    npy, txt, binf = (os.path.join(tmp, n) for n in ("t.npy", "t.txt", "t.bin"))
    for fmt, out in (("npy", npy), ("w2v", txt), ("w2v-binary", binf)):
        zhvec(["vocab", "export"] + table + ["--format", fmt, "--table", "both", "-q", "-o", out], args.zhvec, None)

    m = np.load(npy)
    with open(os.path.join(tmp, "t.vocab.txt"), encoding="utf-8") as f:
        tokens = f.read().splitlines()
    report("npy: 2-D float32", m.ndim == 2 and m.dtype == np.dtype("<f4"), "shape %s" % (m.shape,))
    report("npy: one row per token", m.shape[0] == len(tokens), "%d rows, %d tokens" % (m.shape[0], len(tokens)))
    report("npy: tokens are distinct", len(set(tokens)) == len(tokens))

    loaded = {}
    for name, path, binary in (("w2v text", txt, False), ("w2v binary", binf, True)):
        t0 = time.time()
        kv = KeyedVectors.load_word2vec_format(path, binary=binary)
        loaded[name] = kv
        report("%s: gensim loads it" % name, True, "%.1f s" % (time.time() - t0))
        report("%s: same tokens in the same order" % name, list(kv.index_to_key) == tokens)
        same = kv.vectors.shape == m.shape and kv.vectors.dtype == m.dtype
        diff = int(np.count_nonzero(kv.vectors != m)) if same else -1
        report("%s: values equal the npy exactly" % name, same and diff == 0, "%d values differ" % diff)

    kv = loaded["w2v text"]
    worst, swaps = 0.0, 0
    for w in args.words.split(","):
        if w not in kv.key_to_index:
            continue
        ours = json.loads(zhvec(["nn", w, "-k", "10", "--table", "both", "--json"], args.zhvec, args.vocab))
        ours = [(n["word"], n["cosine"]) for n in ours["neighbours"]]
        theirs = kv.most_similar(w, topn=10)
        got = dict(ours)
        # Compare the cosines of the words both lists hold; a near-tie may swap order.
        common = [(x, c) for x, c in theirs if x in got]
        worst = max([worst] + [abs(got[x] - c) for x, c in common])
        swaps += sum(1 for (a, _), (b, _) in zip(ours, theirs) if a != b)
        report("nn %s: gensim's neighbours" % w, len(common) >= 9, "%d of 10 shared" % len(common))
    report("nn: cosines agree with gensim's", worst < 1e-5, "largest difference %.2e, %d positions differ" % (worst, swaps))

    if os.path.exists(args.analogy):
        t0 = time.time()
        ours = json.loads(zhvec(["eval", "analogy", args.analogy, "--table", "both", "--json"], args.zhvec, args.vocab))
        t_ours = time.time() - t0
        t0 = time.time()
        _, sections = kv.evaluate_word_analogies(args.analogy, restrict_vocab=len(kv), case_insensitive=False)
        t_gensim = time.time() - t0
        total = sections[-1]
        g_correct, g_covered = len(total["correct"]), len(total["correct"]) + len(total["incorrect"])
        z = ours["total"]
        report("analogy: covered questions equal gensim's", z["covered"] == g_covered, "%d vs %d" % (z["covered"], g_covered))
        report(
            "analogy: correct answers equal gensim's",
            abs(z["correct"] - g_correct) <= max(1, g_covered // 1000),
            "zhvec %d, gensim %d of %d covered (%.2f%% vs %.2f%%); zhvec %.1f s, gensim %.1f s"
            % (z["correct"], g_correct, g_covered, z["accuracy_of_covered"], 100.0 * g_correct / max(g_covered, 1), t_ours, t_gensim),
        )
        for s, g in zip(ours["sections"], sections[:-1]):
            gc = len(g["correct"])
            report("analogy section %s" % s["name"], abs(s["correct"] - gc) <= max(1, s["covered"] // 1000), "zhvec %d, gensim %d" % (s["correct"], gc))
    else:
        print("no analogy file at %s: skipped" % args.analogy)

    print("%d checks failed" % len(failures) if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
