"""Activations: the fused epilogue of Conv/ConvTranspose/Gemm/MatMul and the
parameterised activation ops (Relu, Sigmoid, Tanh, HardSwish, Clip, LeakyRelu,
HardSigmoid, Elu, Gelu).

Opset-dependent forms:

- ``HardSwish`` exists from opset 14; at 13 it is ``x · HardSigmoid(x; 1/6, 1/2)``;
- ``Gelu`` exists from opset 20; before, the erf form
  ``0.5·x·(1 + erf(x/√2))`` or the tanh form
  ``0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))``;
- ``silu`` has no ONNX op in opsets 13–21: ``x · Sigmoid(x)``.
"""
from __future__ import annotations

import math

from .registry import exporter


def emit_activation(ctx, kind: str, params, x: str, out: str, name: str) -> None:
    """Write ``activation(x)`` to tensor ``out``; the last node is named ``name``."""
    params = [float(p) for p in params]
    if kind == "none":
        ctx.add("Identity", [x], [out], name)
    elif kind in ("relu", "sigmoid", "tanh"):
        ctx.add(kind.capitalize(), [x], [out], name)
    elif kind == "clip":
        ctx.add("Clip", [x, ctx.scalar(params[0]), ctx.scalar(params[1])], [out], name)
    elif kind == "leaky_relu":
        ctx.add("LeakyRelu", [x], [out], name, alpha=params[0])
    elif kind == "hard_sigmoid":
        ctx.add("HardSigmoid", [x], [out], name, alpha=params[0], beta=params[1])
    elif kind == "hard_swish":
        _hard_swish(ctx, x, out, name)
    elif kind in ("gelu", "gelu_tanh"):
        _gelu(ctx, kind == "gelu_tanh", x, out, name)
    elif kind == "silu":
        s = ctx.fresh(f"{name}/sigmoid")
        ctx.add("Sigmoid", [x], [s], f"{name}/sigmoid")
        ctx.add("Mul", [x, s], [out], name)
    else:  # the IR verifier rejects unknown activations before export
        raise ValueError(f"unknown activation {kind!r}")


def _hard_swish(ctx, x: str, out: str, name: str) -> None:
    if ctx.opset >= 14:
        ctx.add("HardSwish", [x], [out], name)
        return
    h = ctx.fresh(f"{name}/hard_sigmoid")
    ctx.add("HardSigmoid", [x], [h], f"{name}/hard_sigmoid", alpha=1.0 / 6.0, beta=0.5)
    ctx.add("Mul", [x, h], [out], name)


def _gelu(ctx, tanh_form: bool, x: str, out: str, name: str) -> None:
    if ctx.opset >= 20:
        ctx.add("Gelu", [x], [out], name, approximate="tanh" if tanh_form else "none")
        return

    def step(op: str, a: str, b: str | None, what: str) -> str:
        t = ctx.fresh(f"{name}/{what}")
        ctx.add(op, [a] if b is None else [a, b], [t], f"{name}/{what}")
        return t

    if tanh_form:
        x3 = step("Mul", step("Mul", x, x, "x2"), x, "x3")
        inner = step("Add", x, step("Mul", x3, ctx.scalar(0.044715), "cubic"), "inner")
        core = step("Tanh", step("Mul", inner, ctx.scalar(math.sqrt(2.0 / math.pi)), "scaled"), None, "tanh")
    else:
        core = step("Erf", step("Div", x, ctx.scalar(math.sqrt(2.0)), "scaled"), None, "erf")
    half_x = step("Mul", x, ctx.scalar(0.5), "half_x")
    ctx.add("Mul", [half_x, step("Add", core, ctx.scalar(1.0), "one_plus")], [out], name)


def with_epilogue(ctx, node, attrs, op_type: str, inputs: list[str], **onnx_attrs) -> None:
    """``op_type`` then the node's fused activation, writing the node's output.

    Without an activation the ONNX node writes the IR output directly; with one it
    writes ``<output>/pre_activation`` and the activation node(s) follow."""
    out = ctx.name(node.output)
    kind = attrs["activation"]
    if kind == "none":
        ctx.add(op_type, inputs, [out], node.name, **onnx_attrs)
        return
    pre = ctx.fresh(f"{out}/pre_activation")
    ctx.add(op_type, inputs, [pre], node.name, **onnx_attrs)
    emit_activation(ctx, kind, attrs["activation_params"], pre, out, f"{node.name}/{kind}")


# ---- the activation ops ------------------------------------------------------------

_AS_EPILOGUE = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "HardSwish": "hard_swish"}


@exporter(*_AS_EPILOGUE)
def export_simple_activation(ctx, node, attrs):
    emit_activation(ctx, _AS_EPILOGUE[node.op], [], ctx.name(node.inputs[0]), ctx.name(node.output), node.name)


@exporter("Clip")
def export_clip(ctx, node, attrs):
    emit_activation(ctx, "clip", [attrs["min"], attrs["max"]], ctx.name(node.inputs[0]),
                    ctx.name(node.output), node.name)


@exporter("LeakyRelu", "Elu")
def export_alpha_activation(ctx, node, attrs):
    ctx.add(node.op, [ctx.name(node.inputs[0])], [ctx.name(node.output)], node.name, alpha=float(attrs["alpha"]))


@exporter("HardSigmoid")
def export_hard_sigmoid(ctx, node, attrs):
    emit_activation(ctx, "hard_sigmoid", [attrs["alpha"], attrs["beta"]], ctx.name(node.inputs[0]),
                    ctx.name(node.output), node.name)


@exporter("Gelu")
def export_gelu(ctx, node, attrs):
    kind = "gelu_tanh" if attrs["approximate"] == "tanh" else "gelu"
    emit_activation(ctx, kind, [], ctx.name(node.inputs[0]), ctx.name(node.output), node.name)
