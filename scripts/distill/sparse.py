"""Fast trainer for every row of the table (words and characters) on hundreds of
thousands of sentences, and the held-out agreement it is chosen by.

Same model as distill.train (the exact zhvec inference: word channel with character
fallback, character channel, rows = direction x exp(log-norm)), but each step only
gathers, updates and scatters the rows its batch uses (lazy Adam), so a step costs
what the batch touches, not the size of the table. Regularisation: a pull of the
touched rows toward their static initialisation, separate learning rates for word
and character rows (and a separate pull for the word rows), rows seen in fewer than
min_count training sentences stay frozen, and the epoch with the best held-out agreement
is kept (early stopping)."""
import time

import numpy as np
import scipy.sparse as sp

from distill import _unit, _unit_grad


def _local(Sb, rows):
    """Sb (csr) with its columns renumbered to positions in the sorted array rows."""
    return sp.csr_matrix((Sb.data, np.searchsorted(rows, Sb.indices), Sb.indptr),
                         shape=(Sb.shape[0], len(rows)))


def _log_softmax_rows(X):
    X = X - X.max(1, keepdims=True)
    return X - np.log(np.exp(X).sum(1, keepdims=True))


def _kl_rows(S, P, tau):
    """KL(softmax(P/tau) || softmax(S/tau)) of each row, a sentence's own column left out,
    and its gradient with respect to S."""
    off = np.eye(len(S), dtype=bool)
    # A large finite logit, not -inf: exp gives 0 and 0 x (log p - log q) stays 0.
    lq = _log_softmax_rows(np.where(off, -1e4, S / tau))
    lp = _log_softmax_rows(np.where(off, -1e4, P / tau))
    p = np.exp(lp)
    return (p * (lp - lq)).sum(1), (np.exp(lq) - p) / tau


def agreement(T, Sw, Sc, Y):
    """Teacher agreement on held-out sentences: 100 x the mean cosine between the output
    [word mean ; char mean] and the teacher's [t ; t] (t: the target, reduced like the
    rows). Rows as stored (int8)."""
    import evalkit
    Tq = evalkit.quantize(T)
    V = np.hstack([Sw @ Tq, Sc @ Tq])
    return 100 * float((_unit(V) * _unit(np.hstack([Y, Y]))).sum(1).mean())


def train(T0, Sw, Sc, Y, word_rows, epochs=3, batch=512, lr=1e-2, norm_lr=5e-3,
          word_lr=3e-3, word_norm_lr=None, loss="char", pull=0.0, word_pull=None, min_count=1,
          seed=0, evaluate=None, log=True, rel_weight=0.0, kl_weight=0.0, kl_tau=0.05,
          word_min_count=None, rel_targets=None):
    """T0: initial rows [words ; chars]; Sw, Sc: csr pooling matrices (sentences x rows);
    Y: targets (sentences x dims); word_rows: number of word rows at the top of T0.
    loss: "char" = 1 - cos(char mean, t) (only the characters move unless the word
    channel falls back to them); "both" = that plus 1 - cos(word mean, t); "concat" =
    1 - cos([word ; char], [t ; t]). rel_weight > 0 adds that weight times the mean squared
    difference between the in-batch cosine matrices of the outputs and of the targets
    (what the dev sets score is the ranking of output cosines). kl_weight > 0 adds that weight
    times the mean over the batch of KL(softmax(teacher cosines / kl_tau) || softmax(output
    cosines / kl_tau)) over each sentence's batch neighbours: the ranking of the neighbours,
    not their cosines. rel_targets (sentences x any dims, unit rows; default the targets) are
    the vectors whose cosines those two losses imitate. word_min_count (default min_count) is
    min_count for the word rows.
    evaluate(T) -> score is called after each epoch and the best epoch is returned (with the
    list of scores)."""
    Sw = Sw.tocsr(); Sc = Sc.tocsr()
    n_rows, dims = T0.shape
    if word_norm_lr is None:
        word_norm_lr = norm_lr * word_lr / lr if lr else 0.0
    # Rows in fewer than min_count training sentences do not move.
    seen = np.bincount(np.concatenate([Sw.indices, Sc.indices]), minlength=n_rows)
    is_word = np.arange(n_rows) < word_rows
    lr_dir = np.where(is_word, word_lr, lr).astype(np.float32)
    lr_ln = np.where(is_word, word_norm_lr, norm_lr).astype(np.float32)
    frozen = seen < np.where(is_word, min_count if word_min_count is None else word_min_count, min_count)
    if word_pull is None:
        word_pull = pull
    pull_r = np.where(is_word, word_pull, pull).astype(np.float32)
    lr_dir[frozen] = 0
    lr_ln[frozen] = 0
    norms = np.linalg.norm(T0, axis=1)
    norms[norms == 0] = 1e-8
    D = (T0 / norms[:, None]).astype(np.float32)
    D0 = D.copy()
    ln = np.log(norms).astype(np.float32)
    ln0 = ln.copy()
    m = np.zeros_like(D); v = np.zeros_like(D)
    mn = np.zeros_like(ln); vn = np.zeros_like(ln)
    b1, b2, eps = 0.9, 0.999, 1e-8
    n = Y.shape[0]
    steps = epochs * ((n + batch - 1) // batch)
    Yn = _unit(Y).astype(np.float32)
    rng = np.random.default_rng(seed)
    step = 0
    best = (-np.inf, T0.copy(), 0)
    scores = []
    if evaluate is not None:
        s = evaluate(T0)
        scores.append(s)
        best = (s, T0.copy(), 0)
        if log:
            print(f"  epoch 0: held-out agreement {s:.2f}", flush=True)
    for ep in range(epochs):
        t0 = time.time()
        perm = rng.permutation(n)
        tot = 0.0
        for k in range(0, n, batch):
            idx = np.sort(perm[k:k + batch])
            B = len(idx)
            Swb, Scb = Sw[idx], Sc[idx]
            rows = np.unique(np.concatenate([Swb.indices, Scb.indices]))
            Swl, Scl = _local(Swb, rows), _local(Scb, rows)
            Dr = D[rows]
            nd = np.linalg.norm(Dr, axis=1, keepdims=True)
            Dn = Dr / nd
            nr = np.exp(ln[rows])[:, None]
            Tc = Dn * nr
            yw, yc = Swl @ Tc, Scl @ Tc
            t = Yn[idx]
            tr = t if rel_targets is None else np.asarray(rel_targets[idx], dtype=np.float32)
            if loss == "concat":
                y = np.hstack([yw, yc])
                tt = np.hstack([t, t]) / np.sqrt(2)
                tot += float((1 - (_unit(y) * tt).sum(1)).sum())
                g = _unit_grad(y, -tt) / B
                gw, gc = g[:, :dims], g[:, dims:]
            else:
                tot += float((1 - (_unit(yc) * t).sum(1)).sum())
                gc = _unit_grad(yc, -t) / B
                gw = None
                if loss == "both":
                    tot += float((1 - (_unit(yw) * t).sum(1)).sum())
                    gw = _unit_grad(yw, -t) / B
            if rel_weight:
                # The in-batch cosines of the output [word ; char] against the teacher's.
                y = np.hstack([yw, yc])
                yh = _unit(y)
                R = yh @ yh.T - tr @ tr.T
                tot += rel_weight * float((R ** 2).sum()) / B
                g = _unit_grad(y, rel_weight * 4.0 * (R @ yh) / (B * B))
                gw = g[:, :dims] if gw is None else gw + g[:, :dims]
                gc = gc + g[:, dims:]
            if kl_weight:
                y = np.hstack([yw, yc])
                yh = _unit(y)
                kl, gs = _kl_rows(yh @ yh.T, tr @ tr.T, kl_tau)
                tot += kl_weight * float(kl.sum())
                g = _unit_grad(y, (kl_weight / B) * ((gs + gs.T) @ yh))
                gw = g[:, :dims] if gw is None else gw + g[:, :dims]
                gc = gc + g[:, dims:]
            G = Scl.T @ gc
            if gw is not None:
                G = G + Swl.T @ gw
            G = np.asarray(G, dtype=np.float32)
            gT = G * nr
            gD = (gT - (gT * Dn).sum(1, keepdims=True) * Dn) / nd
            step += 1
            frac = 1 - (step - 1) / steps
            c1 = 1 - b1 ** step
            c2 = 1 - b2 ** step
            mr = b1 * m[rows] + (1 - b1) * gD
            vr = b2 * v[rows] + (1 - b2) * gD * gD
            m[rows] = mr; v[rows] = vr
            Dr = Dr - (lr_dir[rows] * frac)[:, None] * (mr / c1) / (np.sqrt(vr / c2) + eps)
            gl = (G * Tc).sum(1)
            mnr = b1 * mn[rows] + (1 - b1) * gl
            vnr = b2 * vn[rows] + (1 - b2) * gl * gl
            mn[rows] = mnr; vn[rows] = vnr
            lnr = ln[rows] - lr_ln[rows] * frac * (mnr / c1) / (np.sqrt(vnr / c2) + eps)
            if pull > 0 or word_pull:
                # Decoupled decay toward the static rows (direction and log-norm).
                Dr = _unit(Dr)
                if word_pull == pull:
                    pd = pn = pull * frac
                else:
                    pn = pull_r[rows] * np.float32(frac)
                    pd = pn[:, None]
                moving = (lr_dir[rows] > 0)[:, None]
                Dr = np.where(moving, Dr - pd * (Dr - D0[rows]), Dr)
                lnr = np.where(lr_ln[rows] > 0, lnr - pn * (lnr - ln0[rows]), lnr)
            D[rows] = Dr
            ln[rows] = lnr
        T = (_unit(D) * np.exp(ln)[:, None]).astype(np.float32)
        msg = f"  epoch {ep + 1}: loss {tot / n:.4f} ({time.time() - t0:.0f}s)"
        if evaluate is not None:
            s = evaluate(T)
            scores.append(s)
            msg += f", held-out agreement {s:.2f}"
            if s > best[0]:
                best = (s, T, ep + 1)
        else:
            best = (0.0, T, ep + 1)
        if log:
            print(msg, flush=True)
    return best[1], best[2], scores
