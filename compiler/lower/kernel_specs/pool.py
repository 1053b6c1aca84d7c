"""Kernel spec of the pooling family: kernel ``pool`` for MaxPool and AveragePool.

Mirrors ``runtime_cpp/kernels/ops/pool_ops.cc``, which runs every 2-D window
the reference kernel runs: 4-D NCHW input, any kernel_shape / strides (>= 1),
pads in [0, effective kernel), MaxPool dilations, ceil_mode and
count_include_pad 0 or 1. A node outside that (which the frontend does not
produce) stays on ``ref``. No packing. Notes: docs/kernels.md, "pool".
"""
from __future__ import annotations

from ...ir import Node
from . import KernelSpec, register

_LIMIT = 1 << 31
_KNOWN = {"MaxPool": {"kernel_shape", "strides", "pads", "ceil_mode", "dilations"},
          "AveragePool": {"kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad"}}


def _ints(node: Node, key: str, n: int, default) -> list[int] | None:
    v = node.attrs.get(key, default)
    if v is None:
        return None
    v = [int(x) for x in v]
    return v if len(v) == n else None


def pool_applies(node: Node) -> bool:
    """True if the ``pool`` kernel's prepare accepts ``node`` (same checks)."""
    if len(node.inputs) != 1 or node.inputs[0] is None or len(node.inputs[0].shape) != 4:
        return False
    if not set(node.attrs) <= _KNOWN[node.op]:
        return False
    k = _ints(node, "kernel_shape", 2, None)
    s = _ints(node, "strides", 2, [1, 1])
    pads = _ints(node, "pads", 4, [0, 0, 0, 0])
    d = _ints(node, "dilations", 2, [1, 1])
    if k is None or s is None or pads is None or d is None:
        return False
    if int(node.attrs.get("ceil_mode", 0)) not in (0, 1) or int(node.attrs.get("count_include_pad", 0)) not in (0, 1):
        return False
    if any(not 1 <= v <= _LIMIT for v in k + s + d):
        return False
    h, w = node.inputs[0].shape[2:]
    for i, size in enumerate((h, w)):
        k_eff = d[i] * (k[i] - 1) + 1
        p0, p1 = pads[i], pads[i + 2]
        if not (0 <= p0 < k_eff and 0 <= p1 < k_eff) or size + p0 + p1 < k_eff:
            return False
    return True


for _op in ("MaxPool", "AveragePool"):
    register(KernelSpec(name="pool", op=_op, requires=(("pool", ""),), applies=pool_applies))
