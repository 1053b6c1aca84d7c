"""ExportContext: what an IR -> ONNX op exporter sees while the driver walks the graph.

An exporter reads tensor names with ``ctx.name(value)`` (a constant becomes an
initializer the first time it is named), creates helper constants with
``ctx.const``/``ctx.scalar``/``ctx.ints``, fresh intermediate tensor names with
``ctx.fresh`` and ONNX nodes with ``ctx.add``. Node and tensor names live in two
separate namespaces (as in ONNX); IR names are reserved up front, so every helper
name is new and the IR's names are kept.
"""
from __future__ import annotations

import itertools

import numpy as np
from onnx import NodeProto, TensorProto, helper, numpy_helper

from ..ir import Graph, Node, Value


class _Names:
    """A namespace that hands out unique names derived from a base."""

    def __init__(self, taken=()):
        self.taken: set[str] = set(taken)
        self._counter = itertools.count(1)

    def claim(self, name: str) -> str:
        """``name`` itself if still free, else a fresh derived name; marks it taken."""
        if name not in self.taken:
            self.taken.add(name)
            return name
        return self.fresh(name)

    def fresh(self, base: str) -> str:
        while True:
            name = f"{base}_{next(self._counter)}"
            if name not in self.taken:
                self.taken.add(name)
                return name


class ExportContext:
    def __init__(self, graph: Graph, opset: int):
        self.graph = graph
        self.opset = opset
        self.nodes: list[NodeProto] = []
        self.initializers: list[TensorProto] = []
        self.tensor_names = _Names(v.name for v in graph.values())
        self.node_names = _Names(n.name for n in graph.nodes)  # helpers never take an IR node's name
        self.current: Node | None = None  # the IR node being exported (set by the driver)
        self._named: set[int] = set()      # ids of IR nodes whose name an ONNX node carries
        self._bound: dict[int, str] = {}      # id(value) -> ONNX tensor name, when not value.name
        self._emitted: set[int] = set()        # ids of constants already written as initializers
        self._scalars: dict[tuple, str] = {}

    # ---- tensor names ---------------------------------------------------------
    def name(self, v: Value | None) -> str:
        """The ONNX tensor name of an IR value ("" for an absent optional input)."""
        if v is None:
            return ""
        name = self._bound.get(id(v), v.name)
        if v.is_const and id(v) not in self._emitted:
            self._emitted.add(id(v))
            self.initializers.append(_tensor(v.const, name))
        return name

    def rename(self, v: Value, name: str) -> None:
        """Export value ``v`` under ``name`` (set before anything reads it)."""
        self._bound[id(v)] = name

    def fresh(self, base: str) -> str:
        """A new intermediate tensor name: ``base`` itself if free, else derived from it."""
        return self.tensor_names.claim(base)

    # ---- constants -------------------------------------------------------------
    def const(self, base: str, array) -> str:
        """A new initializer holding ``array`` (dtype kept); returns its name."""
        name = self.tensor_names.claim(base)
        self.initializers.append(_tensor(np.asarray(array), name))
        return name

    def ints(self, base: str, values) -> str:
        """A 1-D int64 initializer (shapes, axes, pads, indices...)."""
        return self.const(base, np.asarray(list(values), dtype=np.int64).reshape(-1))

    def scalar(self, value: float) -> str:
        """A 0-d float32 initializer, shared by every use of the same value."""
        v = np.float32(value)
        key = (v.tobytes(),)
        if key not in self._scalars:
            self._scalars[key] = self.const(f"scalar_{float(v):g}", np.array(v, dtype=np.float32))
        return self._scalars[key]

    # ---- nodes -------------------------------------------------------------------
    def add(self, op_type: str, inputs: list[str], outputs: list[str], name: str, **attrs) -> None:
        """Append an ONNX node (default domain). The IR node being exported gives its
        name to the first node added under it; any other taken name is made unique."""
        attrs = {k: v for k, v in attrs.items() if v is not None}
        cur = self.current
        if cur is not None and name == cur.name and id(cur) not in self._named:
            self._named.add(id(cur))
        else:
            name = self.node_names.claim(name)
        self.nodes.append(helper.make_node(op_type, list(inputs), list(outputs), name=name, **attrs))


def _tensor(array: np.ndarray, name: str) -> TensorProto:
    arr = np.asarray(array)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    return numpy_helper.from_array(np.require(arr, requirements="C"), name)  # keeps 0-d arrays 0-d
