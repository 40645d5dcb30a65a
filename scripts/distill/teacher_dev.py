"""The teacher's own dev scores: Spearman x100 of the cosines of its 512-d vectors on the STS
dev sets, the ceiling a student trained toward it is measured against (not cached).

Usage: ZHVEC_THREADS=2 venv/bin/python scripts/distill/teacher_dev.py [--teacher use] [SET ...]"""
import argparse
import os

import numpy as np
from scipy.stats import spearmanr

import common
import evalkit


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", choices=sorted(common.TEACHERS), default="use")
    ap.add_argument("sets", nargs="*", default=evalkit.PAIRS[:3])
    a = ap.parse_args()
    enc = common._use_model(int(os.environ.get("ZHVEC_THREADS", "2"))) if a.teacher == "use" else common._e5_model()
    scores = []
    for name in a.sets:
        s1, s2, gold = evalkit.load_pairs(name)
        texts = sorted(set(s1) | set(s2))
        row = {s: i for i, s in enumerate(texts)}
        V = np.concatenate([enc(texts[i:i + 4096]) for i in range(0, len(texts), 4096)])
        cos = evalkit.cos_rows(V[[row[s] for s in s1]], V[[row[s] for s in s2]])
        scores.append(100 * spearmanr(cos, gold).correlation)
        print(f"{name}: {scores[-1]:.2f} ({len(s1)} pairs, {len(texts)} sentences)", flush=True)
    print(f"mean: {np.mean(scores):.2f}")


if __name__ == "__main__":
    main()
