"""The operator table: for each IR op, its attribute schema, shape inference and
numpy reference. docs/ir-ops.md is the prose version of this table.

An op is registered with::

    @op("Relu", attrs={})
    class Relu:
        @staticmethod
        def infer(in_shapes, attrs): return [in_shapes[0]]
        @staticmethod
        def evaluate(inputs, attrs): return [np.maximum(inputs[0], 0)]

``in_shapes``/``inputs`` hold None for an absent optional input. ``attrs`` is the
node's attributes completed with the schema's defaults. ``infer`` raises
ShapeError with a readable reason when the shapes and attributes disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# attribute types, as stored in the model file
INT, INTS, FLOAT, FLOATS, STRING = "int", "ints", "float", "floats", "string"

ACTIVATION_ATTRS = {"activation": (STRING, "none"), "activation_params": (FLOATS, [])}
# Written by the group_sparsity pass on Conv/Gemm/MatMul; informational (kernels ignore them, lowering reads them).
SPARSITY_ATTRS = {"sparsity_pattern": (STRING, ""), "sparsity": (FLOAT, 0.0)}


class ShapeError(ValueError):
    """Shapes and attributes of a node disagree."""


@dataclass(frozen=True)
class OpDef:
    name: str
    attrs: dict[str, tuple[str, Any]]          # name -> (type, default or REQUIRED)
    infer: Callable[[list, dict], list]
    evaluate: Callable[[list, dict], list]
    n_inputs: tuple[int, int]                   # (min, max); max -1 = variadic

    def full_attrs(self, attrs: dict) -> dict:
        out = {}
        for key, (_, default) in self.attrs.items():
            if key in attrs:
                out[key] = attrs[key]
            elif default is REQUIRED:
                raise ShapeError(f"{self.name}: missing attribute {key!r}")
            else:
                out[key] = default
        unknown = set(attrs) - set(self.attrs)
        if unknown:
            raise ShapeError(f"{self.name}: unknown attributes {sorted(unknown)}")
        return out


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()

OPS: dict[str, OpDef] = {}


def op(name: str, attrs: dict | None = None, n_inputs=(1, 1)):
    """Class decorator registering ``infer``/``evaluate`` static methods as op ``name``."""

    def deco(cls):
        if name in OPS:
            raise RuntimeError(f"op {name} registered twice")
        OPS[name] = OpDef(name, dict(attrs or {}), cls.infer, cls.evaluate, tuple(n_inputs))
        return cls

    return deco


def get(name: str) -> OpDef:
    from . import _load_all  # noqa: F401  (registers every op module)
    try:
        return OPS[name]
    except KeyError:
        raise ShapeError(f"unknown IR op {name!r}") from None


def infer_node(node) -> list[tuple[int, ...]]:
    """Output shapes of an IR node, from its input shapes and attributes."""
    d = get(node.op)
    lo, hi = d.n_inputs
    n = len(node.inputs)
    if n < lo or (hi >= 0 and n > hi):
        raise ShapeError(f"{node.op} {node.name!r}: expected {lo}..{hi} inputs, got {n}")
    shapes = [None if v is None else v.shape for v in node.inputs]
    try:
        return [tuple(int(x) for x in s) for s in d.infer(shapes, d.full_attrs(node.attrs))]
    except ShapeError as e:
        raise ShapeError(f"{node.op} {node.name!r}: {e}") from None


def evaluate_node(node, inputs: list) -> list[np.ndarray]:
    d = get(node.op)
    return [np.asarray(o) for o in d.evaluate(inputs, d.full_attrs(node.attrs))]
