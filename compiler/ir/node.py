"""Node: one operator application (see docs/ir-ops.md for the operator set)."""
from __future__ import annotations

from typing import Any

from .value import Value


class Node:
    """``op`` applied to ``inputs`` (None = absent optional input) giving ``outputs``."""

    __slots__ = ("op", "name", "inputs", "outputs", "attrs")

    def __init__(self, op: str, name: str, inputs: list[Value | None], outputs: list[Value],
                 attrs: dict[str, Any] | None = None):
        self.op = op
        self.name = name
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.attrs = dict(attrs or {})
        for out in self.outputs:
            out.producer = self

    def input(self, i: int) -> Value | None:
        return self.inputs[i] if i < len(self.inputs) else None

    @property
    def output(self) -> Value:
        return self.outputs[0]

    def __repr__(self) -> str:
        return f"Node({self.op} {self.name!r})"
