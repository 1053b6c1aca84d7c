"""Channel dependency analysis: which channels of a graph must be removed together.

Shared by ``group_prune`` (remove channels) and, later, ``rearrange`` (permute
them). The per-op rules live in ``channel_rules.py``; this file holds the data
model and the result object.

Model
-----
- A *tracked* activation value has **channel axes**: a tuple of its axes
  (major -> minor). The flattened index over those axes is the *channel
  element* ``e`` in ``[0, prod(sizes))``. Channel axes start at producers
  (Conv, ConvTranspose, Gemm, MatMul with constant weights) and propagate
  forward through the ops that keep channels apart. A value no rule tracks has
  no channel space (``None``).
- Every element of every tracked value gets a global id; ops that only move data
  (activations, Transpose, identity Reshape, ...) give their output the *same*
  ids as their input (an alias with new axes). A union-find over the ids joins
  elements that "must be removed together"; a *class* is one set of the union.
- Elements can be **barriers** (never removed): a class is a barrier as soon as
  one of its elements is. Graph outputs, unknown ops, channel-mixing ops
  without weights, and every doubt are barriers (never guess).
- A **param slice** is the part of a constant that belongs to one element:
  ``(node, input_index, axes, index)``, e.g. the output filter ``W[m]`` of a
  Conv, the input column ``W[:, c]`` of the next one, a BN's ``gamma[c]``, or an
  Add bias ``b[c]``. Removing a class removes all its param slices. Two elements
  that own the same slice of the same constant (shared weights) are unioned.
- A value whose channel space spans several axes (attention heads after a
  Reshape: axes (H, Dh)) is pruned by whole slices of its *major* axis: the
  elements sharing the major coordinate are unioned, so the removed set always
  factors into per-axis index lists (whole heads).
- A *space* is a connected set of values (values sharing a class); selection
  ranks and caps per space ("per layer").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..ir import Graph, Node, Value


@dataclass
class Track:
    """The channel space of one value: its channel axes and the first global element id."""

    value: Value
    axes: tuple[int, ...]
    sizes: tuple[int, ...]
    base: int

    @property
    def n(self) -> int:
        return int(np.prod(self.sizes, dtype=np.int64))

    @property
    def ids(self) -> range:
        return range(self.base, self.base + self.n)


@dataclass(frozen=True)
class ParamSlice:
    """``node.inputs[input_index]`` (a constant) at ``index`` on its ``axes`` belongs to one element.

    ``kind``: ``weight`` (Conv/ConvTranspose/Gemm/MatMul weights), ``bias``,
    ``bn_scale``, ``bn_bias``, ``bn_mean``, ``bn_var``, or ``const`` (a constant
    operand of an element-wise op, e.g. a separate Add bias).
    """

    node: Node
    input_index: int
    axes: tuple[int, ...]
    index: tuple[int, ...]
    kind: str

    @property
    def value(self) -> Value:
        return self.node.inputs[self.input_index]

    @property
    def key(self):
        return (id(self.node), self.input_index, self.axes, self.index)

    def describe(self) -> str:
        return f"{self.node.name}[in{self.input_index}] axes {list(self.axes)} index {list(self.index)} ({self.kind})"


@dataclass
class ChannelClass:
    """One set of coupled channel elements."""

    id: int
    elements: list[tuple[Value, int]]
    params: list[ParamSlice]
    barrier_reasons: list[str]
    space: int = -1

    @property
    def barrier(self) -> bool:
        return bool(self.barrier_reasons)

    @property
    def prunable(self) -> bool:
        return not self.barrier and bool(self.params)


@dataclass
class Space:
    """A connected set of values; its classes are ranked and capped together."""

    id: int
    name: str
    values: list[Value]
    classes: list[int] = field(default_factory=list)

    def prunable(self, analysis: "ChannelAnalysis") -> list[int]:
        return [c for c in self.classes if analysis.classes[c].prunable]


class ChannelBuilder:
    """Mutable state the op rules write into: tracks, unions, barriers, param slices."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.parent: list[int] = []
        self.tracks: dict[int, Track] = {}
        self.barrier: dict[int, str] = {}          # element id -> first reason
        self.slices: dict[int, list[ParamSlice]] = {}
        self._slice_owner: dict[tuple, int] = {}   # (id(const), axes, index) -> element

    # ---- union-find ------------------------------------------------------------
    def find(self, a: int) -> int:
        p = self.parent
        while p[a] != a:
            p[a] = p[p[a]]
            a = p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                ra, rb = rb, ra
            self.parent[ra] = rb

    # ---- tracks ------------------------------------------------------------------
    def track(self, v: Value | None) -> Track | None:
        return None if v is None else self.tracks.get(id(v))

    def _register(self, t: Track) -> Track:
        self.tracks[id(t.value)] = t
        if len(t.axes) > 1:  # whole slices of the major axis, so removals factor per axis
            minor = t.n // t.sizes[0]
            for e in range(t.n):
                if e % minor:
                    self.union(t.base + e, t.base + e - e % minor)
        return t

    def new_track(self, value: Value, axes) -> Track:
        axes = tuple(int(a) for a in axes)
        t = Track(value, axes, tuple(value.shape[a] for a in axes), len(self.parent))
        self.parent.extend(range(t.base, t.base + t.n))
        return self._register(t)

    def alias(self, value: Value, src: Track, axes) -> Track:
        """``value`` carries the same channel elements as ``src`` on ``axes`` (identity map)."""
        axes = tuple(int(a) for a in axes)
        sizes = tuple(value.shape[a] for a in axes)
        if int(np.prod(sizes, dtype=np.int64)) != src.n:
            raise AssertionError(f"alias of {src.value.name!r} onto {value.name!r}: sizes {sizes} vs {src.sizes}")
        return self._register(Track(value, axes, sizes, src.base))

    def union_tracks(self, a: Track, b: Track) -> None:
        if a.n != b.n:
            raise AssertionError(f"element-wise union of {a.value.name!r} ({a.n}) and {b.value.name!r} ({b.n})")
        if a.base != b.base:
            for i in range(a.n):
                self.union(a.base + i, b.base + i)

    # ---- barriers and params ---------------------------------------------------------
    def mark_barrier(self, t: Track | None, reason: str) -> None:
        if t is None:
            return
        for e in t.ids:
            self.barrier.setdefault(e, reason)

    def barrier_inputs(self, node: Node, reason: str) -> None:
        for v in node.inputs:
            self.mark_barrier(self.track(v), f"{node.op} {node.name!r}: {reason}")

    def add_slice(self, elem: int, node: Node, input_index: int, axes, index, kind: str) -> None:
        s = ParamSlice(node, input_index, tuple(int(a) for a in axes), tuple(int(i) for i in index), kind)
        self.slices.setdefault(elem, []).append(s)
        owner_key = (id(s.value), s.axes, s.index)
        owner = self._slice_owner.setdefault(owner_key, elem)
        if owner != elem:  # the same weights serve two elements: they go together
            self.union(owner, elem)

    def slice_track(self, t: Track, node: Node, input_index: int, const_axis: int, kind: str) -> None:
        """Element e of a single-axis track owns ``const[..., e, ...]`` on ``const_axis``."""
        for e in range(t.n):
            self.add_slice(t.base + e, node, input_index, (const_axis,), (e,), kind)


class ChannelAnalysis:
    """The result: classes of coupled channel elements, their param slices, spaces.

    ``classes[i]`` lists members ``(value, flat element)`` and param slices;
    ``prunable`` are the ids of classes that may be removed (no barrier and at
    least one param slice); ``spaces`` group classes for per-layer ranking.
    ``class_of(value)`` gives, per element of a tracked value, its class id.
    """

    def __init__(self, b: ChannelBuilder):
        self.graph = b.graph
        self.tracks = b.tracks
        roots: dict[int, int] = {}
        self._class_of_elem = np.empty(len(b.parent), dtype=np.int64)
        for e in range(len(b.parent)):
            r = b.find(e)
            self._class_of_elem[e] = roots.setdefault(r, len(roots))
        self.classes = [ChannelClass(i, [], [], []) for i in range(len(roots))]
        seen_slice: set = set()
        for e, slices in b.slices.items():
            c = self.classes[self._class_of_elem[e]]
            for s in slices:
                if s.key not in seen_slice:
                    seen_slice.add(s.key)
                    c.params.append(s)
        for e, reason in b.barrier.items():
            c = self.classes[self._class_of_elem[e]]
            if reason not in c.barrier_reasons:
                c.barrier_reasons.append(reason)
        for t in self.tracks.values():
            for i, cid in enumerate(self._class_of_elem[t.base:t.base + t.n]):
                self.classes[cid].elements.append((t.value, i))
        self.spaces = self._spaces()
        self.prunable = [c.id for c in self.classes if c.prunable]

    def _spaces(self) -> list[Space]:
        values = {id(t.value): t.value for t in self.tracks.values()}
        parent = {k: k for k in values}

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for c in self.classes:
            first = id(c.elements[0][0])
            for v, _ in c.elements:
                ra, rb = find(first), find(id(v))
                if ra != rb:
                    parent[rb] = ra
        order = {id(v): i for i, v in enumerate(self.graph.values())}
        groups: dict[int, list[Value]] = {}
        for k in sorted(values, key=lambda k: order.get(k, 0)):
            groups.setdefault(find(k), []).append(values[k])
        spaces = []
        for vals in groups.values():
            producers = [v.producer for v in vals if v.producer is not None]
            named = [p for p in producers if p.op in ("Conv", "ConvTranspose", "Gemm", "MatMul")]
            name = (named or producers)[0].name if producers else vals[0].name
            spaces.append(Space(len(spaces), name, vals))
        space_of = {id(v): s.id for s in spaces for v in s.values}
        for c in self.classes:
            c.space = space_of[id(c.elements[0][0])]
            spaces[c.space].classes.append(c.id)
        return spaces

    # ---- queries -------------------------------------------------------------------
    def track(self, v: Value) -> Track | None:
        return self.tracks.get(id(v))

    def class_of(self, v: Value) -> np.ndarray:
        """Class id of every channel element of ``v`` (flat, major -> minor over its channel axes)."""
        t = self.tracks[id(v)]
        return self._class_of_elem[t.base:t.base + t.n].copy()

    def describe(self) -> str:
        """Readable summary: spaces with their sizes, prunable counts, barrier reasons."""
        lines = [f"{len(self.spaces)} channel spaces, {len(self.classes)} classes, "
                 f"{len(self.prunable)} prunable"]
        for s in self.spaces:
            cls = [self.classes[c] for c in s.classes]
            n_prunable = sum(c.prunable for c in cls)
            vals = ", ".join(f"{v.name}{list(self.tracks[id(v)].axes)}" for v in s.values[:6])
            more = f", ... ({len(s.values)} values)" if len(s.values) > 6 else ""
            lines.append(f"space {s.id} '{s.name}': {len(cls)} classes, {n_prunable} prunable; values {vals}{more}")
            reasons: list[str] = []
            for c in cls:
                reasons += [r for r in c.barrier_reasons if r not in reasons]
            for r in reasons[:5]:
                lines.append(f"  barrier: {r}")
            if len(reasons) > 5:
                lines.append(f"  barrier: ... ({len(reasons) - 5} more reasons)")
            if not any(c.params for c in cls):
                lines.append("  no parameters to remove")
        return "\n".join(lines)


def analyze_channels(graph: Graph) -> ChannelAnalysis:
    """Run the per-op rules over ``graph`` (in topological order) and collect the classes."""
    from .channel_rules import apply_rule

    b = ChannelBuilder(graph)
    for node in graph.nodes:
        apply_rule(b, node)
    for v in graph.outputs:
        b.mark_barrier(b.track(v), f"graph output {v.name!r}")
    return ChannelAnalysis(b)
