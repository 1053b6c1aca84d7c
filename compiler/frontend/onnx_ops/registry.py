"""The converter table: ONNX op type -> function(ctx, node) that emits IR.

A converter reads its inputs with ``ctx.inputs(node)``, attributes with
``ctx.attrs(node)``, constants with ``ctx.const(node, i, what)``, and emits IR
nodes with ``ctx.emit(...)``; the last value(s) it emits are bound to the ONNX
node's output names. It raises ``Unsupported`` for an attribute combination it
cannot express (the frontend lists those with the unsupported ops) and
``CompileError`` for a model that is malformed.

To add an op: write the converter in the category module and decorate it with
``@converter("OpType")``; the module is imported by ``onnx_ops/__init__.py``.
"""
from __future__ import annotations

from typing import Callable

CONVERTERS: dict[str, Callable] = {}


class Unsupported(Exception):
    """This node uses a form of a known op that sparsecc does not implement."""


def converter(*op_types: str):
    def deco(fn):
        for t in op_types:
            if t in CONVERTERS:
                raise RuntimeError(f"converter for {t} registered twice")
            CONVERTERS[t] = fn
        return fn

    return deco
