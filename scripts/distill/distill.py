"""Reduce e5 teacher vectors to the default zhvec vocabulary.

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
The shipped options are in scripts/build-default-vocab.
"""
import argparse
import os
import time

import numpy as np

import common


def load(n_words, n_chars, teacher_words=87000):
    cd = common.cache_dir()
    words, wf, chars, cf, cs = common.select_vocab(n_words, n_chars)
    W = np.load(os.path.join(cd, f"teacher-words-{teacher_words}.npy"))[:n_words]
    C = np.load(os.path.join(cd, f"teacher-chars-{n_chars}.npy"))[:n_chars]
    total = float(sum(c for _, c in common.read_jieba_dict()))
    return dict(words=words, wf=wf, chars=chars, cf=cf, cs=cs, W=W, C=C, total=total)


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
                char_sif="token", pca_fit="all", char_sif_a=None):
    W, C = d["W"], d["C"]
    if pca_fit == "words":
        mu, P, _ = fit_pca(W, drop, dims)
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


def main():
    ap = argparse.ArgumentParser()
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
    ap.add_argument("--out-vec", required=True)
    ap.add_argument("--out-freq", required=True)
    a = ap.parse_args()
    t0 = time.time()
    d = load(a.words, a.chars)
    T, mu, P = build_table(d, dims=a.dims, drop=a.drop, mix=a.mix, sif_a=a.sif_a,
                           char_scale=a.char_scale, char_sif_a=a.char_sif_a)
    if a.train_sentences > 0:
        import evalkit
        toks, Y = training_data(d, a.train_sentences)
        widx, cidx = indices(d)
        Sw, Sc = evalkit.design(toks, widx, cidx, len(d["words"]))
        T = train(T, Sw, Sc, (Y - mu) @ P, epochs=a.epochs, lr=a.lr, channels=a.channels,
                  loss=a.loss, norm_lr=a.norm_lr)
        if a.whiten_power or a.whiten_drop:
            T = whiten(T, Sw, Sc, a.whiten_power, a.whiten_drop)
    write_outputs(d, T, a.out_vec, a.out_freq)
    print(f"wrote {a.out_vec} ({T.shape[0]} rows x {T.shape[1]}) in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
