"""Whole-network channel rearrangement: a function-preserving permutation of channels chosen so
that the g-pattern of ``group_sparsity`` (G consecutive output channels x 1 input channel x
kernel) keeps more weight energy (after SparseByteNN's rearrangement and Pool & Yu's channel
permutations for N:M sparsity).

How
---
1. ``analyze_channels`` (``channel_space.py``, shared with ``group_prune``) gives the
   channel classes (elements that must move together) and spaces (connected sets).
2. A space is **permutable** only if nothing in it is a barrier (graph output, unknown op,
   channel-mixing op, ...), every class owns parameter slices, every sliced constant lies
   on one axis, and every reader of a sliced constant is covered by the space's slices
   (so re-ordering that constant changes nothing else). Anything else is skipped and the
   reason recorded in ``report``.
3. Within a space, classes may only trade places with classes of the same **signature**
   (same number of elements in every value, same number of slices of every constant
   axis): a Concat input's channels stay in that input, a Split output's in that output,
   a grouped conv moves whole groups, a depthwise channel with its multiplier rows.
   Moving class c to the place of class d gives element ``i`` of c (in index order) the
   position of element ``i`` of d, in every value and every parameter slice; the op rules
   that built the classes are exactly the couplings this relabelling must respect, so the
   graph computes the same function (tests/rearrange prove it on the zoo and the tricky
   graphs). Nothing is inserted: only constants are re-ordered (zero run-time cost).
4. Per signature group whose scoring layers (``group_sparsity``-eligible, not default-dense
   producers of the space) have one row per class in the same order, ``rearrange_search``
   finds the order (a step-bounded, seeded search); the identity is kept unless the exact kept
   energy rises.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..errors import CompileError
from ..ir import Graph, verify
from .channel_space import ChannelAnalysis, Space, analyze_channels
from .manager import Pass
from .rearrange_refine import clock
from .rearrange_search import search, step_plan
from .sparsity_groups import Layer, default_dense_reason, eligibility, group_size


@dataclass
class SpaceReport:
    space: int
    name: str
    classes: int
    status: str                          # "permuted", "unchanged: <why>" or "skipped: <reason>"
    moved: int = 0                       # classes that changed place
    layers: list[str] = field(default_factory=list)   # scoring producer layers
    kept_before: float = 0.0             # g-pattern kept energy of the scoring layers (squared weights)
    kept_after: float = 0.0
    seconds: float = 0.0
    cut: bool = False                    # the CPU-time safety net stopped its search early


def _space_reason(analysis: ChannelAnalysis, space: Space, users) -> str | None:
    """Why ``space`` cannot be permuted safely, or None."""
    cls = [analysis.classes[c] for c in space.classes]
    for c in cls:
        if c.barrier:
            return f"barrier: {c.barrier_reasons[0]}"
    if any(not c.params for c in cls):
        return "a channel class owns no parameters"
    covered: dict[int, set] = defaultdict(set)
    consts = {}
    for c in cls:
        for s in c.params:
            if len(s.axes) != 1:
                return f"constant slice on several axes: {s.describe()}"
            covered[id(s.value)].add((id(s.node), s.input_index))
            consts[id(s.value)] = s.value
    for vid, v in consts.items():
        if analysis.graph.is_output(v):
            return f"constant {v.name!r} is a graph output"
        for u in users.get(vid, []):
            for i, x in enumerate(u.inputs):
                if x is v and (id(u), i) not in covered[vid]:
                    return f"constant {v.name!r} is also read by {u.op} {u.name!r} outside this channel space"
    return None


def _class_layout(analysis: ChannelAnalysis, cid: int):
    """(signature, {const key: sorted indices}) of a class; key = (id(const), axis)."""
    c = analysis.classes[cid]
    counts: dict[int, int] = defaultdict(int)
    for v, _ in c.elements:
        counts[id(v)] += 1
    idx: dict[tuple, set] = defaultdict(set)
    for s in c.params:
        idx[(id(s.value), s.axes[0])].add(s.index[0])
    layout = {k: sorted(v) for k, v in idx.items()}
    sig = (tuple(sorted(counts.items())), tuple(sorted((k, len(v)) for k, v in layout.items())))
    return sig, layout


def _scoring_layers(graph: Graph, analysis: ChannelAnalysis, space: Space) -> list:
    """Producers of ``space`` that group_sparsity would sparsify by default: (node, output class per row)."""
    in_space = {id(v) for v in space.values}
    out = []
    for n in graph.nodes:
        if n.op in ("Conv", "Gemm", "MatMul") and n.outputs and id(n.output) in in_space \
                and eligibility(n) is None and default_dense_reason(n, graph) is None:
            t = analysis.track(n.output)
            axis = len(n.output.shape) - 1 if n.op == "MatMul" else 1
            if t is not None and t.axes == (axis,):
                out.append((n, analysis.class_of(n.output)))
    return out


def _row_energy(node, g: int) -> np.ndarray:
    """Squared weights of ``node`` per (output row, input channel) [M, C], kernel taps summed."""
    layer = Layer.of(node, g)
    w2 = layer.weights()
    return (w2 * w2).reshape(layer.rows, layer.channels, layer.taps).sum(axis=2)


@dataclass
class PermutableSpace:
    """A space proven safe to permute: its interchangeable class groups and per-class layouts."""

    space: Space
    groups: list[list[int]]            # class ids with one signature each, in element order
    layouts: dict[int, dict]           # class id -> {(id(const), axis): sorted indices}


def permutable_spaces(graph: Graph, analysis: ChannelAnalysis | None = None):
    """``(analysis, [PermutableSpace], {space id: skip reason})`` of ``graph``."""
    analysis = analysis or analyze_channels(graph)
    users = graph.consumers()
    ok, skipped = [], {}
    for space in analysis.spaces:
        reason = _space_reason(analysis, space, users)
        if reason:
            skipped[space.id] = reason
            continue
        layouts, groups = {}, defaultdict(list)
        for cid in space.classes:
            sig, layouts[cid] = _class_layout(analysis, cid)
            groups[sig].append(cid)
        ok.append(PermutableSpace(space, [g for g in groups.values() if len(g) > 1], layouts))
    return analysis, ok, skipped


class Rearrange(Pass):
    """Pass: permute the channels of every permutable space for ``pattern`` at ``sparsity``.

    Each search is bounded by a step count (``max_steps`` per search, default ``step_plan``: by
    the shapes of the model's searches, a fixed amount of work per model), so
    the result is fixed by ``seed`` and the weights. ``budget_s`` is a CPU-time safety net for
    the whole pass: when it cuts a search, ``cut`` is set and the space's status says so (only
    then can the result depend on the machine's speed). After ``run``, ``report`` holds one
    SpaceReport per space.
    """

    name = "rearrange"

    def __init__(self, sparsity: float, pattern: str = "g4", seed: int = 0, budget_s: float = 10.0,
                 max_steps: int | None = None):
        if not 0.0 <= float(sparsity) < 1.0:
            raise CompileError(f"rearrange: sparsity must be in [0, 1), got {sparsity}")
        if budget_s < 0:
            raise CompileError(f"rearrange budget must be >= 0 seconds, got {budget_s}")
        self.sparsity, self.g = float(sparsity), group_size(pattern)
        self.seed, self.budget_s, self.max_steps = int(seed), float(budget_s), max_steps
        self.report: list[SpaceReport] = []
        self.cut = False   # True if the CPU-time safety net stopped a search before its step bound

    def run(self, graph: Graph) -> bool:
        t0 = clock()
        analysis, spaces, skipped = permutable_spaces(graph)
        self.report = [SpaceReport(s.id, s.name, len(s.classes), "") for s in analysis.spaces]
        for sid, reason in skipped.items():
            self.report[sid].status = f"skipped: {reason}"
        jobs = []
        for ps in spaces:
            jobs += self._plan(graph, analysis, ps, self.report[ps.space.id])
        deadline = t0 + self.budget_s
        modified = False
        plan = step_plan([(n, d) for _, _, _, n, d, _ in jobs]) if self.max_steps is None \
            else [self.max_steps] * len(jobs)
        for (rep, cids, layouts, _, _, energies), steps in zip(jobs, plan):
            left = max(0.0, deadline - clock())
            order, info = search(energies, self.g, self.sparsity, seed=self.seed + rep.space, steps=steps,
                                 budget_s=left)
            if info["cut"]:
                self.cut = True
            rep.kept_before += info["kept_before"]
            rep.kept_after += info["kept_after"]
            rep.seconds += info.get("seconds", 0.0)
            rep.cut = rep.cut or info["cut"]
            moved = sum(1 for j, o in enumerate(order) if o != j)
            if moved:
                apply_permutation(graph, [cids[o] for o in order], cids, layouts)
                rep.moved += moved
                modified = True
                rep.status = "permuted"
            elif not rep.status:
                rep.status = f"unchanged: {info['status']}"
        for rep in self.report:
            if not rep.status:
                rep.status = "unchanged: no group of interchangeable sparsified channels"
        if modified:
            verify(graph)
        return modified

    def _plan(self, graph: Graph, analysis: ChannelAnalysis, ps: PermutableSpace, rep: SpaceReport) -> list:
        """Search jobs ``(report, classes in slot order, layouts, N, D, [energies])`` of one permutable space."""
        scoring = _scoring_layers(graph, analysis, ps.space)
        rep.layers = [n.name for n, _ in scoring]
        if not scoring:
            rep.status = "unchanged: no layer of this space is sparsified"
            return []
        jobs, why = [], []
        for cids in ps.groups:
            pos = {c: j for j, c in enumerate(cids)}
            layers = []
            for node, row_class in scoring:
                rows = [r for r, c in enumerate(row_class) if c in pos]
                if not rows:
                    continue
                if len(rows) != len(cids):
                    why.append(f"{node.name}: a channel class spans several rows (e.g. whole heads)")
                elif [pos[row_class[r]] for r in rows] != list(range(len(cids))) \
                        or rows != list(range(rows[0], rows[0] + len(cids))):
                    why.append(f"{node.name}: rows are not in the order of the channel classes")
                elif rows[0] % self.g:
                    why.append(f"{node.name}: the channels start inside a G-row block")
                else:
                    layers.append(_row_energy(node, self.g)[rows[0]:rows[0] + len(cids)])
                    continue
                layers = []
                break
            if layers:
                jobs.append((rep, cids, ps.layouts, len(cids), sum(e.shape[1] for e in layers), layers))
        if not jobs:
            rep.status = "unchanged: " + (why[0] if why else "no group of interchangeable sparsified channels")
        return jobs


def apply_permutation(graph: Graph, sources: list[int], dests: list[int], layouts: dict) -> None:
    """Move the contents of class ``sources[j]`` to the place of class ``dests[j]``, in every constant.

    ``layouts``: per class ``{(id(const), axis): sorted indices}`` (``_class_layout``); the
    classes in ``sources`` / ``dests`` have the same signature. Constants are re-ordered in
    place (every reader of each is inside the permuted space, checked by ``_space_reason``).
    """
    consts = {id(v): v for v in graph.values() if v.is_const}
    gathers: dict[tuple, np.ndarray] = {}
    for src, dst in zip(sources, dests):
        if src == dst:
            continue
        for key, dst_idx in layouts[dst].items():
            v = consts[key[0]]
            g = gathers.setdefault(key, np.arange(v.shape[key[1]]))
            g[dst_idx] = layouts[src][key]
    for (vid, axis), g in gathers.items():
        v = consts[vid]
        v.const = np.ascontiguousarray(np.take(v.const, g, axis=axis))


def rearrange(graph: Graph, sparsity: float, pattern: str = "g4", seed: int = 0,
              budget_s: float = 10.0) -> list[SpaceReport]:
    """Run the pass on ``graph`` in place; returns its per-space report."""
    p = Rearrange(sparsity, pattern, seed, budget_s)
    p.run(graph)
    return p.report
