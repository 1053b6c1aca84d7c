"""Fold an inference BatchNormalization into the Conv / ConvTranspose / Gemm that feeds it.

With s = scale / sqrt(var + eps): W'[m] = W[m]·s[m] (per output channel m) and
b' = (b − mean)·s + beta. Guarantee: outputs unchanged up to float rounding.
Folded only when the producer's weights are constants, it has no fused
activation yet, and the BN is the only reader of its output.
"""
from __future__ import annotations

import numpy as np

from ..ir import Graph
from .fusion import absorb_into_producer, fusable_producer
from .manager import Pass

PRODUCERS = ("Conv", "ConvTranspose", "Gemm")


def _scaled_weight(op: str, w: np.ndarray, s: np.ndarray, group: int) -> np.ndarray:
    if op == "Conv":
        return w * s.reshape(-1, *([1] * (w.ndim - 1)))
    if op == "Gemm":  # W[N, K]: output channel n is row n
        return w * s[:, None]
    # ConvTranspose: W[C, M/group, kh, kw]; output channel m = g·(M/group) + j
    c, mg = w.shape[0], w.shape[1]
    wg = w.reshape(group, c // group, mg, *w.shape[2:])
    sg = s.reshape(group, 1, mg, *([1] * (w.ndim - 2)))
    return (wg * sg).reshape(w.shape)


class FoldBatchNorm(Pass):
    name = "fold_batchnorm"

    def run(self, graph: Graph) -> bool:
        modified = False
        users = graph.consumers()
        for bn in list(graph.nodes):
            if bn.op != "BatchNormalization":
                continue
            prod = fusable_producer(graph, bn, users, PRODUCERS)
            if prod is None:
                continue
            w, b = prod.inputs[1], prod.input(2)
            params = bn.inputs[1:5]
            if not w.is_const or (b is not None and not b.is_const) or not all(p.is_const for p in params):
                continue
            if prod.op == "Gemm" and len(bn.inputs[0].shape) != 2:
                continue
            gamma, beta, mean, var = (p.const.astype(np.float64) for p in params)
            s = gamma / np.sqrt(var + float(bn.attrs.get("epsilon", 1e-5)))
            bias = b.const.astype(np.float64) if b is not None else np.zeros_like(mean)
            new_w = _scaled_weight(prod.op, w.const.astype(np.float64), s, int(prod.attrs.get("group", 1)))
            new_b = (bias - mean) * s + beta
            prod.inputs[1] = graph.const(w.name + "_bn", new_w.astype(np.float32))
            bias_v = graph.const((b.name if b is not None else prod.name + "_bias") + "_bn", new_b.astype(np.float32))
            if len(prod.inputs) < 3:
                prod.inputs.append(bias_v)
            else:
                prod.inputs[2] = bias_v
            absorb_into_producer(graph, bn, prod)
            modified = True
        return modified
