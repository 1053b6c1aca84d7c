"""Recognise GELU written out with Erf and replace it by one ``Gelu`` node.

Exporters (PyTorch before opset 20, Keras, the zoo's transformer block) emit
``y = x * 0.5 * (1 + erf(x / sqrt(2)))`` as five nodes: Div (or Mul by
1/sqrt 2), Erf, Add 1, and two Muls in any of the three associations

    (x * (1 + e)) * 0.5      (x * 0.5) * (1 + e)      x * ((1 + e) * 0.5)

One ``Gelu`` node (approximate = "none") runs as a single vectorised pass,
and ``fuse_activation`` (which runs after this pass) can then fold it into the
producer of ``x``.

Guarantee: the function is unchanged up to float rounding (the reference
evaluates the same formula). Fused only when every intermediate value has a
single reader and is not a graph output, the constants match to 1e-6
relative, and ``x`` has the output's shape (no broadcasting hidden inside).
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import Graph, Node, Value
from .manager import Pass

SQRT2 = math.sqrt(2.0)


def _scalar(v: Value | None) -> float | None:
    if v is None or not v.is_const:
        return None
    a = np.asarray(v.const)
    if a.size != 1:
        return None
    return float(a.reshape(()))


def _close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= 1e-6 * abs(b)


def _binary_with_const(node: Node, value: float) -> Value | None:
    """For a binary node with one constant operand equal to ``value``: the other operand."""
    if len(node.inputs) != 2:
        return None
    a, b = node.inputs
    if _close(_scalar(b), value):
        return a
    if _close(_scalar(a), value):
        return b
    return None


def _other(node: Node, v: Value) -> Value | None:
    """The operand of a binary ``node`` that is not ``v`` (None if v is not an operand)."""
    if len(node.inputs) != 2:
        return None
    a, b = node.inputs
    if a is v:
        return b
    if b is v:
        return a
    return None


class FuseGelu(Pass):
    name = "fuse_gelu"

    def run(self, graph: Graph) -> bool:
        modified = False
        for erf in [n for n in graph.nodes if n.op == "Erf"]:
            users = graph.consumers()
            match = self._match(graph, erf, users)
            if match is None:
                continue
            x, dead, out = match
            # the Gelu takes the place and the name of the node that wrote the
            # chain's output (so an export that decomposes Gelu round-trips)
            last = out.producer
            index = graph.nodes.index(last)
            graph.nodes[index] = Node("Gelu", last.name, [x], [out], {"approximate": "none"})
            graph.remove_nodes([n for n in dead if n is not last])
            modified = True
        if modified:
            graph.toposort()
        return modified

    def _single_reader(self, graph: Graph, v: Value, users) -> Node | None:
        readers = users.get(id(v), [])
        if len(readers) != 1 or graph.is_output(v):
            return None
        return readers[0]

    def _match(self, graph: Graph, erf: Node, users):
        div = erf.inputs[0].producer if erf.inputs and erf.inputs[0] is not None else None
        if div is None or self._single_reader(graph, erf.inputs[0], users) is not erf:
            return None
        if div.op == "Div" and len(div.inputs) == 2 and _close(_scalar(div.inputs[1]), SQRT2):
            x = div.inputs[0]
        elif div.op == "Mul":
            x = _binary_with_const(div, 1.0 / SQRT2)
        else:
            return None
        if x is None:
            return None
        add = self._single_reader(graph, erf.outputs[0], users)
        if add is None or add.op != "Add" or _binary_with_const(add, 1.0) is not erf.outputs[0]:
            return None
        m1 = self._single_reader(graph, add.outputs[0], users)
        if m1 is None or m1.op != "Mul":
            return None
        chain = [div, erf, add, m1]
        if _other(m1, add.outputs[0]) is x:               # (x * (1 + e)) * 0.5
            m2 = self._single_reader(graph, m1.outputs[0], users)
            if m2 is None or m2.op != "Mul" or _binary_with_const(m2, 0.5) is not m1.outputs[0]:
                return None
        elif _binary_with_const(m1, 0.5) is add.outputs[0]:  # x * ((1 + e) * 0.5)
            m2 = self._single_reader(graph, m1.outputs[0], users)
            if m2 is None or m2.op != "Mul" or _other(m2, m1.outputs[0]) is not x:
                return None
        else:                                               # (x * 0.5) * (1 + e)
            half = _other(m1, add.outputs[0])
            hp = half.producer if half is not None else None
            if hp is None or hp.op != "Mul" or _binary_with_const(hp, 0.5) is not x:
                return None
            if self._single_reader(graph, half, users) is not m1:
                return None
            chain.insert(0, hp)
            m2 = m1
        if m2 is not m1:
            chain.append(m2)
        out = m2.outputs[0]
        if tuple(out.shape) != tuple(x.shape):
            return None
        return x, chain, out
