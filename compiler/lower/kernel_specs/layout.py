"""Kernel specs of the layout family: ``transpose`` for every ``Transpose``.

Mirrors ``runtime_cpp/kernels/ops/layout_ops.cc`` (portable C++, no
micro-kernel rows: it runs on every target). The runtime merges dims that stay
adjacent and copies whole runs when the innermost dim does not move, else
transposes the two innermost output dims in blocks. No packing.
"""
from __future__ import annotations

from ...ir import Node
from . import KernelSpec, register


def _transpose_applies(node: Node) -> bool:
    return len(node.inputs) == 1 and node.inputs[0] is not None


register(KernelSpec(name="transpose", op="Transpose", requires=(), applies=_transpose_applies))
