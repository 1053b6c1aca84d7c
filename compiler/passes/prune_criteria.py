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
"""
from __future__ import annotations

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


CRITERIA: dict[str, Callable[..., dict[int, float]]] = {"l1": l1, "l2": l2, "bn_scale": bn_scale}


def score(analysis: ChannelAnalysis, graph: Graph, criterion: str = "l2", calibration=None) -> dict[int, float]:
    """Scores of every prunable class with ``criterion`` (see ``CRITERIA``)."""
    try:
        fn = CRITERIA[criterion]
    except KeyError:
        raise CompileError(f"unknown pruning criterion {criterion!r}; available: {', '.join(CRITERIA)}") from None
    return fn(analysis, graph, calibration)
