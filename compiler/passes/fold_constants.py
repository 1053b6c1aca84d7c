"""Constant folding: a node whose inputs are all constants is evaluated now (with
the op's numpy reference) and replaced by a constant.

Guarantee: outputs unchanged. Nodes that produce a graph output are kept, so that
every output stays computed by the model under its own name.
"""
from __future__ import annotations

import numpy as np

from ..ir import Graph
from ..ir.ops import evaluate_node
from .manager import Pass


class FoldConstants(Pass):
    name = "fold_constants"

    def run(self, graph: Graph) -> bool:
        modified = False
        for node in list(graph.nodes):
            present = [v for v in node.inputs if v is not None]
            if not present or not all(v.is_const for v in present):
                continue
            if any(graph.is_output(o) for o in node.outputs):
                continue
            results = evaluate_node(node, [None if v is None else v.const for v in node.inputs])
            graph.remove_nodes([node])
            for out, arr in zip(node.outputs, results):
                const = graph.const(out.name + "_folded", np.asarray(arr, dtype=out.dtype))
                graph.replace_uses(out, const)
            modified = True
        return modified
