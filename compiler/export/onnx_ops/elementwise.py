"""Elementwise ops with a one-to-one ONNX op: the broadcasting binaries, the plain
unaries and Identity. (Activations with parameters or opset-dependent forms are in
``activation.py``.)"""
from __future__ import annotations

from .registry import exporter

BINARY = ("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min")
UNARY = ("Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Softplus", "Identity")


@exporter(*BINARY, *UNARY)
def export_same_name(ctx, node, attrs):
    ctx.add(node.op, [ctx.name(v) for v in node.inputs], [ctx.name(node.output)], node.name)
