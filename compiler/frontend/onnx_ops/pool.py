"""ONNX pools -> IR GlobalAveragePool, GlobalMaxPool, AveragePool, MaxPool.

Windowed pools are 2-D only; ``auto_pad`` becomes explicit pads (same rule as
Conv). AveragePool ``dilations`` other than 1 (opset 19) and MaxPool's Indices
output are Unsupported; ``storage_order`` only affects Indices and is ignored.
"""
from __future__ import annotations

from ...errors import CompileError
from .conv import spatial_ints, spatial_pads
from .registry import Unsupported, converter


@converter("GlobalAveragePool", "GlobalMaxPool")
def convert_global_pool(ctx, node):
    ctx.emit_for(node, node.op_type, [ctx.input(node, 0)])


def _pool_attrs(node, attrs: dict, x_shape, dilations) -> dict:
    if len(x_shape) != 4:
        raise Unsupported(f"only 2-D pools are supported (4-D NCHW input), got a {len(x_shape)}-D input")
    if "kernel_shape" not in attrs:
        raise CompileError(f"{node.op_type} node {node.name!r}: missing attribute kernel_shape")
    kernel = spatial_ints(node, attrs, "kernel_shape", [])
    strides = spatial_ints(node, attrs, "strides", [1, 1])
    k_eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilations)]
    pads = spatial_pads(node, attrs, x_shape[2:], k_eff, strides)
    return {"kernel_shape": kernel, "strides": strides, "pads": pads, "ceil_mode": int(attrs.get("ceil_mode", 0))}


@converter("AveragePool")
def convert_average_pool(ctx, node):
    x = ctx.input(node, 0)
    a = ctx.attrs(node)
    if len(x.shape) == 4 and spatial_ints(node, a, "dilations", [1, 1]) != [1, 1]:
        raise Unsupported("dilations other than 1")
    attrs = _pool_attrs(node, a, x.shape, [1, 1])
    attrs["count_include_pad"] = int(a.get("count_include_pad", 0))
    ctx.emit_for(node, "AveragePool", [x], attrs)


@converter("MaxPool")
def convert_max_pool(ctx, node):
    if any(name for name in node.output[1:]):
        raise Unsupported("the Indices output")
    x = ctx.input(node, 0)
    a = ctx.attrs(node)
    dilations = spatial_ints(node, a, "dilations", [1, 1]) if len(x.shape) == 4 else [1, 1]
    attrs = _pool_attrs(node, a, x.shape, dilations)
    attrs["dilations"] = dilations
    ctx.emit_for(node, "MaxPool", [x], attrs)
