"""The exact-linear consumers of pruned channel spaces and their input statistics.

A **consumer** is a Conv with ``group == 1``, a Gemm or a 2-D-weight MatMul
whose data input is a tracked value: every input channel ``c`` of it belongs to
channel class ``classes[c]``, and removing that class removes the weight
columns of ``c``. Its weights are seen as a matrix ``W2 [M, D]`` (output
channel × input feature): Conv ``W.reshape(M, C·kh·kw)`` (feature ``c·kk + t``
is channel ``c`` at kernel tap ``t``), Gemm ``W``, MatMul ``Wᵀ``. A bias, if
any, is the weight of an extra constant-1 feature (index ``D``).

Statistics of the consumer's input features:

- ``feature_matrix``: the features of calibration activations (im2col rows for
  a Conv, samples × positions as rows), with the constant 1 appended, so
  ``H = Zᵀ Z / n`` is the augmented second-moment matrix;
- ``ChannelStats``: per-channel mean and covariance (``[C]``, ``[C, C]``), the
  compact form used data-free and for very wide Conv consumers (taps assumed
  independent: then the problem splits per tap plus an intercept).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import Graph, Node, Value
from ..ir.ops.conv import gather_taps, pad_hw
from .channel_space import ChannelAnalysis

MAX_FULL_FEATURES = 2304  # im2col features of a full H; wider Conv consumers use ChannelStats


@dataclass
class Consumer:
    node: Node
    x: Value                # the data input (a tracked value)
    classes: np.ndarray     # class id of every input channel
    taps: int               # kernel taps per channel (1 for Gemm / MatMul)

    @property
    def channels(self) -> int:
        return len(self.classes)

    @property
    def has_bias(self) -> bool:
        return self.node.op in ("Conv", "Gemm") and self.node.input(2) is not None

    def w2(self) -> np.ndarray:
        """Weights as ``[M, D]`` float64 (a copy)."""
        w = np.asarray(self.node.inputs[1].const, dtype=np.float64)
        if self.node.op == "Conv":
            return w.reshape(w.shape[0], -1).copy()
        return w.copy() if self.node.op == "Gemm" else w.T.copy()

    def bias(self) -> np.ndarray | None:
        return np.asarray(self.node.inputs[2].const, dtype=np.float64).copy() if self.has_bias else None

    def set_weights(self, graph: Graph, w2: np.ndarray, bias: np.ndarray | None) -> None:
        """Write ``w2`` (and ``bias``) back as new constants of the node, in its own layout and dtype."""
        old = self.node.inputs[1]
        if self.node.op == "Conv":
            arr = w2.reshape(old.shape)
        else:
            arr = w2 if self.node.op == "Gemm" else w2.T
        self.node.inputs[1] = graph.const(old.name, np.ascontiguousarray(arr.astype(old.dtype)))
        if bias is not None and self.has_bias:
            ob = self.node.inputs[2]
            self.node.inputs[2] = graph.const(ob.name, bias.astype(ob.dtype))

    def feature_channel(self) -> np.ndarray:
        """Channel of every weight column (``D``)."""
        return np.repeat(np.arange(self.channels), self.taps)

    def columns(self, class_mask: np.ndarray) -> np.ndarray:
        """Weight columns (features) whose channel's class is set in ``class_mask`` (per class id)."""
        return np.nonzero(class_mask[self.classes][self.feature_channel()])[0]

    @property
    def full(self) -> bool:
        return self.channels * self.taps <= MAX_FULL_FEATURES

    def feature_matrix(self, x: np.ndarray) -> np.ndarray:
        """``[rows, D + 1]`` features of activations ``x`` of the data input (last column: 1), x's dtype."""
        x = np.asarray(x)
        if self.node.op == "Conv":
            a = self.node.attrs
            kh, kw = self.node.inputs[1].shape[2:]
            oh, ow = self.node.output.shape[2:]
            cols = gather_taps(pad_hw(x, a["pads"]), (kh, kw), a["strides"], a["dilations"], (oh, ow))
            n, c = cols.shape[:2]
            z = cols.reshape(n, c * kh * kw, oh * ow).transpose(0, 2, 1).reshape(-1, c * kh * kw)
        else:
            z = x.reshape(-1, x.shape[-1]) if self.node.op == "MatMul" else x
        return np.concatenate([z, np.ones((z.shape[0], 1), dtype=z.dtype)], axis=1)

    def channel_samples(self, x: np.ndarray) -> np.ndarray:
        """``[rows, C]``: every position of every sample as one row of channel values."""
        x = np.asarray(x, dtype=np.float64)
        if self.node.op == "Conv":
            return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
        return x.reshape(-1, x.shape[-1])


def find_consumers(analysis: ChannelAnalysis, graph: Graph) -> list[Consumer]:
    """Every exact-linear consumer of a tracked value, in graph order."""
    out = []
    for node in graph.nodes:
        if node.op not in ("Conv", "Gemm", "MatMul") or len(node.inputs) < 2 or not node.inputs[1].is_const:
            continue
        x = node.inputs[0]
        t = analysis.track(x) if x is not None and not x.is_const else None
        if t is None or len(t.axes) != 1:
            continue
        if node.op == "Conv" and (int(node.attrs.get("group", 1)) != 1 or t.axes != (1,)):
            continue
        if node.op == "Gemm" and t.axes != (1,):
            continue
        if node.op == "MatMul" and (node.inputs[1].const.ndim != 2 or t.axes != (len(x.shape) - 1,)):
            continue
        taps = int(np.prod(node.inputs[1].shape[2:])) if node.op == "Conv" else 1
        out.append(Consumer(node, x, analysis.class_of(x), taps))
    return out


@dataclass
class ChannelStats:
    """Per-channel statistics of a consumer's input: mean ``[C]`` and covariance ``[C, C]``."""

    mean: np.ndarray
    cov: np.ndarray

    @staticmethod
    def from_samples(rows: np.ndarray) -> "ChannelStats":
        mean = rows.mean(axis=0)
        centred = rows - mean
        return ChannelStats(mean, centred.T @ centred / max(len(rows), 1))

    @staticmethod
    def from_moments(mean: np.ndarray, var: np.ndarray) -> "ChannelStats":
        return ChannelStats(np.asarray(mean, dtype=np.float64), np.diag(np.maximum(var, 0.0)))

    def second_moment(self, taps: int) -> np.ndarray:
        """The augmented ``[D + 1, D + 1]`` E[z zᵀ] of this model (taps independent, same channel stats)."""
        mu = np.append(np.repeat(self.mean, taps), 1.0)
        h = np.outer(mu, mu)
        d = len(self.mean) * taps
        block = np.kron(self.cov, np.eye(taps))  # feature c·taps + t pairs with c'·taps + t
        h[:d, :d] += block
        return h
