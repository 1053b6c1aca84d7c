"""ONNX converters for elementwise ops (opsets 11-21).

Binary ops map 1:1 to IR ops; the variadic Max/Min/Sum/Mean become a chain of
binary IR nodes. Unary activations map 1:1, Clip's optional min/max inputs
become attributes, and Identity/Dropout/float->float Cast become IR Identity.
Constant is folded by the driver; its converter exists so the table is complete.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from ...errors import CompileError
from ...ir.ops.elementwise import FLT_MAX
from .registry import Unsupported, converter


def float_inputs(ctx, node) -> list:
    """The node's inputs, with integer/double constants cast to float32 (IR tensors are float32)."""
    out = []
    for i, v in enumerate(ctx.inputs(node)):
        if v is None:
            raise CompileError(f"{node.op_type} node {node.name!r}: input {i} is missing")
        if v.dtype != np.float32:
            if not v.is_const:
                raise Unsupported(f"input {i} has dtype {v.dtype.name} at run time")
            v = ctx.new_const(f"{node.name}_in{i}_f32", v.const.astype(np.float32))
        out.append(v)
    return out


# ---- binary and variadic -----------------------------------------------------------

@converter("Add", "Sub", "Mul", "Div", "Pow")
def convert_binary(ctx, node):
    a, b = float_inputs(ctx, node)
    ctx.emit_for(node, node.op_type, [a, b])


def _chain(ctx, node, op: str, values: list):
    """values[0] op values[1] op ...; the last IR node gets the ONNX output name."""
    if not values:
        raise CompileError(f"{node.op_type} node {node.name!r} has no inputs")
    if len(values) == 1:
        return ctx.emit_for(node, "Identity", values)
    acc = values[0]
    for k, v in enumerate(values[1:-1]):
        acc = ctx.emit(op, [acc, v], node=node, name=f"{node.name}_{op.lower()}{k}")[0]
    return ctx.emit_for(node, op, [acc, values[-1]])


@converter("Max", "Min")
def convert_max_min(ctx, node):
    _chain(ctx, node, node.op_type, float_inputs(ctx, node))


@converter("Sum")
def convert_sum(ctx, node):
    _chain(ctx, node, "Add", float_inputs(ctx, node))


@converter("Mean")
def convert_mean(ctx, node):
    values = float_inputs(ctx, node)
    if len(values) == 1:
        ctx.emit_for(node, "Identity", values)
        return
    acc = values[0]
    for k, v in enumerate(values[1:]):
        acc = ctx.emit("Add", [acc, v], node=node, name=f"{node.name}_add{k}")[0]
    n = ctx.new_const(f"{node.name}_count", np.array(len(values), dtype=np.float32))
    ctx.emit_for(node, "Div", [acc, n])


# ---- unary ----------------------------------------------------------------------

UNARY = ("Relu", "Sigmoid", "HardSwish", "Tanh", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs",
         "Reciprocal", "Softplus")


@converter(*UNARY)
def convert_unary(ctx, node):
    ctx.emit_for(node, node.op_type, float_inputs(ctx, node)[:1])


@converter("LeakyRelu")
def convert_leaky_relu(ctx, node):
    alpha = float(ctx.attrs(node).get("alpha", 0.01))
    ctx.emit_for(node, "LeakyRelu", float_inputs(ctx, node)[:1], {"alpha": alpha})


@converter("HardSigmoid")
def convert_hard_sigmoid(ctx, node):
    a = ctx.attrs(node)
    attrs = {"alpha": float(a.get("alpha", 0.2)), "beta": float(a.get("beta", 0.5))}
    ctx.emit_for(node, "HardSigmoid", float_inputs(ctx, node)[:1], attrs)


@converter("Elu")
def convert_elu(ctx, node):
    alpha = float(ctx.attrs(node).get("alpha", 1.0))
    ctx.emit_for(node, "Elu", float_inputs(ctx, node)[:1], {"alpha": alpha})


@converter("Gelu")
def convert_gelu(ctx, node):
    approximate = ctx.attrs(node).get("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise CompileError(f"Gelu node {node.name!r}: approximate must be 'none' or 'tanh', got {approximate!r}")
    ctx.emit_for(node, "Gelu", float_inputs(ctx, node)[:1], {"approximate": approximate})


def _bound(ctx, node, i: int, what: str, default: float) -> float:
    arr = ctx.const(node, i, what, optional=True)
    if arr is None:
        return default
    if arr.size != 1:
        raise CompileError(f"Clip node {node.name!r}: {what} must be a scalar, got shape {list(arr.shape)}")
    v = float(arr.reshape(()))
    if np.isnan(v):
        raise CompileError(f"Clip node {node.name!r}: {what} is NaN")
    return float(np.clip(v, -FLT_MAX, FLT_MAX))


@converter("Clip")
def convert_clip(ctx, node):
    x = ctx.input(node, 0)
    if x is None:
        raise CompileError(f"Clip node {node.name!r}: input 0 is missing")
    lo = _bound(ctx, node, 1, "min", -FLT_MAX)
    hi = _bound(ctx, node, 2, "max", FLT_MAX)
    ctx.emit_for(node, "Clip", [x], {"min": lo, "max": hi})


# ---- copies -----------------------------------------------------------------------

@converter("Identity")
def convert_identity(ctx, node):
    ctx.emit_for(node, "Identity", float_inputs(ctx, node)[:1])


@converter("Dropout")
def convert_dropout(ctx, node):
    """Inference-mode Dropout is a copy; its mask (all True) may be bound but not used."""
    if len(node.input) > 2 and node.input[2]:
        training = ctx.const(node, 2, "training_mode")
        if bool(np.asarray(training).reshape(-1)[0]):
            raise Unsupported("Dropout in training mode")
    x = ctx.input(node, 0)
    if x is None:
        raise CompileError(f"Dropout node {node.name!r}: input 0 is missing")
    mask = node.output[1] if len(node.output) > 1 else ""
    if mask and mask in ctx.used_names:
        raise Unsupported("Dropout mask output is used")
    ctx.emit(  # only the data output is bound to an ONNX name
        "Identity", [x], node=node, out_names=[node.output[0]])
    if mask:
        ctx.bind_const(mask, np.broadcast_to(np.array(True), x.shape))


_TYPE_NAMES = {v: k for k, v in onnx.TensorProto.DataType.items()}


def _cast(ctx, node, to: int):
    x = ctx.input(node, 0)
    if x is None:
        raise CompileError(f"{node.op_type} node {node.name!r}: input 0 is missing")
    if to != onnx.TensorProto.FLOAT:
        raise Unsupported(f"Cast to {_TYPE_NAMES.get(to, to)} of a run-time tensor")
    if x.dtype != np.float32:
        raise Unsupported(f"Cast of a run-time {x.dtype.name} tensor")
    ctx.emit_for(node, "Identity", [x])


@converter("Cast")
def convert_cast(ctx, node):
    _cast(ctx, node, int(ctx.attrs(node).get("to", 0)))


@converter("CastLike")
def convert_cast_like(ctx, node):
    target = ctx.input(node, 1)
    if target is None:
        raise CompileError(f"CastLike node {node.name!r}: input 1 (target_type) is missing")
    _cast(ctx, node, int(onnx.helper.np_dtype_to_tensor_dtype(target.dtype)))


@converter("Constant")
def convert_constant(ctx, node):
    a = ctx.attrs(node)
    if "value" in a:
        arr = numpy_helper.to_array(a["value"])
    elif "value_float" in a:
        arr = np.array(a["value_float"], dtype=np.float32)
    elif "value_floats" in a:
        arr = np.array(a["value_floats"], dtype=np.float32)
    elif "value_int" in a:
        arr = np.array(a["value_int"], dtype=np.int64)
    elif "value_ints" in a:
        arr = np.array(a["value_ints"], dtype=np.int64)
    else:
        raise Unsupported(f"Constant with attribute(s) {sorted(a)}")
    ctx.bind_const(node.output[0], arr)
