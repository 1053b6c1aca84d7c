"""Size limits the frontend enforces *before* allocating anything.

A model file stores at most 2^31 bytes per tensor (docs/model-format.md), so a
larger tensor can never run. The frontend checks every claimed size against
this limit up front: graph inputs (declared or given dims), initializers (the
dims they claim, before their data is read), nodes folded at import time (their
output shapes are inferred by onnx before they are evaluated) and every IR node
it emits. A hostile or broken model therefore fails fast with a message instead
of making the compiler allocate gigabytes.
"""
from __future__ import annotations

from ..errors import CompileError

MAX_TENSOR_BYTES = 1 << 31


def element_count(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def check_size(shape, itemsize: int, what: str) -> None:
    """CompileError naming ``what`` if ``shape`` has a negative dim or more than MAX_TENSOR_BYTES."""
    dims = [int(d) for d in shape]
    if any(d < 0 for d in dims):
        raise CompileError(f"{what}: shape {dims} has a negative dim")
    nbytes = element_count(dims) * int(itemsize)
    if nbytes > MAX_TENSOR_BYTES:
        raise CompileError(f"{what}: shape {dims} needs {nbytes:,} bytes, over the "
                           f"{MAX_TENSOR_BYTES:,}-byte limit of one tensor")


def check_nonempty(shape, what: str) -> None:
    """CompileError naming ``what`` if ``shape`` has a zero-size dim (empty tensors never run)."""
    if any(int(d) == 0 for d in shape):
        raise CompileError(f"{what}: shape {[int(d) for d in shape]} has a zero-size dim "
                           "(empty tensors are not supported)")
