"""ConvertContext: what an ONNX op converter sees while the frontend walks the graph."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

from ..errors import CompileError
from ..ir import Graph, Value
from ..ir.ops import ShapeError, infer_node
from .limits import check_size
from .onnx_ops.registry import Unsupported


def make_const(graph: Graph, base: str, array) -> Value:
    """A constant Value named after ``base`` (float64 becomes float32, 0-d stays 0-d)."""
    return graph.const(base, array)


class ConvertContext:
    def __init__(self, graph: Graph, opset: int):
        self.graph = graph
        self.opset = opset
        self.env: dict[str, Value] = {}
        # ONNX tensor names read by some node or listed as graph outputs (set by the driver);
        # lets a converter tell whether an optional output (e.g. Dropout's mask) is used
        self.used_names: set[str] = set()

    # ---- reading --------------------------------------------------------------
    def value(self, name: str) -> Value | None:
        if name == "":
            return None
        try:
            return self.env[name]
        except KeyError:
            raise CompileError(f"tensor {name!r} is not defined by any node, graph input or initializer "
                               "(a missing initializer?)") from None

    def inputs(self, node: onnx.NodeProto) -> list[Value | None]:
        return [self.value(n) for n in node.input]

    def input(self, node: onnx.NodeProto, i: int) -> Value | None:
        return self.value(node.input[i]) if i < len(node.input) else None

    @staticmethod
    def attrs(node: onnx.NodeProto) -> dict:
        out = {}
        for a in node.attribute:
            v = helper.get_attribute_value(a)
            if isinstance(v, bytes):
                v = v.decode("utf-8")
            elif isinstance(v, list) and v and isinstance(v[0], bytes):
                v = [x.decode("utf-8") for x in v]
            out[a.name] = v
        return out

    def const(self, node: onnx.NodeProto, i: int, what: str, optional: bool = False) -> np.ndarray | None:
        """Input i as a numpy array; it must be a constant (initializer or folded)."""
        v = self.input(node, i)
        if v is None:
            if optional:
                return None
            raise CompileError(f"{node.op_type} node {node.name!r}: missing input {i} ({what})")
        if not v.is_const:
            raise Unsupported(f"{what} must be a constant (it is computed at run time)")
        return v.const

    # ---- writing --------------------------------------------------------------
    def emit(self, op: str, inputs, attrs=None, node: onnx.NodeProto | None = None,
             out_names: list[str] | None = None, n_outputs: int = 1, name: str | None = None) -> list[Value]:
        """Add an IR node; its output shapes are inferred. Returns the output values.

        ``out_names``: ONNX names to bind the outputs to (default: none, i.e. an
        intermediate value of a multi-node lowering).
        """
        base = name or (node.name if node is not None and node.name else op)
        n_out = len(out_names) if out_names else n_outputs
        ir_node = self.graph.add_node(op, inputs, [()] * n_out, attrs, name=base)
        if out_names:  # ONNX names are reserved up front and unique (SSA): use them as they are
            for v, n in zip(ir_node.outputs, out_names):
                if n:
                    v.name = n
        try:
            shapes = infer_node(ir_node)
        except ShapeError as e:
            self.graph.nodes.pop()
            raise CompileError(f"node {base!r}: {e}") from None
        for v, s in zip(ir_node.outputs, shapes):
            v.shape = tuple(s)
        try:
            for v in ir_node.outputs:
                check_size(v.shape, 4, f"node {base!r} output {v.name!r}")
        except CompileError:
            self.graph.nodes.pop()
            raise
        if out_names:
            for n, v in zip(out_names, ir_node.outputs):
                if n:
                    self.env[n] = v
        return ir_node.outputs

    def emit_for(self, node: onnx.NodeProto, op: str, inputs, attrs=None) -> Value:
        """Emit one IR node that stands for the whole ONNX node (its outputs bound)."""
        return self.emit(op, inputs, attrs, node=node, out_names=list(node.output))[0]

    def bind(self, onnx_name: str, v: Value) -> None:
        self.env[onnx_name] = v

    def bind_const(self, onnx_name: str, array) -> Value:
        v = make_const(self.graph, onnx_name, array)
        self.env[onnx_name] = v
        return v

    def new_const(self, base: str, array) -> Value:
        """A constant for IR use only (not bound to an ONNX name)."""
        return make_const(self.graph, base, array)
