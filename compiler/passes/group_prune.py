"""Structured channel pruning (after SPA): remove whole channel classes, giving a smaller dense graph.

Three steps, each usable alone:

1. ``analyze_channels(graph)`` (``channel_space.py``) finds the classes of
   channels that must be removed together, and the barriers;
2. ``score(...)`` (``prune_criteria.py``) rates every prunable class and
   ``select(...)`` picks the classes to remove (local or global ranking);
3. ``apply_pruning(graph, analysis, removed)`` shrinks the values, slices every
   parameter of the removed classes and rewrites shape attributes.

Guarantee: the pruned graph verifies, and its outputs equal those of the dense
graph in which every parameter slice of the removed classes is set to zero
(exactly for Conv/Gemm/MatMul/BN/Add/Mul chains; an op that maps 0 to non-zero
inside a removed class, e.g. dividing by a removed constant, is the exception).
Graph inputs and outputs keep their shapes.

``GroupPrune`` runs before or after ``fold_batchnorm``: the ``bn_scale``
criterion needs the BatchNormalization nodes, so run it first when using that;
no other pass is required. The analysis is stale after ``apply_pruning``.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from ..errors import CompileError
from ..ir import Graph, verify
from .channel_space import ChannelAnalysis, analyze_channels
from .manager import Pass
from .prune_criteria import score


def _factor(mask: np.ndarray, what: str) -> list[np.ndarray]:
    """Per-axis kept indices of an n-D keep mask; error if the kept set is not a product."""
    kept = []
    for ax in range(mask.ndim):
        others = tuple(i for i in range(mask.ndim) if i != ax)
        kept.append(np.nonzero(mask.any(axis=others) if others else mask)[0])
    prod = np.ones([len(k) for k in kept], bool) if kept else np.ones((), bool)
    full = np.zeros_like(mask)
    full[np.ix_(*kept)] = prod
    if not np.array_equal(full, mask):
        raise CompileError(f"{what}: the kept channels do not factor into one index list per axis")
    return kept


def apply_pruning(graph: Graph, analysis: ChannelAnalysis, removed_classes) -> None:
    """Remove ``removed_classes`` (ids of prunable classes of ``analysis``) from ``graph`` in place."""
    removed = np.zeros(len(analysis.classes), bool)
    for c in removed_classes:
        if not 0 <= c < len(analysis.classes) or not analysis.classes[c].prunable:
            why = "unknown" if not 0 <= c < len(analysis.classes) else "not prunable"
            raise CompileError(f"cannot remove channel class {c}: {why}")
        removed[c] = True
    if not removed.any():
        return
    # 1. new shapes of tracked values
    new_shapes = {}
    for t in analysis.tracks.values():
        mask = ~removed[analysis.class_of(t.value)].reshape(t.sizes)
        kept = _factor(mask, f"value {t.value.name!r}")
        if any(len(k) == 0 for k in kept):
            raise CompileError(f"pruning would remove every channel of {t.value.name!r}")
        shape = list(t.value.shape)
        for a, k in zip(t.axes, kept):
            shape[a] = len(k)
        new_shapes[id(t.value)] = (t.value, tuple(shape))
    # 2. sliced parameters, one new constant per (node input, kept indices)
    per_input: dict[tuple, list] = defaultdict(list)
    for c in analysis.classes:
        for s in c.params:
            per_input[(id(s.node), s.input_index)].append((s, removed[c.id]))
    replacements, made = [], {}
    for items in per_input.values():
        node, i = items[0][0].node, items[0][0].input_index
        const = node.inputs[i]
        by_axes: dict[tuple, np.ndarray] = {}
        for s, rem in items:
            mask = by_axes.setdefault(s.axes, np.ones([const.shape[a] for a in s.axes], bool))
            if rem:
                mask[s.index] = False
        kept_axis: dict[int, np.ndarray] = {}
        for axes, mask in by_axes.items():
            for a, k in zip(axes, _factor(mask, f"constant {const.name!r} of node {node.name!r}")):
                if a in kept_axis and not np.array_equal(kept_axis[a], k):
                    raise CompileError(f"constant {const.name!r} of node {node.name!r}: two channel classes "
                                       f"disagree on axis {a}")
                kept_axis[a] = k
        if all(len(k) == const.shape[a] for a, k in kept_axis.items()):
            continue
        sig = (id(const),) + tuple((a, tuple(k.tolist())) for a, k in sorted(kept_axis.items()))
        if sig not in made:
            arr = const.const
            for a, k in sorted(kept_axis.items()):
                arr = np.take(arr, k, axis=a)
            made[sig] = graph.const(f"{const.name}_pruned", np.ascontiguousarray(arr))
        replacements.append((node, i, made[sig]))
    # 3. mutate: inputs, shapes, attributes
    for node, i, v in replacements:
        node.inputs[i] = v
    for v, shape in new_shapes.values():
        v.shape = shape
    _rewrite_attrs(graph)
    verify(graph)


def _rewrite_attrs(graph: Graph) -> None:
    """Attributes that restate shapes follow the new shapes."""
    for n in graph.nodes:
        if n.op == "Reshape":
            n.attrs["shape"] = list(n.output.shape)
        elif n.op == "Split":
            n.attrs["split"] = [o.shape[int(n.attrs["axis"])] for o in n.outputs]
        elif n.op in ("Slice", "Resize"):
            n.attrs["sizes"] = list(n.output.shape)
        elif n.op == "Conv" and int(n.attrs.get("group", 1)) > 1:
            n.attrs["group"] = n.inputs[0].shape[1] // n.inputs[1].shape[1]


# ---- selection ------------------------------------------------------------------------------
def _round_removal(n_total: int, r: int, n_prunable: int, round_to: int) -> int:
    """Largest removal <= r keeping a multiple of round_to (>= round_to) classes; 0 if none."""
    r = max(0, min(r, n_prunable, n_total - 1))
    while r > 0 and ((n_total - r) % round_to or n_total - r < round_to):
        r -= 1
    return r


class _Budget:
    """Tracks kept elements per value so no value loses its last channel."""

    def __init__(self, analysis: ChannelAnalysis):
        self.left = {id(t.value): t.n for t in analysis.tracks.values()}
        self.cost = {}
        for c in analysis.classes:
            counts: dict[int, int] = defaultdict(int)
            for v, _ in c.elements:
                counts[id(v)] += 1
            self.cost[c.id] = counts

    def take(self, cid: int) -> bool:
        cost = self.cost[cid]
        if any(self.left[v] - n < 1 for v, n in cost.items()):
            return False
        for v, n in cost.items():
            self.left[v] -= n
        return True


def select(analysis: ChannelAnalysis, scores: dict[int, float], ratio: float, mode: str = "local",
           round_to: int = 1, max_layer_ratio: float = 0.9) -> list[int]:
    """Ids of the classes to remove.

    ``local``: every space removes floor(ratio * its prunable classes), lowest
    scores first. ``global``: scores are divided by their space's mean score and
    the lowest ``ratio`` of all prunable classes go, at most ``max_layer_ratio``
    of any space's classes. In both, the kept class count of a space is rounded
    up to a multiple of ``round_to`` (fewer removed; a space smaller than
    ``round_to`` is left alone) and no value loses its last channel.
    """
    if not 0.0 <= ratio < 1.0:
        raise CompileError(f"pruning ratio must be in [0, 1), got {ratio}")
    if mode not in ("local", "global"):
        raise CompileError(f"selection mode must be 'local' or 'global', got {mode!r}")
    if round_to < 1:
        raise CompileError(f"round_to must be >= 1, got {round_to}")
    missing = [c for c in analysis.prunable if c not in scores]
    if missing:
        raise CompileError(f"no score for prunable channel classes {missing[:5]}")
    budget = _Budget(analysis)
    chosen: dict[int, list[int]] = defaultdict(list)
    if mode == "local":
        for s in analysis.spaces:
            cand = sorted(s.prunable(analysis), key=lambda c: (scores[c], c))
            want = min(math.floor(ratio * len(cand)), math.floor(max_layer_ratio * len(s.classes)))
            want = _round_removal(len(s.classes), want, len(cand), round_to)
            for c in cand:
                if len(chosen[s.id]) >= want:
                    break
                if budget.take(c):
                    chosen[s.id].append(c)
    else:
        norm = {}
        for s in analysis.spaces:
            cand = s.prunable(analysis)
            mean = float(np.mean([scores[c] for c in cand])) if cand else 0.0
            norm.update({c: scores[c] / mean if mean > 0 else scores[c] for c in cand})
        want = math.floor(ratio * len(analysis.prunable))
        cap = {s.id: math.floor(max_layer_ratio * len(s.classes)) for s in analysis.spaces}
        n = 0
        for c in sorted(norm, key=lambda c: (norm[c], c)):
            if n >= want:
                break
            sp = analysis.classes[c].space
            if len(chosen[sp]) < cap[sp] and budget.take(c):
                chosen[sp].append(c)
                n += 1
    out = []
    for sid, cls in chosen.items():  # chosen lists are in ascending score order: trim the top
        s = analysis.spaces[sid]
        r = _round_removal(len(s.classes), len(cls), len(cls), round_to)
        out += cls[:r]
    return sorted(out)


class GroupPrune(Pass):
    """Pass: analyse, score with ``criterion``, select ``ratio`` (local/global), compensate, apply.

    ``calibration``: input samples for the data-based criteria and the
    compensation (``prune_calibration.load_calibration``: an .npz path, a dict
    of arrays keyed by input name, or one array); None = data-free.
    ``compensate``: refit the consumers of removed channels before removing
    them (``prune_compensate``; Conv/Gemm consumers without a bias get one).
    After ``run`` the pass keeps ``analysis`` (of the graph before pruning),
    ``removed`` (class ids) and ``compensated`` (consumer names) for reports.
    """

    name = "group_prune"

    def __init__(self, ratio: float, criterion: str = "l2", mode: str = "local", round_to: int = 1,
                 max_layer_ratio: float = 0.9, calibration=None, compensate: bool = False):
        self.ratio, self.criterion, self.mode = ratio, criterion, mode
        self.round_to, self.max_layer_ratio, self.calibration = round_to, max_layer_ratio, calibration
        self.compensate = compensate
        self.analysis: ChannelAnalysis | None = None
        self.removed: list[int] = []
        self.compensated: list[str] = []

    def run(self, graph: Graph) -> bool:
        from .prune_calibration import load_calibration
        from .prune_compensate import add_zero_biases, compensate

        feeds = None if self.calibration is None else load_calibration(self.calibration, graph)
        added = add_zero_biases(graph) if self.compensate else 0
        self.analysis = analyze_channels(graph)
        scores = score(self.analysis, graph, self.criterion, feeds)
        self.removed = select(self.analysis, scores, self.ratio, self.mode, self.round_to, self.max_layer_ratio)
        if not self.removed:
            return added > 0
        if self.compensate:
            self.compensated = compensate(graph, self.analysis, self.removed, feeds)
        apply_pruning(graph, self.analysis, self.removed)
        return True
