"""``lower(..., tune=True)``: time the candidate kernels of a node on this host.

For a node where the cost model weighed dense against sparse, each candidate
(the dense kernel and every applicable ``spmm-g<G>``) runs the node alone
through the host runtime (a one-node model: same input shape, weights, attributes),
one thread, median of several runs; the fastest is kept. Results are cached in
memory per (node shape, attributes, weights' bytes, kernel), so identical layers
are timed once per process. Host target only (the caller checks).
"""
from __future__ import annotations

import hashlib
import time

import numpy as np

from ..ir import Graph, Node

_CACHE: dict[tuple, float] = {}
MIN_RUNS, MAX_RUNS, BUDGET_S = 5, 30, 0.05


def _key(node: Node, kernel: str) -> tuple:
    h = hashlib.sha1()
    for v in node.inputs:
        if v is not None and v.is_const:
            h.update(np.ascontiguousarray(v.const).tobytes())
    shapes = tuple(tuple(v.shape) if v is not None else None for v in node.inputs)
    return (node.op, shapes, repr(sorted(node.attrs.items())), h.hexdigest(), kernel)


def _one_node_graph(node: Node) -> Graph:
    g = Graph("tune")
    x = g.add_input("x", node.inputs[0].shape)
    ins = [x] + [None if v is None else g.const(v.name, v.const) for v in node.inputs[1:]]
    out = g.add_node(node.op, ins, [o.shape for o in node.outputs], dict(node.attrs), name=node.name)
    g.outputs = [out.outputs[0]]
    return g


def measure_ms(node: Node, kernel: str) -> float:
    """Median ms of ``node`` run alone with ``kernel`` ("ref" or a spec name) on this host."""
    key = _key(node, kernel)
    if key in _CACHE:
        return _CACHE[key]
    from sparsecc import _runtime

    from ..artifact import serialize
    from .plan import lower

    g = _one_node_graph(node)
    plan = lower(g, "host", kernels="ref") if kernel == "ref" else lower(g, "host", force={node.name: kernel})
    session = _runtime.Session(_runtime.Model.from_bytes(serialize(plan)), 1)
    feed = {"x": np.random.default_rng(0).standard_normal(node.inputs[0].shape).astype(np.float32)}
    session.run(feed)  # warm-up
    times: list[float] = []
    t_end = time.perf_counter() + BUDGET_S
    while len(times) < MIN_RUNS or (len(times) < MAX_RUNS and time.perf_counter() < t_end):
        t0 = time.perf_counter()
        session.run(feed)
        times.append((time.perf_counter() - t0) * 1e3)
    _CACHE[key] = float(np.median(times))
    return _CACHE[key]


def tune_choice(node: Node, graph: Graph, kernels: list[str], estimate_reason: str) -> tuple[str, str]:
    """(fastest kernel, reason) among ``kernels`` (the first is the dense one)."""
    del graph  # the node carries everything the one-node model needs
    ms = {k: measure_ms(node, k) for k in kernels}
    best = min(ms, key=ms.get)
    dense = kernels[0]
    if best == dense:
        other = min((k for k in kernels if k != dense), key=ms.get)
        return best, f"tuned dense: {ms[dense]:.3f} ms vs {other} {ms[other]:.3f} ms (est: {estimate_reason})"
    return best, f"tuned sparse {best}: {ms[best]:.3f} ms vs dense {ms[dense]:.3f} ms (est: {estimate_reason})"
