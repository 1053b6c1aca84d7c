"""The exporter table: IR op -> function(ctx, node, attrs) that emits ONNX nodes.

``attrs`` is the node's attributes completed with the op schema's defaults
(compiler/ir/ops). An exporter must write every IR output under
``ctx.name(output)``; intermediate tensors get ``ctx.fresh(...)`` names and the
node that writes the IR output is named after the IR node. It raises
``CompileError`` when the node cannot be expressed at ``ctx.opset``.

To add an op: write the exporter in the category module (same names as the
frontend's ``onnx_ops``) and decorate it with ``@exporter("Op")``.
"""
from __future__ import annotations

from typing import Callable

EXPORTERS: dict[str, Callable] = {}


def exporter(*ops: str):
    def deco(fn):
        for op in ops:
            if op in EXPORTERS:
                raise RuntimeError(f"exporter for {op} registered twice")
            EXPORTERS[op] = fn
        return fn

    return deco
