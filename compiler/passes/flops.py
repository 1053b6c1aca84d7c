"""Cost counts of an IR graph: multiply-accumulates (MACs) and parameter counts.

Only the layers that dominate compute are counted as MACs: Conv, ConvTranspose,
Gemm and MatMul (one MAC = one multiply + one add; FLOPs ~ 2 x MACs). Biases,
activations, pools and element-wise ops are not counted. Parameters are the
elements of the constants a node reads (each constant counted once per graph).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import Graph, Node

LAYER_OPS = ("Conv", "ConvTranspose", "Gemm", "MatMul")


def _prod(xs) -> int:
    return int(np.prod(list(xs), dtype=np.int64))


def node_macs(node: Node) -> int:
    """MACs of one node from its IR shapes (0 for ops that are not counted)."""
    if node.op == "Conv":
        w = node.inputs[1].shape  # [M, C/group, kh, kw]
        return _prod(node.output.shape) * _prod(w[1:])
    if node.op == "ConvTranspose":
        x, w = node.inputs[0].shape, node.inputs[1].shape  # X [N, C, H, W], W [C, M/group, kh, kw]
        return _prod(x) * _prod(w[1:])
    if node.op == "Gemm":
        return _prod(node.output.shape) * node.inputs[0].shape[1]
    if node.op == "MatMul":
        return _prod(node.output.shape) * node.inputs[0].shape[-1]
    return 0


def node_params(node: Node) -> int:
    return sum(v.size for v in {id(v): v for v in node.inputs if v is not None and v.is_const}.values())


def graph_macs(graph: Graph) -> int:
    return sum(node_macs(n) for n in graph.nodes)


def graph_params(graph: Graph) -> int:
    consts = {id(v): v for n in graph.nodes for v in n.inputs if v is not None and v.is_const}
    return sum(v.size for v in consts.values() if np.issubdtype(v.dtype, np.floating))


@dataclass
class LayerStats:
    name: str
    op: str
    channels: int     # output channels (Conv/ConvTranspose/Gemm: axis 1; MatMul: last axis)
    params: int
    macs: int


def layer_stats(graph: Graph) -> dict[str, LayerStats]:
    """Per layer node (Conv, ConvTranspose, Gemm, MatMul), keyed by node name, in graph order."""
    out = {}
    for n in graph.nodes:
        if n.op in LAYER_OPS:
            ch = n.output.shape[-1] if n.op == "MatMul" else n.output.shape[1]
            out[n.name] = LayerStats(n.name, n.op, int(ch), node_params(n), node_macs(n))
    return out
