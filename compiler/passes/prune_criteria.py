"""Importance scores of channel classes for ``group_prune``: higher = more important.

Interface: ``score(analysis, graph, criterion, calibration=None) -> {class_id: float}``
for every prunable class of a ``ChannelAnalysis``. A criterion is a function
``(analysis, graph, calibration) -> dict`` registered in ``CRITERIA``; data-based
ones (Taylor, OBS) take calibration inputs the same way and plug in there.

Magnitude criteria (data-free):

- ``l1`` / ``l2``: for every weight tensor a class owns slices of (Conv /
  ConvTranspose / Gemm / MatMul weights, both the output filters of the producer
  and the input columns of the consumers), the slice's L1 / L2 norm divided by
  the mean slice norm of that tensor along the same axes; the class score is the
  sum over its slices. The per-tensor normalisation makes layers of different
  sizes and scales comparable, so the scores also serve global ranking. A class
  with no weight slices uses its other slices (biases, constants; never BN
  running statistics).
- ``bn_scale``: mean of |gamma[c]| / mean |gamma| over the BatchNormalization
  scales in the class (network slimming); a class without a BN scale falls back
  to ``l2``. Needs the graph before ``fold_batchnorm``.

Data-based criteria (calibration feeds when given, else the data-free BatchNorm
statistics of ``prune_moments``); all three look at what a channel does to its
*consumers* (``prune_consumers.find_consumers``: the Conv/Gemm/MatMul layers that
read the channel) and are normalised per consumer (divided by the mean score of
that consumer's classes), then summed over a class's consumers:

- ``activation``: the channel's mean activation energy E[x_c²] at the consumer
  input (mean² + variance).
- ``taylor``: the expected squared change of the consumer's pre-activation
  output when the channel is zeroed, ``E[x_c²] · Σ_taps ‖W[:, c, t]‖²`` — the
  activation-based first-order (Taylor) estimate of the output-reconstruction
  error (a loss gradient needs labels, which calibration data does not have);
  it is OBS with a diagonal H and no compensation.
- ``obs``: the OBS group saliency ½ tr(W_Q ((H⁻¹)_QQ)⁻¹ W_Qᵀ) of removing the
  class's columns Q with the compensation applied (``prune_obs``); H is the
  full im2col second moment from calibration data, or the channel model
  (mean² + diagonal variance, bias absorbs the mean) data-free.

A prunable class without a consumer (only depthwise layers read it before a
barrier) takes its ``l2`` score.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import numpy as np

from ..errors import CompileError
from ..ir import Graph
from .channel_space import ChannelAnalysis, ParamSlice

NOT_MAGNITUDE = ("bn_mean", "bn_var")


def _axis_norms(arr: np.ndarray, axes: tuple[int, ...], p: int) -> np.ndarray:
    """Norm of every slice of ``arr`` indexed on ``axes`` (shape: arr's dims on those axes)."""
    a = np.moveaxis(np.asarray(arr, dtype=np.float64), axes, tuple(range(len(axes))))
    a = a.reshape(a.shape[:len(axes)] + (-1,))
    return np.abs(a).sum(-1) if p == 1 else np.sqrt((a * a).sum(-1))


class _NormCache:
    def __init__(self, p: int):
        self.p = p
        self.cache: dict[tuple, tuple[np.ndarray, float]] = {}

    def __call__(self, s: ParamSlice) -> float:
        key = (id(s.node), s.input_index, s.axes)
        if key not in self.cache:
            norms = _axis_norms(s.value.const, s.axes, self.p)
            self.cache[key] = (norms, float(norms.mean()) if norms.size else 0.0)
        norms, mean = self.cache[key]
        return float(norms[s.index]) / mean if mean > 0 else 0.0


def _magnitude(analysis: ChannelAnalysis, p: int) -> dict[int, float]:
    norm = _NormCache(p)
    scores = {}
    for cid in analysis.prunable:
        params = analysis.classes[cid].params
        used = [s for s in params if s.kind == "weight"] or [s for s in params if s.kind not in NOT_MAGNITUDE]
        scores[cid] = sum(norm(s) for s in used)
    return scores


def l1(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    return _magnitude(analysis, 1)


def l2(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    return _magnitude(analysis, 2)


def bn_scale(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    norm = _NormCache(1)
    fallback = None
    scores = {}
    for cid in analysis.prunable:
        gammas = [s for s in analysis.classes[cid].params if s.kind == "bn_scale"]
        if gammas:
            scores[cid] = sum(norm(s) for s in gammas) / len(gammas)
        else:
            fallback = fallback or l2(analysis, graph)
            scores[cid] = fallback[cid]
    return scores


def _consumer_scores(con, w: np.ndarray, classes: list[int], stats, h, kind: str) -> dict[int, float]:
    from .prune_obs import class_saliencies

    if kind == "obs":
        return class_saliencies(con, w, classes, h, stats)
    energy = np.diag(stats.cov) + stats.mean ** 2
    if kind == "taylor":
        energy = energy * (w.reshape(w.shape[0], con.channels, con.taps) ** 2).sum(axis=(0, 2))
    per_class: dict[int, float] = defaultdict(float)
    for c, cid in enumerate(con.classes.tolist()):
        per_class[cid] += float(energy[c])
    return {cid: per_class[cid] for cid in classes}


def data_scores(analysis: ChannelAnalysis, graph: Graph, calibration, kind: str) -> dict[int, float]:
    """Scores of the data-based criteria (``activation``, ``taylor``, ``obs``), see the module docstring."""
    from .prune_calibration import activations, load_calibration
    from .prune_compensate import data_free_stats, full_moments
    from .prune_consumers import ChannelStats, find_consumers
    from .prune_moments import channel_moments

    prunable = set(analysis.prunable)
    cons = [c for c in find_consumers(analysis, graph) if prunable.intersection(c.classes.tolist())]
    feeds = None if calibration is None else load_calibration(calibration, graph)
    acts = activations(graph, feeds, [c.x for c in cons]) if feeds is not None and cons else None
    moments = channel_moments(graph) if feeds is None else None
    total: dict[int, float] = defaultdict(float)
    for con in cons:
        classes = sorted(prunable.intersection(con.classes.tolist()))
        h = None
        if acts is not None:
            x = acts[id(con.x)]
            stats = ChannelStats.from_samples(con.channel_samples(x))
            if kind == "obs" and con.full:
                h = full_moments(con, x)
        else:
            stats = data_free_stats(con, moments)
        got = _consumer_scores(con, con.w2(), classes, stats, h, kind)
        mean = float(np.mean(list(got.values()))) if got else 0.0
        for cid, v in got.items():
            total[cid] += v / mean if mean > 0 else v
    missing = [c for c in analysis.prunable if c not in total]
    if missing:
        fallback = l2(analysis, graph)
        total.update({c: fallback[c] for c in missing})
    return {c: float(total[c]) for c in analysis.prunable}


def activation(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    return data_scores(analysis, graph, calibration, "activation")


def taylor(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    return data_scores(analysis, graph, calibration, "taylor")


def obs(analysis: ChannelAnalysis, graph: Graph, calibration=None) -> dict[int, float]:
    return data_scores(analysis, graph, calibration, "obs")


CRITERIA: dict[str, Callable[..., dict[int, float]]] = {"l1": l1, "l2": l2, "bn_scale": bn_scale,
                                                        "activation": activation, "taylor": taylor, "obs": obs}


def score(analysis: ChannelAnalysis, graph: Graph, criterion: str = "l2", calibration=None) -> dict[int, float]:
    """Scores of every prunable class with ``criterion`` (see ``CRITERIA``)."""
    try:
        fn = CRITERIA[criterion]
    except KeyError:
        raise CompileError(f"unknown pruning criterion {criterion!r}; available: {', '.join(CRITERIA)}") from None
    return fn(analysis, graph, calibration)
