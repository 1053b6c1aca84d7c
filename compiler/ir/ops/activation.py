"""Activation functions, shared by the unary ops and the fused epilogues of
Conv/ConvTranspose/Gemm/MatMul (attributes ``activation``/``activation_params``)."""
from __future__ import annotations

import math

import numpy as np

from .registry import ShapeError

ACTIVATIONS = ("none", "relu", "clip", "leaky_relu", "sigmoid", "hard_sigmoid", "hard_swish",
               "tanh", "gelu", "gelu_tanh", "silu")
N_PARAMS = {"clip": 2, "leaky_relu": 1, "hard_sigmoid": 2}

_erf = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: np.ndarray) -> np.ndarray:
    return _erf(np.asarray(x, dtype=np.float64))


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def check_activation(name: str, params) -> None:
    if name not in ACTIVATIONS:
        raise ShapeError(f"unknown activation {name!r}")
    if len(params) != N_PARAMS.get(name, 0):
        raise ShapeError(f"activation {name!r} takes {N_PARAMS.get(name, 0)} params, got {len(params)}")


def apply_activation(x: np.ndarray, name: str, params=()) -> np.ndarray:
    """x -> activation(x), computed in float64 and returned as float32."""
    check_activation(name, params)
    dtype = np.float32
    x = np.asarray(x, dtype=np.float64)
    if name == "none":
        y = x
    elif name == "relu":
        y = np.maximum(x, 0)
    elif name == "clip":
        y = np.minimum(np.maximum(x, params[0]), params[1])
    elif name == "leaky_relu":
        y = np.where(x >= 0, x, x * params[0])
    elif name == "sigmoid":
        y = sigmoid(x)
    elif name == "hard_sigmoid":
        y = np.clip(x * params[0] + params[1], 0, 1)
    elif name == "hard_swish":
        y = x * np.clip(x / 6 + 0.5, 0, 1)
    elif name == "tanh":
        y = np.tanh(x)
    elif name == "gelu":
        y = 0.5 * x * (1 + erf(x / math.sqrt(2)))
    elif name == "gelu_tanh":
        y = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    else:  # silu
        y = x * sigmoid(x)
    return y.astype(dtype)
