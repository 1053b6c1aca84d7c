"""BatchNormalization (inference form), LayerNormalization and Softmax.

LayerNormalization is an ONNX op from opset 17. Before, it is written out:
``d = x − mean(x)``, ``y = d / sqrt(mean(d²) + ε) · Scale (+ B)`` with ReduceMean
over the normalised axes (an attribute at opsets < 18)."""
from __future__ import annotations

from .registry import exporter


@exporter("BatchNormalization")
def export_batchnorm(ctx, node, attrs):
    ctx.add("BatchNormalization", [ctx.name(v) for v in node.inputs], [ctx.name(node.output)], node.name,
            epsilon=float(attrs["epsilon"]))


@exporter("Softmax")
def export_softmax(ctx, node, attrs):
    ctx.add("Softmax", [ctx.name(node.inputs[0])], [ctx.name(node.output)], node.name, axis=int(attrs["axis"]))


@exporter("LayerNormalization")
def export_layernorm(ctx, node, attrs):
    axis, eps = int(attrs["axis"]), float(attrs["epsilon"])
    inputs = [ctx.name(v) for v in node.inputs if v is not None]
    out = ctx.name(node.output)
    if ctx.opset >= 17:
        ctx.add("LayerNormalization", inputs, [out], node.name, axis=axis, epsilon=eps)
        return
    x, scale = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    axes = list(range(axis, len(node.inputs[0].shape)))

    def step(op: str, args: list[str], what: str, **kw) -> str:
        t = ctx.fresh(f"{node.name}/{what}")
        ctx.add(op, args, [t], f"{node.name}/{what}", **kw)
        return t

    mean = step("ReduceMean", [x], "mean", axes=axes, keepdims=1)  # opset < 17 here: axes is an attribute
    d = step("Sub", [x, mean], "centered")
    var = step("ReduceMean", [step("Mul", [d, d], "squared")], "variance", axes=axes, keepdims=1)
    std = step("Sqrt", [step("Add", [var, ctx.scalar(eps)], "variance_eps")], "std")
    normed = step("Div", [d, std], "normalized")
    if bias is None:
        ctx.add("Mul", [normed, scale], [out], node.name)
        return
    ctx.add("Add", [step("Mul", [normed, scale], "scaled"), bias], [out], node.name)
