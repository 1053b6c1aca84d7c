"""Verifier: the invariants every pass must keep.

- every value is defined once (graph input, constant, or output of exactly one node);
- nodes are in topological order (inputs defined before use);
- every node's op is known, its attributes match the op's schema, and its
  stored output shapes equal the ones the op infers from its inputs;
- graph outputs are defined; names are unique.
"""
from __future__ import annotations

from ..errors import VerifyError
from .graph import Graph
from .ops import ShapeError, infer_node


def verify(graph: Graph) -> None:
    defined: set[int] = set()
    names: dict[str, int] = {}

    def define(v, where: str):
        if id(v) in defined:
            raise VerifyError(f"value {v.name!r} defined twice ({where})")
        if v.name in names and names[v.name] != id(v):
            raise VerifyError(f"two values share the name {v.name!r} ({where})")
        defined.add(id(v))
        names[v.name] = id(v)

    for v in graph.inputs:
        if v.is_const:
            raise VerifyError(f"graph input {v.name!r} is a constant")
        define(v, "graph input")
    for node in graph.nodes:
        for i, v in enumerate(node.inputs):
            if v is None:
                continue
            if v.is_const:
                if id(v) not in defined:
                    define(v, f"constant read by {node.name!r}")
            elif id(v) not in defined:
                raise VerifyError(f"node {node.name!r} ({node.op}) reads {v.name!r} (input {i}) "
                                  "before it is defined: not in topological order or dangling")
        try:
            shapes = infer_node(node)
        except ShapeError as e:
            raise VerifyError(str(e)) from None
        if len(shapes) != len(node.outputs):
            raise VerifyError(f"node {node.name!r} ({node.op}) has {len(node.outputs)} outputs, "
                              f"the op gives {len(shapes)}")
        for out, shape in zip(node.outputs, shapes):
            if out.is_const:
                raise VerifyError(f"node {node.name!r} writes constant {out.name!r}")
            if out.producer is not node:
                raise VerifyError(f"value {out.name!r} has a stale producer link")
            if tuple(out.shape) != tuple(shape):
                raise VerifyError(f"node {node.name!r} ({node.op}): output {out.name!r} has shape "
                                  f"{list(out.shape)}, the op infers {list(shape)}")
            define(out, f"output of {node.name!r}")
    for v in graph.outputs:
        if id(v) not in defined and not v.is_const:
            raise VerifyError(f"graph output {v.name!r} is never defined")
