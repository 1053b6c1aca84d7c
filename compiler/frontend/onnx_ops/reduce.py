"""ONNX converters for ReduceMean / ReduceSum / ReduceMax (opsets 11-21).

``axes`` is an attribute before opset 18 (ReduceSum: before 13) and an optional
constant input from then on. Axes are normalised (negative -> positive, sorted);
no axes means every axis, unless ``noop_with_empty_axes`` makes the node a copy.
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from .registry import converter
from .shape_ops import normalize_axes

# first opset in which axes moved from an attribute to an input
AXES_AS_INPUT = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18}


@converter("ReduceMean", "ReduceSum", "ReduceMax")
def convert_reduce(ctx, node):
    a = ctx.attrs(node)
    x = ctx.input(node, 0)
    if x is None:
        raise CompileError(f"{node.op_type} node {node.name!r}: input 0 is missing")
    if ctx.opset >= AXES_AS_INPUT[node.op_type]:
        arr = ctx.const(node, 1, "axes", optional=True)
        axes = [] if arr is None else [int(v) for v in np.asarray(arr).reshape(-1)]
    else:
        axes = [int(v) for v in a.get("axes", [])]
    keepdims = int(a.get("keepdims", 1))
    if not axes and int(a.get("noop_with_empty_axes", 0)):
        ctx.emit_for(node, "Identity", [x])
        return
    axes = normalize_axes(node, axes, len(x.shape))
    ctx.emit_for(node, node.op_type, [x], {"axes": axes, "keepdims": 1 if keepdims else 0})
