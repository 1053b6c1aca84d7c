"""Per-layer sparsity allocation for ``group_sparsity``: ``uniform`` and ``sensitivity``.

``uniform``: every layer zeroes ``round(s · its groups)`` groups.

``sensitivity`` (equal marginal error): every layer gets an error-vs-sparsity
curve ``e_l(s)`` measured at grid points (every 10 % up to the cap, and the cap): the
relative output error of the layer after selecting ``s`` of its groups with
the pass's own method (OBS + refit with calibration data, magnitude zeroing
otherwise; data-free, the error is the removed share of the squared weight
norm). The aim is to minimise ``Σ e_l(s_l)`` subject to the global budget
``Σ_l n_l s_l = S · Σ_l n_l`` (``n_l`` = the layer's weights). Each curve is
replaced by its lower convex hull; the hull segments of all layers are
taken in increasing order of their slope ``Δe / Δweights`` (error added per
zeroed weight) until the budget is spent, the last segment partly. At the
result every layer sits where its slope reaches the same value λ: a layer
whose curve stays flat up to a late knee ("essential sparsity") gets a high
sparsity, a layer whose error rises early gets little. The convex hull makes
the greedy order optimal for the piecewise-linear curves and keeps each
layer's segments in order. Only the last, partly used segment is rounded to
whole groups, so the global zero count is within one group of the budget.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID_STEP = 0.1


@dataclass
class Curve:
    """``groups[j]`` zeroed groups cost ``errors[j]`` (groups[0] = 0, errors[0] = 0), in a layer whose
    groups hold ``weights_per_group`` weights on average."""

    groups: list[int]
    errors: list[float]
    weights_per_group: float


def grid(n_groups: int, cap: float) -> list[int]:
    """Group counts at sparsity 5 %, 10 %, … up to ``cap`` (increasing, without 0, no duplicates)."""
    levels = list(np.arange(GRID_STEP, cap + 1e-9, GRID_STEP))
    if not levels or levels[-1] < cap - 1e-9:
        levels.append(cap)
    out = []
    for s in levels:
        k = int(round(s * n_groups))
        if k > 0 and (not out or k > out[-1]):
            out.append(k)
    return out


def uniform(n_groups: int, sparsity: float) -> int:
    return int(round(sparsity * n_groups))


def _hull(xs: list[float], ys: list[float]) -> list[int]:
    """Indices of the lower convex hull of points sorted by x (monotone chain)."""
    hull: list[int] = []
    for i in range(len(xs)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (xs[b] - xs[a]) * (ys[i] - ys[a]) - (ys[b] - ys[a]) * (xs[i] - xs[a])
            if cross <= 0:  # b lies on or above the chord a-i
                hull.pop()
            else:
                break
        hull.append(i)
    return hull


def allocate(curves: dict[str, Curve], budget: float) -> dict[str, int]:
    """Groups to zero per layer so that the zeroed weights total ``budget`` (equal marginal error)."""
    segs = []  # (slope, order, layer, k_from, k_to, weights)
    for name, c in curves.items():
        xs = [k * c.weights_per_group for k in c.groups]
        ys = [max(e, 0.0) for e in c.errors]
        idx = _hull(xs, ys)
        for j, (a, b) in enumerate(zip(idx, idx[1:])):
            slope = (ys[b] - ys[a]) / max(xs[b] - xs[a], 1e-30)
            segs.append((slope, j, name, c.groups[a], c.groups[b], xs[b] - xs[a]))
    segs.sort(key=lambda s: (s[0], s[1], s[2]))
    out = {name: 0 for name in curves}
    left = float(budget)
    for slope, _, name, k0, k1, w in segs:
        if left <= 0:
            break
        if out[name] != k0:  # cannot happen with convex hulls; kept as a guard
            continue
        if w <= left:
            out[name], left = k1, left - w
        else:
            out[name] = k0 + int(round((k1 - k0) * left / w))
            left = 0.0
    return out
