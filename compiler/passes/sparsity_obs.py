"""Calibration-based group selection for ``group_sparsity``: OBS scores + layer-wise least-squares refit.

For one layer ``y = W z`` (``W [M, D]``; ``z`` the im2col features of its
input plus a constant 1 when the layer has a bias, whose weight is the bias)
the aim is to zero ``k`` groups and change the remaining weights so that
``E‖W z − W' z̃‖²`` is smallest, where ``z`` is the layer's input in the dense
network and ``z̃`` its input in the network sparsified so far (= z for the
first layer, and for the per-layer error curves). With ``H̃ = E[z̃ z̃ᵀ]``,
``C = E[z z̃ᵀ]`` and λ = damp · mean diag H̃:

- **refit** (damped least squares, per row block b of G rows, since all rows of
  a block keep the same features K_b)::

      W'_{b,K} = (W_b C[:, K] + λ W_{b,K}) · (H̃_KK + λ I)⁻¹

  (``prune_obs.ridge_update``; with z̃ = z this is the OBS closed form);
- **score** of a kept group (block b, channel c with taps Q), given the refit
  block and ``S = (H̃_KK + λI)⁻¹``: the OBS error of removing it next::

      Σ_{rows r of b}  w'_{r,Q} · (S_QQ)⁻¹ · w'_{r,Q}ᵀ

- **steps**: the k groups are chosen in ``steps`` rounds (k/steps, 2k/steps,
  …): score every kept group on the current refit, zero the lowest of the
  layer, refit, repeat. Each round re-scores with the exact inverse of the
  block's kept features, so later rounds see the earlier removals.

Layers wider than ``MAX_OBS_FEATURES`` im2col features use the diagonal of H̃
only: score = Σ w² · diag H̃ over the group, no refit.

The relative output error of a result ``W'`` is
``(tr W H Wᵀ − 2 tr W C W'ᵀ + tr W' H̃ W'ᵀ) / tr W H Wᵀ``.
"""
from __future__ import annotations

import numpy as np

from .prune_obs import damping
from .sparsity_groups import Layer, lowest

MAX_OBS_FEATURES = 2304   # im2col features (without the bias) of a full H
MAX_ROWS = 8192           # feature rows (samples × positions) used for the moments
CHUNK = 16                # samples per im2col block


class Moments:
    """``h`` = E[z zᵀ], ``h_new`` = E[z̃ z̃ᵀ], ``cross`` = E[z z̃ᵀ] (augmented with the bias feature when
    ``bias``), or only their diagonals (``diag`` = True) for wide layers."""

    def __init__(self, layer: Layer, x: np.ndarray, x_new: np.ndarray | None = None, bias: bool = True):
        con = layer.con
        d = con.channels * con.taps + 1
        self.diag = d - 1 > MAX_OBS_FEATURES
        same = x_new is None or x_new is x
        shape = (d,) if self.diag else (d, d)
        h, hn, cr = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        rng = np.random.default_rng(0)
        per_sample = len(con.feature_matrix(x[:1]))
        keep = min(1.0, MAX_ROWS / max(per_sample * len(x), 1))
        rows = 0
        for i in range(0, len(x), CHUNK):
            z = con.feature_matrix(np.asarray(x[i:i + CHUNK], np.float32))
            pick = np.sort(rng.choice(len(z), max(1, int(round(keep * len(z)))), replace=False)) \
                if keep < 1 else slice(None)
            z = z[pick]
            zn = z if same else con.feature_matrix(np.asarray(x_new[i:i + CHUNK], np.float32))[pick]
            rows += len(z)
            if self.diag:
                h += np.einsum("rd,rd->d", z, z, dtype=np.float64)
                if not same:
                    hn += np.einsum("rd,rd->d", zn, zn, dtype=np.float64)
                continue
            h += (z.T @ z).astype(np.float64)
            if not same:
                hn += (zn.T @ zn).astype(np.float64)
                cr += (z.T @ zn).astype(np.float64)
        h /= rows
        hn, cr = (h, h) if same else (hn / rows, cr / rows)
        if not bias:  # no constant feature: drop it
            h, hn, cr = (m[:-1] if self.diag else m[:-1, :-1] for m in (h, hn, cr))
        self.h, self.h_new, self.cross = h, hn, cr


def relative_error(wa: np.ndarray, new: np.ndarray, mom: Moments) -> float:
    """Relative output error of weights ``new`` (augmented like ``wa``) against the dense ``wa``."""
    if mom.diag:
        d = (wa - new) ** 2 @ mom.h_new
        ref = float(np.sum(wa ** 2 @ mom.h))
        return float(np.sum(d)) / max(ref, 1e-30)
    ref = float(np.sum((wa @ mom.h) * wa))
    err = ref - 2 * float(np.sum((wa @ mom.cross) * new)) + float(np.sum((new @ mom.h_new) * new))
    return max(err, 0.0) / max(ref, 1e-30)


class ObsSelector:
    """Stepwise OBS selection and refit for one layer (see the module docstring)."""

    def __init__(self, layer: Layer, wa: np.ndarray, mom: Moments, damp: float):
        self.layer, self.wa, self.mom = layer, wa, mom
        d = layer.channels * layer.taps
        self.has_bias = wa.shape[1] > d
        if mom.diag:
            return
        self.lam = damping(mom.h_new, damp, d)
        self.a = mom.h_new + self.lam * np.eye(len(mom.h_new))
        self.rhs = wa @ mom.cross + self.lam * wa

    def _kept(self, mask_row: np.ndarray) -> np.ndarray:
        lay = self.layer
        feats = np.nonzero(np.repeat(~mask_row, lay.taps))[0]
        return np.append(feats, lay.channels * lay.taps) if self.has_bias else feats

    def refit(self, mask: np.ndarray):
        """``(W' [M, D'], {block: (kept channels, S)})`` for the group ``mask``."""
        lay = self.layer
        out = np.zeros_like(self.wa)
        cache: dict[bytes, tuple] = {}
        per_block = {}
        for b in range(lay.blocks):
            key = mask[b].tobytes()
            if key not in cache:
                kept = self._kept(mask[b])
                cache[key] = (kept, np.linalg.inv(self.a[np.ix_(kept, kept)]) if len(kept) else None)
            kept, s = cache[key]
            rows = slice(b * lay.g, min((b + 1) * lay.g, lay.rows))
            if len(kept):
                out[rows, kept] = self.rhs[rows][:, kept] @ s
            per_block[b] = (np.nonzero(~mask[b])[0], s)
        return out, per_block

    def scores(self, new: np.ndarray, per_block) -> np.ndarray:
        """OBS score of every group (inf for groups already zero)."""
        lay = self.layer
        kk = lay.taps
        sc = np.full((lay.blocks, lay.channels), np.inf)
        for b, (chans, s) in per_block.items():
            if not len(chans):
                continue
            n = len(chans)
            idx = np.arange(n)
            blocks = s[:n * kk, :n * kk].reshape(n, kk, n, kk)[idx, :, idx, :]       # [n, kk, kk]
            binv = np.linalg.inv(blocks)
            rows = slice(b * lay.g, min((b + 1) * lay.g, lay.rows))
            w = new[rows][:, np.repeat(chans * kk, kk) + np.tile(np.arange(kk), n)].reshape(-1, n, kk)
            sc[b, chans] = np.einsum("gjt,jts,gjs->j", w, binv, w)
        return sc

    def run(self, targets: list[int]):
        """Zero groups up to each count in ``targets`` (increasing); returns (mask, W', [error per target])."""
        lay = self.layer
        mask = np.zeros((lay.blocks, lay.channels), bool)
        errors = []
        if self.mom.diag:
            d = lay.channels * lay.taps
            energy = lay.group_energy(self.wa[:, :d] * np.sqrt(self.mom.h_new[:d])[None, :])  # Σ w²·diag H̃
            for k in targets:
                mask = lowest(energy, k)
                new = self.wa.copy()
                new[:, :d][lay.row_mask(mask)] = 0.0
                errors.append(relative_error(self.wa, new, self.mom))
            return mask, (new if targets else self.wa.copy()), errors
        new, per_block = self.refit(mask)
        for k in targets:
            more = k - int(mask.sum())
            if more > 0:
                mask = mask | lowest(self.scores(new, per_block), more, exclude=mask)
                new, per_block = self.refit(mask)
            errors.append(relative_error(self.wa, new, self.mom))
        return mask, new, errors
