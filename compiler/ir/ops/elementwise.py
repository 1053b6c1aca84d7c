"""Elementwise IR ops: binary with broadcasting (Add Sub Mul Div Pow Max Min),
unary (Relu ... Softplus), the parameterised activations (Clip, LeakyRelu,
HardSigmoid, Elu, Gelu) and Identity. Semantics: docs/ir-ops.md.

Numpy references compute in float64 and return float32 (so the reference is at
least as accurate as any float32 kernel it checks).
"""
from __future__ import annotations

import math

import numpy as np

from .activation import apply_activation, erf
from .registry import FLOAT, STRING, ShapeError, op

FLT_MAX = float(np.finfo(np.float32).max)


def broadcast_shapes(a, b) -> tuple[int, ...]:
    """Multidirectional (numpy/ONNX) broadcast of two shapes, aligned on the right."""
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for axis, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise ShapeError(f"shapes {list(a)} and {list(b)} do not broadcast "
                             f"(axis {axis} of the aligned shapes: {x} vs {y})")
        out.append(y if x == 1 else x)
    return tuple(out)


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _f32(y) -> np.ndarray:
    return np.asarray(y).astype(np.float32)


def _check_float(attrs: dict, key: str) -> float:
    v = attrs[key]
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        raise ShapeError(f"attribute {key!r} must be a float, got {type(v).__name__}")
    if math.isnan(float(v)):
        raise ShapeError(f"attribute {key!r} is NaN")
    return float(v)


# ---- binary ---------------------------------------------------------------------

_BINARY = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Div": np.divide,
    "Pow": np.power,
    "Max": np.maximum,
    "Min": np.minimum,
}


def _register_binary(name: str, fn) -> None:
    class Binary:
        @staticmethod
        def infer(in_shapes, attrs):
            return [broadcast_shapes(in_shapes[0], in_shapes[1])]

        @staticmethod
        def evaluate(inputs, attrs):
            with np.errstate(all="ignore"):
                return [_f32(fn(_f64(inputs[0]), _f64(inputs[1])))]

    Binary.__name__ = Binary.__qualname__ = name
    op(name, attrs={}, n_inputs=(2, 2))(Binary)


for _name, _fn in _BINARY.items():
    _register_binary(_name, _fn)


# ---- unary ----------------------------------------------------------------------

def _softplus(x):
    return np.logaddexp(0.0, x)


_UNARY = {
    "Relu": lambda x: apply_activation(x, "relu"),
    "Sigmoid": lambda x: apply_activation(x, "sigmoid"),
    "HardSwish": lambda x: apply_activation(x, "hard_swish"),
    "Tanh": lambda x: apply_activation(x, "tanh"),
    "Erf": erf,
    "Sqrt": np.sqrt,
    "Exp": np.exp,
    "Log": np.log,
    "Neg": np.negative,
    "Abs": np.abs,
    "Reciprocal": lambda x: 1.0 / x,
    "Softplus": _softplus,
}


def _same_shape(in_shapes, attrs):
    return [in_shapes[0]]


def _register_unary(name: str, fn) -> None:
    class Unary:
        infer = staticmethod(_same_shape)

        @staticmethod
        def evaluate(inputs, attrs):
            with np.errstate(all="ignore"):
                return [_f32(fn(_f64(inputs[0])))]

    Unary.__name__ = Unary.__qualname__ = name
    op(name, attrs={})(Unary)


for _name, _fn in _UNARY.items():
    _register_unary(_name, _fn)


# ---- parameterised activations --------------------------------------------------

@op("Clip", attrs={"min": (FLOAT, -FLT_MAX), "max": (FLOAT, FLT_MAX)})
class Clip:
    """min(max(x, min), max); a missing bound is ∓FLT_MAX (onnxruntime's default)."""

    @staticmethod
    def infer(in_shapes, attrs):
        _check_float(attrs, "min")
        _check_float(attrs, "max")
        return [in_shapes[0]]

    @staticmethod
    def evaluate(inputs, attrs):
        x = _f64(inputs[0])
        return [_f32(np.minimum(np.maximum(x, attrs["min"]), attrs["max"]))]


@op("LeakyRelu", attrs={"alpha": (FLOAT, 0.01)})
class LeakyRelu:
    @staticmethod
    def infer(in_shapes, attrs):
        _check_float(attrs, "alpha")
        return [in_shapes[0]]

    @staticmethod
    def evaluate(inputs, attrs):
        return [apply_activation(inputs[0], "leaky_relu", [attrs["alpha"]])]


@op("HardSigmoid", attrs={"alpha": (FLOAT, 0.2), "beta": (FLOAT, 0.5)})
class HardSigmoid:
    @staticmethod
    def infer(in_shapes, attrs):
        _check_float(attrs, "alpha")
        _check_float(attrs, "beta")
        return [in_shapes[0]]

    @staticmethod
    def evaluate(inputs, attrs):
        return [apply_activation(inputs[0], "hard_sigmoid", [attrs["alpha"], attrs["beta"]])]


@op("Elu", attrs={"alpha": (FLOAT, 1.0)})
class Elu:
    @staticmethod
    def infer(in_shapes, attrs):
        _check_float(attrs, "alpha")
        return [in_shapes[0]]

    @staticmethod
    def evaluate(inputs, attrs):
        x = _f64(inputs[0])
        return [_f32(np.where(x > 0, x, attrs["alpha"] * np.expm1(np.minimum(x, 0))))]


@op("Gelu", attrs={"approximate": (STRING, "none")})
class Gelu:
    @staticmethod
    def infer(in_shapes, attrs):
        if attrs["approximate"] not in ("none", "tanh"):
            raise ShapeError(f"approximate must be 'none' or 'tanh', got {attrs['approximate']!r}")
        return [in_shapes[0]]

    @staticmethod
    def evaluate(inputs, attrs):
        name = "gelu" if attrs["approximate"] == "none" else "gelu_tanh"
        return [apply_activation(inputs[0], name)]


@op("Identity", attrs={})
class Identity:
    infer = staticmethod(_same_shape)

    @staticmethod
    def evaluate(inputs, attrs):
        return [np.array(inputs[0], copy=True)]
