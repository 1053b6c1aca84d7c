"""Static memory plan: one arena for all activations, offsets reused by liveness.

A tensor is live from the step that defines it (graph inputs: step −1) to the last
step that reads it (graph outputs: to the end). Tensors are placed largest first,
each at the lowest 64-byte-aligned offset that does not overlap a placed tensor
whose lifetime intersects its own (greedy by size, as TFLite's planner). The
runtime re-checks that live tensors never overlap.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..ir import Graph, Value

ALIGN = 64


def align(n: int, a: int = ALIGN) -> int:
    return (n + a - 1) // a * a


@dataclass
class MemoryPlan:
    offsets: dict[int, int]          # id(value) -> arena offset
    arena_size: int                  # peak bytes (aligned)
    naive_size: int                  # bytes without reuse (every activation its own slot)
    lifetimes: dict[int, tuple[int, int]]


def lifetimes(graph: Graph) -> dict[int, tuple[int, int]]:
    life: dict[int, list[int]] = {}
    end = len(graph.nodes)
    for v in graph.inputs:
        life[id(v)] = [-1, -1]
    for step, node in enumerate(graph.nodes):
        for v in node.inputs:
            if v is not None and not v.is_const:
                life[id(v)][1] = step
        for v in node.outputs:
            life[id(v)] = [step, step]
    for v in graph.outputs:
        if not v.is_const:
            life[id(v)][1] = end
    return {k: (a, b) for k, (a, b) in life.items()}


def plan_memory(graph: Graph) -> MemoryPlan:
    life = lifetimes(graph)
    values: dict[int, Value] = {id(v): v for v in graph.inputs}
    for node in graph.nodes:
        for v in node.outputs:
            values[id(v)] = v
    order = sorted(values, key=lambda k: (-values[k].nbytes, life[k][0]))
    placed: list[tuple[int, int, int, int]] = []  # (offset, size, start, end)
    offsets: dict[int, int] = {}
    for k in order:
        size = align(max(values[k].nbytes, 1))
        start, stop = life[k]
        busy = sorted((o, s) for o, s, a, b in placed if not (b < start or stop < a))
        offset = 0
        for o, s in busy:
            if offset + size <= o:
                break
            offset = max(offset, align(o + s))
        offsets[k] = offset
        placed.append((offset, size, start, stop))
    arena = max((o + s for o, s, _, _ in placed), default=0)
    naive = sum(align(max(v.nbytes, 1)) for v in values.values())
    return MemoryPlan(offsets, align(arena), naive, life)
