"""Variant search on the dev sets (numpy emulation of zhvec inference).
Usage: search.py NAME key=value ...   (keys: build_table args, words, chars,
train, channels, epochs, lr, seg=jieba|vocab). Appends to $ZHVEC_CACHE/results.tsv."""
import json
import os
import sys
import time

import common
import distill
import evalkit


def run(name, words=87000, chars=8000, train=0, channels="char", epochs=3, lr=1e-2,
        seg="jieba", full=False, batch=512, loss="cos", norm_lr=0.0, post_scales=(1.0,), rel_weight=1.0, **kw):
    t0 = time.time()
    d = distill.load(words, chars)
    T, mu, P = distill.build_table(d, **kw)
    widx, cidx = distill.indices(d)
    if train:
        toks, Y = distill.training_data(d, train)
        Sw, Sc = evalkit.design(toks, widx, cidx, len(d["words"]))
        T = distill.train(T, Sw, Sc, (Y - mu) @ P, epochs=epochs, lr=lr, channels=channels, batch=batch,
                           loss=loss, norm_lr=norm_lr, rel_weight=rel_weight)
    res = {}
    for s in ([seg] if seg != "both" else ["jieba", "vocab"]):
        if s == "jieba":
            dev = evalkit.DevSet()
        else:
            import segvocab
            p = segvocab.vocab_dict(words, chars)
            dev = evalkit.DevSet(evalkit.make_tokenizer(p), tag=f"vocab-{words}-{chars}")
        Sw, Sc = evalkit.design(dev.tokens, widx, cidx, len(d["words"]))
        for ps in post_scales:
            T2 = T.copy()
            T2[len(d["words"]):] *= ps
            V = evalkit.sent_vectors(T2, Sw, Sc)
            m = evalkit.metrics(V, dev, full=full)
            res[(s, ps)] = m
            extra = dict(post_scale=ps) if ps != 1.0 else {}
            line = f"{name}\tseg={s}\t" + json.dumps(dict(words=words, chars=chars, train=train, channels=channels, epochs=epochs, lr=lr, loss=loss, norm_lr=norm_lr, **kw, **extra, **({"rel_weight": rel_weight} if "rel" in loss else {}))) + "\t" + evalkit.fmt(m)
            print(line, f"({time.time() - t0:.0f}s)", flush=True)
            with open(os.path.join(common.cache_dir(), "results.tsv"), "a", encoding="utf-8") as f:
                f.write(line + "\n")
    return T, res


if __name__ == "__main__":
    name = sys.argv[1]
    kw = {}
    for a in sys.argv[2:]:
        k, v = a.split("=", 1)
        try:
            v = json.loads(v)
        except json.JSONDecodeError:
            pass
        kw[k] = v
    run(name, **kw)
