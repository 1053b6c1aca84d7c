"""CompiledModel: the bytes of a model file plus what the compiler knows about it."""
from __future__ import annotations

import os

from sparsecc.compiler.artifact import parse, write_atomic


class CompiledModel:
    def __init__(self, data: bytes, plan=None, graph=None, pass_results=None):
        self._data = bytes(data)
        self.plan = plan if plan is not None else parse(self._data)[0]
        self.graph = graph
        self.pass_results = list(pass_results or [])

    @classmethod
    def load(cls, path) -> "CompiledModel":
        with open(path, "rb") as f:
            return cls(f.read())

    def to_bytes(self) -> bytes:
        return self._data

    def save(self, path) -> str:
        """Write the model file atomically; returns the path."""
        write_atomic(path, self._data)
        return os.fspath(path)

    @property
    def target(self) -> str:
        return self.plan.target

    @property
    def arena_bytes(self) -> int:
        return self.plan.arena_size

    @property
    def naive_arena_bytes(self) -> int:
        return self.plan.naive_arena_size

    @property
    def weight_bytes(self) -> int:
        return self.plan.weight_bytes

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return (f"CompiledModel(target={self.target!r}, nodes={len(self.plan.nodes)}, "
                f"file={len(self._data)} B, arena={self.arena_bytes} B)")
