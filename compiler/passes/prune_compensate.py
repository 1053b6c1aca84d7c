"""Weight compensation after channel selection: the consumers of removed channels are refitted.

``compensate(graph, analysis, removed, calibration=None)`` runs *before*
``apply_pruning`` and rewrites the weights (and biases) of every exact-linear
consumer (``prune_consumers.find_consumers``: Conv with group 1, Gemm, 2-D
MatMul whose data input is the pruned channel space itself) so that its
pre-activation output stays close to the dense one; ``apply_pruning`` then
slices the removed columns away. What is *not* compensated: depthwise/grouped
convs (they do not mix channels, so nothing can take over a removed channel),
the producers of removed channels, and consumers behind a barrier.

- **Data-free** (no calibration): statistics from ``prune_moments`` (BatchNorm);
  with that model the kept weights stay and each consumer's bias takes the
  removed channels' mean contribution (OBS with a diagonal H plus intercept).
- **Calibration**: the dense network gives the fit target (each consumer's
  dense input ``z``); then every parameter slice of the removed classes is set
  to zero, which makes the dense graph compute exactly what the pruned one
  will; consumers are refitted in graph order on their input ``z̃`` in this
  pruned network (``ridge_update``: the damped OBS closed form when z̃ = z),
  so later layers also correct the error of earlier ones.

``add_zero_biases(graph)`` gives every Conv/Gemm with constant weights and no
bias a zero bias, so the bias correction has somewhere to go; run it before
``analyze_channels``.
"""
from __future__ import annotations

import numpy as np

from ..ir import Graph
from .channel_space import ChannelAnalysis
from .prune_calibration import activations
from .prune_consumers import ChannelStats, Consumer, find_consumers
from .prune_moments import channel_moments
from .prune_obs import DEFAULT_DAMP, channel_update, ridge_update

CHUNK = 32        # samples per block when accumulating im2col second moments
MAX_ROWS = 8192   # im2col rows used for one second-moment matrix


def add_zero_biases(graph: Graph) -> int:
    """Append a zero bias to Conv/Gemm nodes with constant weights and none; returns how many."""
    n = 0
    for node in graph.nodes:
        if node.op in ("Conv", "Gemm") and len(node.inputs) == 2 and node.inputs[1].is_const \
                and not node.inputs[0].is_const:
            m = node.inputs[1].shape[0]
            node.inputs.append(graph.const(f"{node.name}_bias", np.zeros(m, dtype=node.inputs[1].dtype)))
            n += 1
    return n


def data_free_stats(con: Consumer, moments: dict) -> ChannelStats:
    """Channel statistics of the consumer's input from BN moments; identity (H = I) when unknown."""
    mv = moments.get(id(con.x))
    if mv is None or len(mv[0]) != con.channels:
        return ChannelStats(np.zeros(con.channels), np.eye(con.channels))
    return ChannelStats.from_moments(*mv)


def full_moments(con: Consumer, x: np.ndarray, x_new: np.ndarray | None = None):
    """Augmented E[z zᵀ] of ``x``, or with ``x_new`` (E[z̃ z̃ᵀ], E[z z̃ᵀ]), accumulated in chunks.

    At most ``MAX_ROWS`` feature rows are used (a seeded random subset of the
    im2col rows, the same rows for ``x`` and ``x_new``): enough to estimate a
    ``[D+1, D+1]`` matrix, and it bounds the cost on big calibration sets.
    """
    d = con.channels * con.taps + 1
    h, h_new, cross, rows = np.zeros((d, d)), np.zeros((d, d)), np.zeros((d, d)), 0
    rng = np.random.default_rng(0)
    per_sample = len(con.feature_matrix(x[:1]))
    keep = min(1.0, MAX_ROWS / max(per_sample * len(x), 1))
    for i in range(0, len(x), CHUNK):
        z = con.feature_matrix(x[i:i + CHUNK].astype(np.float32))  # float32 products, float64 sums
        pick = np.sort(rng.choice(len(z), max(1, int(round(keep * len(z)))), replace=False)) if keep < 1 else None
        if pick is not None:
            z = z[pick]
        rows += len(z)
        if x_new is None:
            h += (z.T @ z).astype(np.float64)
        else:
            zn = con.feature_matrix(x_new[i:i + CHUNK].astype(np.float32))
            if pick is not None:
                zn = zn[pick]
            h_new += (zn.T @ zn).astype(np.float64)
            cross += (z.T @ zn).astype(np.float64)
    if x_new is None:
        return h / rows
    return h_new / rows, cross / rows


def _channel_stats_pair(con: Consumer, x: np.ndarray, x_new: np.ndarray):
    a, b = con.channel_samples(x), con.channel_samples(x_new)
    old, new = ChannelStats.from_samples(a), ChannelStats.from_samples(b)
    cross = (a - old.mean).T @ (b - new.mean) / len(a)
    return old, new, cross


def zero_classes(analysis: ChannelAnalysis, class_ids) -> None:
    """Set every parameter slice of the classes to zero (BN variances to one) in the graph's constants."""
    for cid in class_ids:
        for s in analysis.classes[cid].params:
            arr = np.array(s.value.const, copy=True)
            idx = [slice(None)] * arr.ndim
            for a, i in zip(s.axes, s.index):
                idx[a] = i
            arr[tuple(idx)] = 1 if s.kind == "bn_var" else 0
            s.value.const = arr


def _refit(con: Consumer, graph: Graph, w: np.ndarray, bias, keep_ch: np.ndarray, x, x_new, damp: float) -> None:
    if con.full:
        h_new, cross = full_moments(con, x, x_new)
        if bias is None:  # no constant feature to fit
            h_new, cross = h_new[:-1, :-1], cross[:-1, :-1]
        keep = np.nonzero(np.isin(con.feature_channel(), keep_ch))[0]
        if bias is not None:
            keep = np.append(keep, w.shape[1])
            w = np.concatenate([w, bias[:, None]], axis=1)
        new = ridge_update(w, h_new, cross, keep, damp, con.channels * con.taps)
        con.set_weights(graph, new[:, :con.channels * con.taps] if bias is not None else new,
                        new[:, -1] if bias is not None else None)
    else:
        old, new_stats, cross = _channel_stats_pair(con, x, x_new)
        new_w, new_b = channel_update(w, bias, con.taps, old, new_stats, cross, keep_ch, damp)
        con.set_weights(graph, new_w, new_b)


def compensate(graph: Graph, analysis: ChannelAnalysis, removed, calibration: dict | None = None,
               damp: float = DEFAULT_DAMP) -> list[str]:
    """Refit the consumers of the ``removed`` classes in place (before ``apply_pruning``).

    ``calibration``: checked feeds (``load_calibration``) or None (data-free).
    Returns the names of the consumers whose weights changed.
    """
    mask = np.zeros(len(analysis.classes), bool)
    mask[list(removed)] = True
    if not mask.any():
        return []
    cons = find_consumers(analysis, graph)
    changed = []
    if calibration is None:
        moments = channel_moments(graph)
        for con in cons:
            keep_ch = np.nonzero(~mask[con.classes])[0]
            if len(keep_ch) == con.channels:
                continue
            st = data_free_stats(con, moments)
            w, b = con.w2(), con.bias()
            new_w, new_b = channel_update(w, b, con.taps, st, st, st.cov, keep_ch, damp)
            con.set_weights(graph, new_w, new_b)
            changed.append(con.node.name)
        return changed
    dense = activations(graph, calibration, [c.x for c in cons])
    weights = {id(c.node): (c.w2(), c.bias()) for c in cons}
    zero_classes(analysis, np.nonzero(mask)[0])
    current: dict[int, np.ndarray] = {}
    for con in cons:
        if id(con.x) not in current:
            current = activations(graph, calibration, [c.x for c in cons])
        x, x_new = dense[id(con.x)], current[id(con.x)]
        keep_ch = np.nonzero(~mask[con.classes])[0]
        if len(keep_ch) == con.channels and np.array_equal(x, x_new):
            continue
        w, b = weights[id(con.node)]
        _refit(con, graph, w, b, keep_ch, x, x_new, damp)
        changed.append(con.node.name)
        current = {}  # this consumer's outputs changed: later inputs must be recomputed
    return changed
