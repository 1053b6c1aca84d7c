"""Gemm and MatMul (+ the fused activation).

The IR Gemm is Y = X·Wᵀ + B with W[N, K]: ONNX Gemm with ``transB=1`` and B as C
(shape [N], broadcast over the rows)."""
from __future__ import annotations

from .activation import with_epilogue
from .registry import exporter


@exporter("Gemm")
def export_gemm(ctx, node, attrs):
    with_epilogue(ctx, node, attrs, "Gemm", [ctx.name(v) for v in node.inputs if v is not None], transB=1)


@exporter("MatMul")
def export_matmul(ctx, node, attrs):
    with_epilogue(ctx, node, attrs, "MatMul", [ctx.name(v) for v in node.inputs])
