"""Reduction IR ops: ReduceMean, ReduceSum, ReduceMax over a set of axes.

``axes`` is sorted, unique and non-negative (the frontend normalises it);
empty means every axis. ``keepdims`` 1 keeps reduced axes as size 1.
References accumulate in float64 and return float32.
"""
from __future__ import annotations

import numpy as np

from .registry import INT, INTS, ShapeError, op
from .shape_ops import int_attr, ints_attr


def reduced_axes(shape, attrs) -> tuple[int, ...]:
    """The axes a reduce node reduces, checked against the input rank."""
    axes = ints_attr(attrs, "axes")
    if axes != sorted(set(axes)):
        raise ShapeError(f"axes {axes} must be sorted and unique")
    for a in axes:
        if not 0 <= a < len(shape):
            raise ShapeError(f"axis {a} is out of range for input {list(shape)} (rank {len(shape)})")
    keepdims = int_attr(attrs, "keepdims")
    if keepdims not in (0, 1):
        raise ShapeError(f"keepdims must be 0 or 1, got {keepdims}")
    return tuple(axes) if axes else tuple(range(len(shape)))


def _infer(in_shapes, attrs):
    x = in_shapes[0]
    axes = reduced_axes(x, attrs)
    if attrs["keepdims"]:
        return [tuple(1 if i in axes else d for i, d in enumerate(x))]
    return [tuple(d for i, d in enumerate(x) if i not in axes)]


_REDUCE = {"ReduceMean": np.mean, "ReduceSum": np.sum, "ReduceMax": np.max}


def _register(name: str, fn) -> None:
    class Reduce:
        infer = staticmethod(_infer)

        @staticmethod
        def evaluate(inputs, attrs):
            x = np.asarray(inputs[0], dtype=np.float64)
            axes = reduced_axes(x.shape, attrs)
            y = fn(x, axis=axes, keepdims=bool(attrs["keepdims"]))
            return [np.asarray(y).astype(np.float32)]

    Reduce.__name__ = Reduce.__qualname__ = name
    op(name, attrs={"axes": (INTS, []), "keepdims": (INT, 1)})(Reduce)


for _name, _fn in _REDUCE.items():
    _register(_name, _fn)
