"""Remove Identity nodes (ONNX Identity, Dropout and float->float Cast become Identity).

Guarantee: the graph computes the same outputs under the same names. An Identity
that gives a graph output its name is kept only when its input cannot take that
name (it is a graph input, a constant, or another graph output).
"""
from __future__ import annotations

from ..ir import Graph
from .manager import Pass


class EliminateIdentity(Pass):
    name = "eliminate_identity"

    def run(self, graph: Graph) -> bool:
        modified = False
        for node in list(graph.nodes):
            if node.op != "Identity":
                continue
            src, dst = node.inputs[0], node.outputs[0]
            if not graph.is_output(dst):
                graph.remove_nodes([node])
                graph.replace_uses(dst, src)
                modified = True
                continue
            producer = src.producer
            if src.is_const or producer is None or graph.is_output(src) \
                    or any(src is v for v in graph.inputs):
                continue
            # the producer writes straight into the output value
            graph.remove_nodes([node])
            graph.replace_uses(src, dst)
            producer.outputs = [dst if v is src else v for v in producer.outputs]
            dst.producer = producer
            modified = True
        return modified
