"""Run variants of the shipped recipe in one process and print, for each, the held-out
agreement by epoch and the numpy emulation's dev scores (evalkit.py). The text, its
segmentation and the static rows are prepared once per set of options that change them.

Usage: variants.py --zhvec BIN [--whiten-grid] [--write DIR] NAME='--opt=v --opt=v' ...
Each variant is scripts/distill/recipe.args with its options appended (later ones win).
Results are appended to $ZHVEC_CACHE/variants.tsv; with --write, DIR/NAME.vec and
DIR/NAME.freq (for `zhvec vocab build`) and DIR/NAME.meta.json are written too."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import distill  # noqa: E402
import evalkit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The options prepare() reads: variants that differ only elsewhere share its result.
PREPARE_KEYS = ("teacher", "words", "chars", "max_sentences", "val_frac", "add_words", "add_min_count",
                "dims", "drop", "mix", "sif_a", "char_scale", "char_sif_a", "init_table", "normalize", "pca_fit")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zhvec", required=True)
    ap.add_argument("--whiten-grid", action="store_true", help="also score other whitening powers and drops")
    ap.add_argument("--char-post", default="", help="comma-separated factors on the trained character rows to score too")
    ap.add_argument("--write", default=None, help="directory for NAME.vec, NAME.freq, NAME.meta.json")
    ap.add_argument("variants", nargs="+", metavar="NAME=OPTIONS")
    v = ap.parse_args()
    with open(os.path.join(HERE, "recipe.args"), encoding="utf-8") as f:
        base = [l.strip() for l in f if l.strip()]
    dev = evalkit.DevSet()
    prepared = {}
    for spec in v.variants:
        name, _, opts = spec.partition("=")
        argv = base + opts.split() + ["--zhvec", v.zhvec, "--out-vec", "-", "--out-freq", "-"]
        a = distill.parser().parse_args(argv)
        t0 = time.time()
        key = tuple(getattr(a, k) for k in PREPARE_KEYS)
        if key not in prepared:
            prepared.clear()  # one at a time: each holds the reduced targets
            prepared[key] = distill.prepare(a, distill.load(a.words, a.chars, teacher=a.teacher))
        p = prepared[key]
        widx, cidx = distill.indices(p["d"])
        design = evalkit.design(dev.tokens, widx, cidx, len(p["d"]["words"]))

        def evaluate(T, s):
            m = evalkit.metrics(evalkit.sent_vectors(distill.finish(a, p, T), *design), dev)
            print(f"  {name}: held-out {s:.2f}; dev (numpy) {evalkit.fmt(m)}", flush=True)

        T, epoch, scores = distill.fit(a, p, evaluate)
        grid = [(a.whiten_power, a.whiten_drop, 1.0)]
        if v.whiten_grid:
            grid += [(w, k, 1.0) for w in (0.0, 0.05, 0.1, 0.15, 0.2) for k in (1, 2, 3) if (w, k, 1.0) != grid[0]]
        grid += [(a.whiten_power, a.whiten_drop, float(c)) for c in v.char_post.split(",") if c]
        for w, k, c in grid:
            b = argparse.Namespace(**dict(vars(a), whiten_power=w, whiten_drop=k))
            Tc = T.copy()
            Tc[len(p["d"]["words"]):] *= c
            m = evalkit.metrics(evalkit.sent_vectors(distill.finish(b, p, Tc), *design), dev, full=True)
            line = "\t".join([name, " ".join(opts.split()), f"whiten={w},{k}", f"char_post={c}",
                              f"sentences={p['info']['sentences']}",
                              f"epoch={epoch}", "agreement=" + ",".join(f"{x:.2f}" for x in scores),
                              evalkit.fmt(m)])
            print(line, f"({time.time() - t0:.0f}s)", flush=True)
            with open(os.path.join(common.cache_dir(), "variants.tsv"), "a", encoding="utf-8") as f:
                f.write(line + "\n")
        if v.write:
            os.makedirs(v.write, exist_ok=True)
            distill.write_outputs(p["d"], distill.finish(a, p, T), os.path.join(v.write, name + ".vec"),
                                  os.path.join(v.write, name + ".freq"))
            info = dict(p["info"], epoch=epoch, agreement=round(float(scores[epoch]), 3),
                        agreement_by_epoch=[round(float(x), 3) for x in scores])
            with open(os.path.join(v.write, name + ".meta.json"), "w", encoding="utf-8") as f:
                json.dump(dict(corpus=info), f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
