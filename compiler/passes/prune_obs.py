"""OBS group saliency and weight compensation for removing input channels of a consumer.

For a consumer ``y = W z`` (``W [M, D]``, features ``z``, see
``prune_consumers.py``) with input second moment ``H = E[z zᵀ]`` and a set of
removed feature columns ``Q`` (all kernel taps of the removed channels):

- the **closed form** (Optimal Brain Surgeon, group form) keeps the output as
  close as possible in mean squared error::

      δW = −W[:, Q] · ((H⁻¹)_QQ)⁻¹ · (H⁻¹)_Q,:          (obs_update)
      error = ½ · tr(W_Q ((H⁻¹)_QQ)⁻¹ W_Qᵀ)               (obs_saliency)

  ``H`` is dampened: ``H + λ I`` with ``λ = damp · mean(diag H)``.
- the same update written as a **ridge least-squares fit** of the original
  output from the kept features, shrunk towards the original weights::

      W'_K = (W · C[:, K] + λ W_K) · (H̃_KK + λ I)⁻¹      (ridge_update)

  with ``C = E[z z̃ᵀ]`` and ``H̃ = E[z̃ z̃ᵀ]``. With z̃ = z it *equals* the damped
  OBS closed form; with calibration data the pruning driver passes z̃ = the
  consumer's input in the already-pruned network, so every layer also corrects
  the error its predecessors left (the fit target stays the dense output).

A bias is the weight of a constant-1 feature that is never removed, so both
forms include the **bias correction** (the removed channels' mean
contribution moves into the bias). Consumers without a bias (MatMul, a Conv
without B) get no bias correction; the pruning driver adds a zero bias to
Conv/Gemm consumers before the analysis so that they have one.

Channel form (data-free statistics, or Conv consumers wider than
``MAX_FULL_FEATURES``): features are independent across kernel taps, so with an
intercept the problem splits per tap over the channel covariance Σ (``[C, C]``)
and the bias absorbs the mean: ``b' = b + Σ_t (W_t m − W'_t,K m̃_K)``.
With the data-free model (Σ diagonal) the kept weights do not change and the
compensation is exactly this mean (bias) correction.
"""
from __future__ import annotations

import numpy as np

from .prune_consumers import ChannelStats, Consumer

DEFAULT_DAMP = 0.01


def damping(h: np.ndarray, damp: float, n_features: int | None = None) -> float:
    """λ = damp · mean of the diagonal of ``h`` over its first ``n_features`` (default all), at least 1e-12."""
    d = np.diag(h)[:n_features]
    mean = float(np.mean(d)) if d.size else 0.0
    return max(damp * mean, 1e-9 * mean, 1e-12)


def obs_update(w: np.ndarray, h: np.ndarray, q: np.ndarray, damp: float = DEFAULT_DAMP) -> np.ndarray:
    """``W + δW`` by the closed form (columns ``q`` become zero); ``h`` is E[z zᵀ] over W's columns."""
    q = np.asarray(q, dtype=np.int64)
    if q.size == 0:
        return w.copy()
    hd = h + damping(h, damp) * np.eye(len(h))
    hinv = np.linalg.inv(hd)
    block = np.linalg.inv(hinv[np.ix_(q, q)])
    return w - w[:, q] @ block @ hinv[q, :]


def obs_saliency(w: np.ndarray, hinv: np.ndarray, q: np.ndarray) -> float:
    """½ tr(W_Q ((H⁻¹)_QQ)⁻¹ W_Qᵀ): the output error of removing columns ``q`` (after compensation)."""
    wq = w[:, q]
    return 0.5 * float(np.sum((wq @ np.linalg.inv(hinv[np.ix_(q, q)])) * wq))


def ridge_update(w: np.ndarray, h_new: np.ndarray, cross: np.ndarray, keep: np.ndarray,
                 damp: float = DEFAULT_DAMP, n_features: int | None = None) -> np.ndarray:
    """New weights ``[M, D]``: kept columns fitted, the other columns zero.

    ``h_new`` = E[z̃ z̃ᵀ], ``cross`` = E[z z̃ᵀ] (both over W's columns); λ from
    ``h_new`` (its first ``n_features`` diagonal entries, default all).
    """
    keep = np.asarray(keep, dtype=np.int64)
    lam = damping(h_new, damp, n_features)
    a = h_new[np.ix_(keep, keep)] + lam * np.eye(len(keep))
    rhs = w @ cross[:, keep] + lam * w[:, keep]
    out = np.zeros_like(w)
    out[:, keep] = np.linalg.solve(a, rhs.T).T  # a is symmetric
    return out


def channel_update(w: np.ndarray, bias: np.ndarray | None, taps: int, old: ChannelStats, new: ChannelStats,
                   cross_cov: np.ndarray, keep_channels: np.ndarray, damp: float = DEFAULT_DAMP):
    """Channel-form update of ``W [M, C·taps]`` and the bias: per tap over Σ, the bias takes the mean.

    ``old``: statistics of the dense input, ``new``: of the pruned network's
    input, ``cross_cov``: E[(x − m)(x̃ − m̃)ᵀ]. Without a bias the non-centred
    second moments are used and no intercept is fitted.
    """
    c = len(old.mean)
    k = np.asarray(keep_channels, dtype=np.int64)
    if bias is None:
        s_new = new.cov + np.outer(new.mean, new.mean)
        s_cross = cross_cov + np.outer(old.mean, new.mean)
    else:
        s_new, s_cross = new.cov, cross_cov
    lam = damping(s_new, damp)
    a = s_new[np.ix_(k, k)] + lam * np.eye(len(k))
    w3 = w.reshape(w.shape[0], c, taps)
    out = np.zeros_like(w3)
    for t in range(taps):
        wt = w3[:, :, t]
        rhs = wt @ s_cross[:, k] + lam * wt[:, k]
        out[:, k, t] = np.linalg.solve(a, rhs.T).T
    new_bias = None
    if bias is not None:
        new_bias = bias + w3.sum(axis=2) @ old.mean - out.sum(axis=2)[:, k] @ new.mean[k]
    return out.reshape(w.shape), new_bias


def class_saliencies(con: Consumer, w: np.ndarray, classes: list[int], h: np.ndarray | None,
                     stats: ChannelStats | None, damp: float = DEFAULT_DAMP) -> dict[int, float]:
    """OBS error of removing each class alone from ``con`` (full ``h`` [D+1, D+1] or channel ``stats``)."""
    out: dict[int, float] = {}
    chan = con.feature_channel()
    if h is not None:
        hh = h if con.has_bias else h[:-1, :-1]
        hinv = np.linalg.inv(hh + damping(hh, damp, w.shape[1]) * np.eye(len(hh)))
        wa = np.concatenate([w, np.zeros((w.shape[0], 1))], axis=1) if con.has_bias else w
        for cid in classes:
            q = np.nonzero(con.classes[chan] == cid)[0]
            if q.size:
                out[cid] = obs_saliency(wa, hinv, q)
        return out
    s = stats.cov if con.has_bias else stats.cov + np.outer(stats.mean, stats.mean)
    sinv = np.linalg.inv(s + damping(s, damp) * np.eye(len(s)))
    w3 = w.reshape(w.shape[0], con.channels, con.taps)
    for cid in classes:
        q = np.nonzero(con.classes == cid)[0]
        if q.size:
            out[cid] = sum(obs_saliency(w3[:, :, t], sinv, q) for t in range(con.taps))
    return out
