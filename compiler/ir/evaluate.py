"""Run an IR graph with the numpy references of its ops (for tests and folding checks)."""
from __future__ import annotations

import numpy as np

from .graph import Graph
from .ops import evaluate_node


def run_graph(graph: Graph, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    env: dict[int, np.ndarray] = {}
    for v in graph.inputs:
        if v.name not in feeds:
            raise KeyError(f"missing input {v.name!r}")
        arr = np.asarray(feeds[v.name], dtype=np.float32)
        if arr.shape != v.shape:
            raise ValueError(f"input {v.name!r}: shape {list(arr.shape)}, expected {list(v.shape)}")
        env[id(v)] = arr

    def get(v):
        if v is None:
            return None
        return v.const if v.is_const else env[id(v)]

    for node in graph.nodes:
        outs = evaluate_node(node, [get(v) for v in node.inputs])
        for v, a in zip(node.outputs, outs):
            if tuple(a.shape) != tuple(v.shape):
                raise AssertionError(f"{node.op} {node.name!r}: numpy reference gave shape {list(a.shape)}, "
                                     f"IR says {list(v.shape)}")
            env[id(v)] = a.astype(np.float32, copy=False)
    return {v.name: get(v) for v in graph.outputs}
