"""BatchNormalization (inference form), LayerNormalization and Softmax.

References compute in float64 and return float32. Axes are already normalised
by the frontend (non-negative, in range); ``infer`` rejects anything else.
"""
from __future__ import annotations

import numpy as np

from .registry import FLOAT, INT, REQUIRED, ShapeError, op


def _check_axis(axis: int, rank: int) -> int:
    axis = int(axis)
    if not 0 <= axis < rank:
        raise ShapeError(f"axis {axis} out of range for rank {rank} (axes must be normalised to 0..{rank - 1})")
    return axis


@op("BatchNormalization", attrs={"epsilon": (FLOAT, 1e-5)}, n_inputs=(5, 5))
class BatchNormalization:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        if x is None or len(x) < 2:
            raise ShapeError(f"X must have rank >= 2 ([N, C, ...]), got {None if x is None else list(x)}")
        c = int(x[1])
        for name, s in zip(("scale", "B", "mean", "var"), in_shapes[1:5]):
            if s is None or tuple(s) != (c,):
                raise ShapeError(f"{name} must have shape [{c}] (one per channel), got {None if s is None else list(s)}")
        if float(attrs["epsilon"]) < 0:
            raise ShapeError(f"epsilon must be >= 0, got {attrs['epsilon']}")
        return [tuple(x)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        scale, bias, mean, var = (np.asarray(a, dtype=np.float64).reshape(shape) for a in inputs[1:5])
        eps = float(np.float32(attrs["epsilon"]))
        y = (x - mean) / np.sqrt(var + eps) * scale + bias
        return [y.astype(np.float32)]


@op("LayerNormalization", attrs={"axis": (INT, REQUIRED), "epsilon": (FLOAT, 1e-5)}, n_inputs=(2, 3))
class LayerNormalization:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        if x is None or len(x) < 1:
            raise ShapeError("X must have rank >= 1")
        axis = _check_axis(attrs["axis"], len(x))
        norm = tuple(x[axis:])
        for name, s in (("Scale", in_shapes[1]), ("B", in_shapes[2] if len(in_shapes) > 2 else None)):
            if name == "Scale" and s is None:
                raise ShapeError("Scale is required")
            if s is not None and tuple(s) != norm:
                raise ShapeError(f"{name} must have shape X.shape[axis:] = {list(norm)}, got {list(s)}")
        if float(attrs["epsilon"]) < 0:
            raise ShapeError(f"epsilon must be >= 0, got {attrs['epsilon']}")
        return [tuple(x)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        axes = tuple(range(int(attrs["axis"]), x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + float(np.float32(attrs["epsilon"])))
        y = y * np.asarray(inputs[1], dtype=np.float64)
        if len(inputs) > 2 and inputs[2] is not None:
            y = y + np.asarray(inputs[2], dtype=np.float64)
        return [y.astype(np.float32)]


@op("Softmax", attrs={"axis": (INT, REQUIRED)})
class Softmax:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        if x is None or len(x) < 1:
            raise ShapeError("X must have rank >= 1")
        _check_axis(attrs["axis"], len(x))
        return [tuple(x)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        axis = int(attrs["axis"])
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return [(e / e.sum(axis=axis, keepdims=True)).astype(np.float32)]
