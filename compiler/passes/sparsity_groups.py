"""Group geometry of the ``group_sparsity`` pass: which layers have groups, and how a group maps to weights.

A **group** is G consecutive output channels × 1 input channel × the whole
kernel (G ∈ {1, 2, 4, 8}). Every sparsifiable layer is seen as ``W2 [M, C·kk]``
(``prune_consumers.Consumer``: Conv ``W.reshape(M, C·kh·kw)``, Gemm ``W [N, K]``,
MatMul ``Bᵀ``), so group ``(b, c)`` is rows ``b·G .. b·G+G-1`` × columns
``c·kk .. c·kk+kk-1``. When M is not a multiple of G the last row block is
shorter (it is still one group per input channel, with fewer weights).

A selection is a boolean mask ``[n_blocks, C]`` (True = the group is zero).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Node
from .prune_consumers import Consumer

PATTERNS = {"g1": 1, "g2": 2, "g4": 4, "g8": 8}
SMALL_CLASSIFIER = 65536   # a final Gemm/MatMul with fewer weights stays dense by default


def group_size(pattern: str) -> int:
    if pattern not in PATTERNS:
        raise CompileError(f"unknown sparsity pattern {pattern!r}: expected one of {', '.join(PATTERNS)}")
    return PATTERNS[pattern]


def eligibility(node: Node) -> str | None:
    """None if ``node`` can be group-sparsified, else why not (one short phrase)."""
    if node.op not in ("Conv", "Gemm", "MatMul"):
        return f"op {node.op} has no weight groups"
    if len(node.inputs) < 2 or node.inputs[1] is None or not node.inputs[1].is_const:
        return "weights are not a constant"
    if node.inputs[0] is None or node.inputs[0].is_const:
        return "data input is a constant"
    if node.op == "Conv":
        if int(node.attrs.get("group", 1)) != 1:
            w = node.inputs[1]
            return "depthwise conv" if w.shape[1] == 1 else "grouped conv"
    elif node.op == "MatMul" and node.inputs[1].const.ndim != 2:
        return "batched MatMul weights"
    return None


def _is_classifier(node: Node, graph: Graph) -> bool:
    """A Gemm/MatMul whose output reaches a graph output through single-input, weight-free ops only."""
    if node.op not in ("Gemm", "MatMul"):
        return False
    cons = graph.consumers()
    v = node.output
    for _ in range(16):
        if graph.is_output(v):
            return True
        users = cons.get(id(v), [])
        if len(users) != 1 or users[0].op in ("Conv", "ConvTranspose", "Gemm", "MatMul") \
                or sum(1 for i in users[0].inputs if i is not None and not i.is_const) != 1:
            return False
        v = users[0].output
    return False


def default_dense_reason(node: Node, graph: Graph) -> str | None:
    """Why an eligible layer stays dense unless overridden: the first conv and a small classifier."""
    inputs = {id(v) for v in graph.inputs}
    if node.op == "Conv" and id(node.inputs[0]) in inputs:
        return "first conv (reads a graph input)"
    if _is_classifier(node, graph) and node.inputs[1].const.size < SMALL_CLASSIFIER:
        return f"small classifier (< {SMALL_CLASSIFIER} weights)"
    return None


@dataclass
class Layer:
    """A sparsifiable node with its group geometry."""

    node: Node
    g: int                 # G
    con: Consumer          # weights as W2 [M, D], bias, set_weights, calibration features

    @staticmethod
    def of(node: Node, g: int) -> "Layer":
        taps = int(np.prod(node.inputs[1].shape[2:])) if node.op == "Conv" else 1
        c = node.inputs[1].shape[1] if node.op in ("Conv", "Gemm") else node.inputs[1].shape[0]
        return Layer(node, g, Consumer(node, node.inputs[0], np.arange(c), taps))

    @property
    def rows(self) -> int:
        return self.node.inputs[1].shape[0] if self.node.op in ("Conv", "Gemm") else self.node.inputs[1].shape[1]

    @property
    def channels(self) -> int:
        return self.con.channels

    @property
    def taps(self) -> int:
        return self.con.taps

    @property
    def blocks(self) -> int:
        return math.ceil(self.rows / self.g)

    @property
    def n_groups(self) -> int:
        return self.blocks * self.channels

    @property
    def n_weights(self) -> int:
        return self.rows * self.channels * self.taps

    def group_weights(self) -> np.ndarray:
        """Weights per group ``[n_blocks, C]`` (the last block may be short)."""
        per_row = np.full(self.blocks, self.g)
        per_row[-1] = self.rows - self.g * (self.blocks - 1)
        return np.repeat((per_row * self.taps)[:, None], self.channels, axis=1)

    def blocked(self, w2: np.ndarray) -> np.ndarray:
        """``W2 [M, C·kk]`` -> ``[n_blocks, G, C, kk]``, the short last block padded with zeros."""
        pad = self.blocks * self.g - self.rows
        w = np.concatenate([w2, np.zeros((pad, w2.shape[1]), w2.dtype)]) if pad else w2
        return w.reshape(self.blocks, self.g, self.channels, self.taps)

    def group_energy(self, w2: np.ndarray) -> np.ndarray:
        """Squared L2 norm of every group ``[n_blocks, C]``."""
        b = self.blocked(np.asarray(w2, np.float64))
        return np.einsum("bgct,bgct->bc", b, b)

    def row_mask(self, mask: np.ndarray) -> np.ndarray:
        """Group mask ``[n_blocks, C]`` -> weight mask ``[M, C·kk]`` (True = zero)."""
        full = np.repeat(np.repeat(mask, self.g, axis=0)[:self.rows], self.taps, axis=1)
        return full

    def zero_groups(self, w2: np.ndarray) -> np.ndarray:
        """Mask of the groups whose weights are all exactly zero."""
        return self.group_energy(w2) == 0.0

    def weights(self) -> np.ndarray:
        return self.con.w2()


def lowest(scores: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Mask with the ``k`` lowest-scoring groups set (ties by position); ``exclude`` groups never chosen."""
    flat = np.asarray(scores, np.float64).ravel().copy()
    if exclude is not None:
        flat[exclude.ravel()] = np.inf
    order = np.argsort(flat, kind="stable")[:max(0, k)]
    mask = np.zeros(flat.size, bool)
    mask[order] = True
    return mask.reshape(scores.shape)
