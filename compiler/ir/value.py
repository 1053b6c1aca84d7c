"""Value: a tensor edge of the graph with a static shape, maybe a constant."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .node import Node


class Value:
    """A named tensor. ``const`` holds its data when it is a constant (weights)."""

    __slots__ = ("name", "shape", "dtype", "const", "producer")

    def __init__(self, name: str, shape, dtype=np.float32, const: np.ndarray | None = None):
        self.name = name
        self.shape: tuple[int, ...] = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.const = const
        self.producer: Node | None = None

    @classmethod
    def constant(cls, name: str, array) -> "Value":
        arr = np.asarray(array)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        return cls(name, arr.shape, arr.dtype, np.require(arr, requirements="C"))

    @property
    def is_const(self) -> bool:
        return self.const is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __repr__(self) -> str:
        kind = "const " if self.is_const else ""
        return f"Value({kind}{self.name!r}, {list(self.shape)}, {self.dtype.name})"
