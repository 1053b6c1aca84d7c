"""Pools -> the ONNX ops of the same name (NCHW, explicit pads, no auto_pad)."""
from __future__ import annotations

from .registry import exporter


def _ints(values) -> list[int]:
    return [int(v) for v in values]


@exporter("GlobalAveragePool", "GlobalMaxPool")
def export_global_pool(ctx, node, attrs):
    ctx.add(node.op, [ctx.name(node.inputs[0])], [ctx.name(node.output)], node.name)


@exporter("AveragePool", "MaxPool")
def export_pool(ctx, node, attrs):
    extra = ({"count_include_pad": int(attrs["count_include_pad"])} if node.op == "AveragePool"
             else {"dilations": _ints(attrs["dilations"])})
    ctx.add(node.op, [ctx.name(node.inputs[0])], [ctx.name(node.output)], node.name,
            kernel_shape=_ints(attrs["kernel_shape"]), strides=_ints(attrs["strides"]), pads=_ints(attrs["pads"]),
            ceil_mode=int(attrs["ceil_mode"]), **extra)
