"""Order the ONNX nodes so that every tensor is defined before it is read.

ONNX requires nodes in topological order, but some exporters (and hand-edited
models) do not keep it; onnxruntime accepts such graphs, so the frontend sorts
them (stably: an already sorted graph keeps its order). What cannot be sorted is
reported by name: a tensor written by two nodes (or by a node and a graph
input/initializer), an initializer or graph input defined twice, and a cycle,
with the nodes on it.
"""
from __future__ import annotations

import heapq

import onnx

from ..errors import CompileError


def _label(node: onnx.NodeProto, i: int) -> str:
    return node.name or f"{node.op_type}_{i}"


def topological_order(graph: onnx.GraphProto) -> list[int]:
    """Indices of ``graph.node`` in an order where producers come before readers."""
    nodes = list(graph.node)
    for kind, names in (("initializer", [i.name for i in graph.initializer]),
                        ("graph input", [vi.name for vi in graph.input])):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise CompileError(f"{kind} {name!r} is defined twice")
            seen.add(name)
    outer = {i.name for i in graph.initializer} | {vi.name for vi in graph.input}
    producer: dict[str, int] = {}
    for i, node in enumerate(nodes):
        for name in node.output:
            if not name:
                continue
            if name in producer:
                j = producer[name]
                raise CompileError(f"tensor {name!r} is written by two nodes, {_label(nodes[j], j)!r} and "
                                   f"{_label(node, i)!r} (ONNX tensors are assigned once)")
            if name in outer:
                raise CompileError(f"node {_label(node, i)!r} writes {name!r}, which is already a graph input "
                                   "or initializer")
            producer[name] = i
    deps = [sorted({producer[n] for n in node.input if n in producer}) for node in nodes]
    users: list[list[int]] = [[] for _ in nodes]
    for i, ds in enumerate(deps):
        for d in ds:
            users[d].append(i)
    missing = [len(ds) for ds in deps]
    ready = [i for i, m in enumerate(missing) if m == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for u in users[i]:
            missing[u] -= 1
            if missing[u] == 0:
                heapq.heappush(ready, u)
    if len(order) < len(nodes):
        raise CompileError(f"the graph has a cycle through nodes {_cycle(nodes, deps, set(order))}")
    return order


def _cycle(nodes, deps, done: set[int]) -> list[str]:
    """Names of the nodes on one cycle among the nodes that could not be ordered."""
    start = min(i for i in range(len(nodes)) if i not in done)
    seen: dict[int, int] = {}
    path = []
    i = start
    while i not in seen:  # every unordered node has an unordered dependency: walk them until one repeats
        seen[i] = len(path)
        path.append(i)
        i = next(d for d in deps[i] if d not in done)
    return [_label(nodes[j], j) for j in reversed(path[seen[i]:])]
