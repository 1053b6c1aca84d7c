"""ReduceMean / ReduceSum / ReduceMax.

``axes`` is an input for ReduceSum from opset 13 and for ReduceMean/ReduceMax from
opset 18; an attribute before. Empty IR axes (= every axis) is written as no axes
(ONNX's default ``noop_with_empty_axes=0`` then reduces every axis)."""
from __future__ import annotations

from .registry import exporter

AXES_INPUT_SINCE = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18}


@exporter(*AXES_INPUT_SINCE)
def export_reduce(ctx, node, attrs):
    axes = [int(a) for a in attrs["axes"]]
    inputs = [ctx.name(node.inputs[0])]
    extra = {}
    if axes and ctx.opset >= AXES_INPUT_SINCE[node.op]:
        inputs.append(ctx.ints(f"{node.name}/axes", axes))
    elif axes:
        extra["axes"] = axes
    ctx.add(node.op, inputs, [ctx.name(node.output)], node.name, keepdims=int(attrs["keepdims"]), **extra)
