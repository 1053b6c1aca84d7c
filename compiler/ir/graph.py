"""Graph: inputs, outputs and nodes in topological order, plus edit helpers for passes."""
from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from .node import Node
from .value import Value


class Graph:
    def __init__(self, name: str = "graph"):
        self.name = name
        self.inputs: list[Value] = []
        self.outputs: list[Value] = []
        self.nodes: list[Node] = []
        self.metadata: dict[str, str] = {}
        self._names: set[str] = set()
        self._counter = itertools.count()

    # ---- naming -------------------------------------------------------------
    def reserve(self, name: str) -> None:
        self._names.add(name)

    def unique_name(self, base: str) -> str:
        name = base
        while name in self._names:
            name = f"{base}_{next(self._counter)}"
        self._names.add(name)
        return name

    # ---- building -----------------------------------------------------------
    def add_input(self, name: str, shape, dtype=np.float32) -> Value:
        self.reserve(name)
        v = Value(name, shape, dtype)
        self.inputs.append(v)
        return v

    def const(self, base: str, array) -> Value:
        return Value.constant(self.unique_name(base), array)

    def add_node(self, op: str, inputs, output_shapes, attrs=None, name: str | None = None,
                 output_names=None, index: int | None = None) -> Node:
        """Create a node with fresh outputs of the given shapes; append it (or insert at index)."""
        name = self.unique_name(name or op)
        if output_names is None:
            output_names = [f"{name}:out{i}" if len(output_shapes) > 1 else f"{name}:out"
                            for i in range(len(output_shapes))]
        outs = [Value(self.unique_name(n), s) for n, s in zip(output_names, output_shapes)]
        node = Node(op, name, inputs, outs, attrs)
        if index is None:
            self.nodes.append(node)
        else:
            self.nodes.insert(index, node)
        return node

    # ---- queries ------------------------------------------------------------
    def consumers(self) -> dict[int, list[Node]]:
        """Map id(value) -> nodes that read it (a fresh map: recompute after edits)."""
        users: dict[int, list[Node]] = defaultdict(list)
        for node in self.nodes:
            for v in node.inputs:
                if v is not None:
                    users[id(v)].append(node)
        return users

    def values(self) -> list[Value]:
        """Every value of the graph once: inputs, constants, node outputs."""
        seen: dict[int, Value] = {}
        for v in self.inputs:
            seen.setdefault(id(v), v)
        for node in self.nodes:
            for v in node.inputs:
                if v is not None:
                    seen.setdefault(id(v), v)
            for v in node.outputs:
                seen.setdefault(id(v), v)
        for v in self.outputs:
            seen.setdefault(id(v), v)
        return list(seen.values())

    def is_output(self, v: Value) -> bool:
        return any(o is v for o in self.outputs)

    # ---- editing ------------------------------------------------------------
    def replace_uses(self, old: Value, new: Value) -> None:
        """Make every reader of ``old`` (nodes and graph outputs) read ``new``."""
        for node in self.nodes:
            node.inputs = [new if v is old else v for v in node.inputs]
        self.outputs = [new if v is old else v for v in self.outputs]

    def remove_nodes(self, dead) -> None:
        dead_ids = {id(n) for n in dead}
        self.nodes = [n for n in self.nodes if id(n) not in dead_ids]

    def remove_unused(self) -> int:
        """Drop nodes whose outputs nobody reads (graph outputs count as read)."""
        removed = 0
        while True:
            used = {id(v) for n in self.nodes for v in n.inputs if v is not None}
            used |= {id(v) for v in self.outputs}
            keep = [n for n in self.nodes if any(id(o) in used for o in n.outputs)]
            if len(keep) == len(self.nodes):
                return removed
            removed += len(self.nodes) - len(keep)
            self.nodes = keep

    def toposort(self) -> None:
        """Reorder nodes topologically, stable with respect to the current order."""
        producer = {id(o): n for n in self.nodes for o in n.outputs}
        order: list[Node] = []
        state: dict[int, int] = {}

        for root in self.nodes:
            stack = [(root, 0)]
            while stack:
                node, i = stack.pop()
                if i == 0:
                    if state.get(id(node)) == 2:
                        continue
                    if state.get(id(node)) == 1:
                        from ..errors import VerifyError
                        raise VerifyError(f"graph has a cycle through node {node.name!r}")
                    state[id(node)] = 1
                deps = [producer[id(v)] for v in node.inputs if v is not None and id(v) in producer]
                if i < len(deps):
                    stack.append((node, i + 1))
                    if state.get(id(deps[i])) != 2:
                        stack.append((deps[i], 0))
                else:
                    state[id(node)] = 2
                    order.append(node)
        self.nodes = order
