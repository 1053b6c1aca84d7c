"""Fuse an activation into the epilogue of the Conv / ConvTranspose / Gemm / MatMul
that feeds it (attributes ``activation`` / ``activation_params``, docs/ir-ops.md).

Guarantee: outputs unchanged. Fused only when the producer has no activation yet
and the activation is the only reader of the producer's output.
"""
from __future__ import annotations

from ..ir import Graph
from .fusion import absorb_into_producer, fusable_producer
from .manager import Pass

PRODUCERS = ("Conv", "ConvTranspose", "Gemm", "MatMul")


def activation_of(node) -> tuple[str, list[float]] | None:
    """The epilogue form of an activation node, or None if it has none."""
    a = node.attrs
    simple = {"Relu": "relu", "Sigmoid": "sigmoid", "HardSwish": "hard_swish", "Tanh": "tanh"}
    if node.op in simple:
        return simple[node.op], []
    if node.op == "Clip":
        return "clip", [float(a.get("min", -3.4028234663852886e38)), float(a.get("max", 3.4028234663852886e38))]
    if node.op == "LeakyRelu":
        return "leaky_relu", [float(a.get("alpha", 0.01))]
    if node.op == "HardSigmoid":
        return "hard_sigmoid", [float(a.get("alpha", 0.2)), float(a.get("beta", 0.5))]
    if node.op == "Gelu":
        return ("gelu_tanh" if a.get("approximate", "none") == "tanh" else "gelu"), []
    return None


class FuseActivation(Pass):
    name = "fuse_activation"

    def run(self, graph: Graph) -> bool:
        modified = False
        users = graph.consumers()
        for act in list(graph.nodes):
            form = activation_of(act)
            if form is None:
                continue
            prod = fusable_producer(graph, act, users, PRODUCERS)
            if prod is None:
                continue
            prod.attrs["activation"], prod.attrs["activation_params"] = form[0], form[1]
            absorb_into_producer(graph, act, prod)
            modified = True
        return modified
