"""ONNX BatchNormalization, LayerNormalization and Softmax -> IR.

- BatchNormalization: inference form only (``training_mode=1`` or named
  running-statistics outputs are Unsupported).
- LayerNormalization (opset 17): the axis is normalised; constant Scale/B that
  broadcast to X.shape[axis:] are expanded to that shape; the optional Mean and
  InvStdDev outputs are Unsupported.
- Softmax: opset >= 13 normalises along one axis; opset < 13 flattens X to 2-D
  at ``axis`` (default 1) and normalises each row, which is rewritten as
  Reshape -> Softmax(axis=1) -> Reshape unless ``axis`` is already the last one.
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from .registry import Unsupported, converter


def _no_extra_outputs(node, what: str) -> None:
    """The converters emit only the first output; a named extra output is Unsupported.

    (The converter cannot see whether a named output is read; a model that
    names it usually reads it.)"""
    if any(name for name in node.output[1:]):
        raise Unsupported(what)


def normalise_axis(node, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise CompileError(f"{node.op_type} node {node.name!r}: axis {axis} out of range for rank {rank}")
    return axis % rank


@converter("BatchNormalization")
def convert_batchnorm(ctx, node):
    at = ctx.attrs(node)
    if int(at.get("training_mode", 0)):
        raise Unsupported("training_mode=1")
    _no_extra_outputs(node, "training outputs (running mean/var)")
    ins = ctx.inputs(node)
    if len(ins) != 5 or any(v is None for v in ins):
        raise CompileError(f"BatchNormalization node {node.name!r}: needs 5 inputs (X, scale, B, mean, var)")
    ctx.emit_for(node, "BatchNormalization", ins, {"epsilon": float(at.get("epsilon", 1e-5))})


def _expand_param(ctx, node, i: int, norm_shape: tuple, what: str):
    """LayerNormalization Scale/B as a value of shape ``norm_shape``."""
    v = ctx.input(node, i)
    if v is None:
        return None
    if tuple(v.shape) == norm_shape:
        return v
    arr = ctx.const(node, i, f"{what} (when it is not of shape X.shape[axis:])")
    # drop leading 1-dims beyond the normalised rank, then broadcast
    while arr.ndim > len(norm_shape) and arr.shape[0] == 1:
        arr = arr.reshape(arr.shape[1:])
    try:
        if np.broadcast_shapes(arr.shape, norm_shape) != norm_shape:
            raise ValueError
    except ValueError:
        raise CompileError(f"LayerNormalization node {node.name!r}: {what} of shape {list(v.shape)} does not "
                           f"broadcast to X.shape[axis:] = {list(norm_shape)}") from None
    return ctx.new_const(f"{node.name}_{what}", np.broadcast_to(arr, norm_shape).astype(np.float32))


@converter("LayerNormalization")
def convert_layernorm(ctx, node):
    _no_extra_outputs(node, "the Mean/InvStdDev outputs")
    x = ctx.input(node, 0)
    at = ctx.attrs(node)
    axis = normalise_axis(node, int(at.get("axis", -1)), len(x.shape))
    norm_shape = tuple(x.shape[axis:])
    if ctx.input(node, 1) is None:
        raise CompileError(f"LayerNormalization node {node.name!r}: missing input 1 (Scale)")
    ctx.const(node, 1, "Scale")
    scale = _expand_param(ctx, node, 1, norm_shape, "Scale")
    bias = _expand_param(ctx, node, 2, norm_shape, "B")
    ins = [x, scale] + ([bias] if bias is not None else [])
    ctx.emit_for(node, "LayerNormalization", ins, {"axis": axis, "epsilon": float(at.get("epsilon", 1e-5))})


@converter("Softmax")
def convert_softmax(ctx, node):
    x = ctx.input(node, 0)
    rank = len(x.shape)
    if rank == 0:
        raise CompileError(f"Softmax node {node.name!r}: X must have rank >= 1")
    at = ctx.attrs(node)
    default = -1 if ctx.opset >= 13 else 1
    axis = normalise_axis(node, int(at.get("axis", default)), rank)
    if ctx.opset >= 13 or axis == rank - 1:
        ctx.emit_for(node, "Softmax", [x], {"axis": axis})
        return
    rows = int(np.prod(x.shape[:axis], dtype=np.int64))
    cols = int(np.prod(x.shape[axis:], dtype=np.int64))
    flat = ctx.emit("Reshape", [x], {"shape": [rows, cols]}, node=node)[0]
    y = ctx.emit("Softmax", [flat], {"axis": 1}, node=node)[0]
    ctx.emit_for(node, "Reshape", [y], {"shape": list(x.shape)})
