"""Kernel specs of the row-normalisation families: ``softmax`` for Softmax and
``layernorm`` for LayerNormalization.

Mirror ``runtime_cpp/kernels/ops/norm_ops.cc``: Softmax when every dim after
its axis is 1 (each softmax is one contiguous row; the usual last axis);
LayerNormalization over dims [axis, rank) (always contiguous) with Scale and
optional B of shape X.shape[axis:] (the frontend expands broadcastable ones)
and a single output. No packing. Notes: docs/kernels.md, "softmax / layernorm".
"""
from __future__ import annotations

from ...ir import Node
from . import KernelSpec, register


def _axis(node: Node, rank: int) -> int | None:
    axis = int(node.attrs.get("axis", rank - 1))
    return axis if 0 <= axis < rank else None


def softmax_applies(node: Node) -> bool:
    if len(node.inputs) != 1 or node.inputs[0] is None or set(node.attrs) - {"axis"}:
        return False
    shape = tuple(node.inputs[0].shape)
    axis = _axis(node, len(shape)) if shape else None
    return axis is not None and all(d == 1 for d in shape[axis + 1:])


def layernorm_applies(node: Node) -> bool:
    ins = node.inputs
    if not 2 <= len(ins) <= 3 or ins[0] is None or ins[1] is None or len(node.outputs) != 1:
        return False
    if set(node.attrs) - {"axis", "epsilon"} or not float(node.attrs.get("epsilon", 1e-5)) >= 0.0:
        return False
    shape = tuple(ins[0].shape)
    axis = _axis(node, len(shape)) if shape else None
    if axis is None:
        return False
    norm = shape[axis:]
    return tuple(ins[1].shape) == norm and (len(ins) < 3 or ins[2] is None or tuple(ins[2].shape) == norm)


register(KernelSpec(name="softmax", op="Softmax", requires=(("softmax", ""),), applies=softmax_applies))
register(KernelSpec(name="layernorm", op="LayerNormalization", requires=(("layernorm", ""),),
                    applies=layernorm_applies))
