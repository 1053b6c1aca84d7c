"""A tiny graph builder shared by the zoo models.

``NetBuilder`` appends ONNX nodes and float32 initialisers and, at the same
time, pushes a seeded random *calibration batch* through the network with
numpy. The calibration values serve two purposes:

* shapes (channels, spatial size) are read off the propagated arrays, so the
  model builders never track them by hand;
* every ``BatchNormalization`` gets running mean/var equal to the per-channel
  mean/var of its input on the calibration batch, so each BN output is
  normalised (about zero mean, unit variance before gamma/beta) and
  activations stay O(1) through arbitrarily deep networks.

Weights use He/fan-in scaling (std = sqrt(2 / fan_in) before ReLU-like
activations, sqrt(1 / fan_in) for linear layers).
"""
from __future__ import annotations

import math

import numpy as np
import onnx
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, helper, numpy_helper

BN_EPS = 1e-5


def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round a channel count to a multiple of ``divisor`` (never below 90% of ``v``)."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def check_common(model: str, opset: int, min_opset: int, input_size: int, min_size: int, width: float) -> None:
    """Reject parameter values a builder cannot honour, naming the model."""
    if not min_opset <= opset <= 21:
        raise ValueError(f"{model}: opset {opset} not supported (use {min_opset}..21)")
    if input_size < min_size:
        raise ValueError(f"{model}: input_size {input_size} is too small (minimum {min_size})")
    if not width > 0:
        raise ValueError(f"{model}: width multiplier must be > 0, got {width}")


# --------------------------------------------------------------------------- numpy forward

def np_conv2d(x, w, b, stride: int, pad: int, group: int) -> np.ndarray:
    """Grouped 2-D cross-correlation (NCHW), the calibration forward of ``Conv``."""
    n, c, _, _ = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]  # N,C,OH,OW,kh,kw
    oh, ow = win.shape[2], win.shape[3]
    if cg == 1 and m == group == c:  # depthwise
        out = np.einsum("nchwij,cij->nchw", win, w[:, 0], optimize=True)
    else:
        win = win.reshape(n, group, cg, oh, ow, kh, kw)
        wg = w.reshape(group, m // group, cg, kh, kw)
        out = np.einsum("ngchwij,gmcij->ngmhw", win, wg, optimize=True).reshape(n, m, oh, ow)
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out.astype(np.float32)


def np_maxpool(x, k: int, stride: int, pad: int) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    return sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::stride, ::stride].max(axis=(4, 5))


def np_hardsigmoid(x, alpha: float, beta: float) -> np.ndarray:
    return np.clip(alpha * x + beta, 0.0, 1.0).astype(np.float32)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hardswish": lambda x: x * np_hardsigmoid(x, 1 / 6, 0.5),
    "none": lambda x: x,
}


# --------------------------------------------------------------------------- builder

class NetBuilder:
    """Collects nodes and initialisers; propagates a calibration batch alongside.

    ``x = b.input("input", [1, 3, 224, 224], calib_batch=2)`` starts the network;
    each layer method takes a value name and returns the name of its output.
    ``b.shape(x)`` is the calibration array's shape (batch = calibration batch).
    """

    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.calib_rng = np.random.default_rng([seed, 1])  # independent stream: weights don't depend on it
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.vals: dict[str, np.ndarray] = {}
        self._names: set[str] = set()  # tensor names
        self._node_names: set[str] = set()
        self._consts: dict[tuple, str] = {}

    # ---- plumbing
    def _unique(self, name: str) -> str:
        if name in self._names:
            raise ValueError(f"{self.name}: duplicate tensor name {name!r}")
        self._names.add(name)
        return name

    def input(self, name: str, shape: list[int], calib_batch: int | None = None) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        cshape = [calib_batch or shape[0]] + list(shape[1:])
        self.vals[name] = self.calib_rng.standard_normal(cshape).astype(np.float32)
        return self._unique(name)

    def param(self, name: str, arr: np.ndarray) -> str:
        """Add an initialiser (float32 unless integer) and return its name."""
        arr = np.asarray(arr)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        self.inits.append(numpy_helper.from_array(arr, self._unique(name)))
        self.vals[name] = arr
        return name

    def const(self, arr, dtype=np.float32) -> str:
        """A shared constant initialiser (scalars, shapes), created once per value."""
        arr = np.asarray(arr, dtype=dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if key not in self._consts:
            tag = "_".join(str(v).replace("-", "m").replace(".", "p") for v in arr.ravel()[:6])
            self._consts[key] = self.param(f"const_{arr.dtype.name}_{tag or 'empty'}", arr)
        return self._consts[key]

    def op(self, op_type: str, inputs: list[str], name: str, value=None, out: str | None = None,
           doc: str | None = None, **attrs) -> str:
        """Append one node named ``name``; its single output is ``out`` (default: ``name``)."""
        out = out or name
        node = helper.make_node(op_type, inputs, [out], name=name, **attrs)
        if doc:
            node.doc_string = doc
        if name in self._node_names:
            raise ValueError(f"{self.name}: duplicate node name {name!r}")
        self._node_names.add(name)
        self._unique(out)
        self.nodes.append(node)
        if value is not None:
            self.vals[out] = np.asarray(value, dtype=np.float32)
        return out

    def shape(self, x: str) -> tuple[int, ...]:
        return self.vals[x].shape

    def channels(self, x: str) -> int:
        return self.shape(x)[1]

    def he(self, shape, fan_in: int, gain: float = 2.0) -> np.ndarray:
        return (self.rng.standard_normal(shape) * math.sqrt(gain / fan_in)).astype(np.float32)

    # ---- layers
    def conv(self, x: str, cout: int, k: int, name: str, stride: int = 1, group: int = 1,
             bias: bool = False, gain: float = 2.0) -> str:
        cin = self.channels(x)
        if cin % group or cout % group:
            raise ValueError(f"{self.name}: {name}: channels {cin}->{cout} not divisible by group {group}")
        w = self.he((cout, cin // group, k, k), fan_in=cin // group * k * k, gain=gain)
        inputs = [x, self.param(f"{name}.weight", w)]
        b = None
        if bias:
            b = (self.rng.standard_normal(cout) * 0.1).astype(np.float32)
            inputs.append(self.param(f"{name}.bias", b))
        pad = k // 2
        y = np_conv2d(self.vals[x], w, b, stride, pad, group)
        return self.op("Conv", inputs, name, y, kernel_shape=[k, k], strides=[stride, stride],
                       pads=[pad] * 4, group=group)

    def bn(self, x: str, name: str) -> str:
        """BatchNormalization whose running stats are measured on the calibration batch."""
        v = self.vals[x].astype(np.float64)
        c = v.shape[1]
        axes = tuple(i for i in range(v.ndim) if i != 1)
        mean, var = v.mean(axis=axes), v.var(axis=axes) + 1e-3  # keep var > 0 for dead channels
        gamma = self.rng.uniform(0.75, 1.25, c)
        beta = self.rng.normal(0.0, 0.1, c)
        shape = [1, c] + [1] * (v.ndim - 2)
        scale = (gamma / np.sqrt(var + BN_EPS)).reshape(shape)
        y = (v - mean.reshape(shape)) * scale + beta.reshape(shape)
        names = [self.param(f"{name}.{p}", a) for p, a in
                 (("weight", gamma), ("bias", beta), ("running_mean", mean), ("running_var", var))]
        return self.op("BatchNormalization", [x] + names, name, y, epsilon=BN_EPS)

    def act(self, x: str, kind: str, name: str) -> str:
        """Activation by name: relu (Relu), relu6 (Clip 0..6), hardswish (HardSwish), none."""
        if kind not in ACTIVATIONS:
            raise ValueError(f"{self.name}: {name}: unknown activation {kind!r} (one of {sorted(ACTIVATIONS)})")
        if kind == "none":
            return x
        y = ACTIVATIONS[kind](self.vals[x])
        if kind == "relu":
            return self.op("Relu", [x], name, y)
        if kind == "relu6":
            return self.op("Clip", [x, self.const(0.0), self.const(6.0)], name, y)
        return self.op("HardSwish", [x], name, y)

    def conv_bn_act(self, x: str, cout: int, k: int, name: str, stride: int = 1, group: int = 1,
                    act: str = "relu") -> str:
        """Conv (no bias) -> BatchNormalization -> activation, named ``name.conv/.bn/.act``."""
        y = self.conv(x, cout, k, f"{name}.conv", stride=stride, group=group)
        y = self.bn(y, f"{name}.bn")
        return self.act(y, act, f"{name}.act")

    def depthwise(self, x: str, k: int, name: str, stride: int = 1, act: str = "relu") -> str:
        """Depthwise k x k conv (group = channels) -> BN -> activation."""
        c = self.channels(x)
        return self.conv_bn_act(x, c, k, name, stride=stride, group=c, act=act)

    def add(self, a: str, b: str, name: str) -> str:
        return self.op("Add", [a, b], name, self.vals[a] + self.vals[b])

    def mul(self, a: str, b: str, name: str) -> str:
        return self.op("Mul", [a, b], name, self.vals[a] * self.vals[b])

    def relu(self, x: str, name: str) -> str:
        return self.act(x, "relu", name)

    def hardsigmoid(self, x: str, name: str) -> str:
        """HardSigmoid with PyTorch's slope (x/6 + 0.5), as MobileNetV3 uses it."""
        return self.op("HardSigmoid", [x], name, np_hardsigmoid(self.vals[x], 1 / 6, 0.5), alpha=1 / 6, beta=0.5)

    def maxpool(self, x: str, k: int, stride: int, name: str) -> str:
        pad = k // 2
        y = np_maxpool(self.vals[x], k, stride, pad)
        return self.op("MaxPool", [x], name, y, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)

    def global_avg_pool(self, x: str, name: str) -> str:
        return self.op("GlobalAveragePool", [x], name, self.vals[x].mean(axis=(2, 3), keepdims=True))

    def flatten(self, x: str, name: str) -> str:
        v = self.vals[x]
        return self.op("Flatten", [x], name, v.reshape(v.shape[0], -1), axis=1)

    def gemm(self, x: str, cout: int, name: str, out: str | None = None, gain: float = 1.0) -> str:
        """Gemm with transB=1: weight [cout, cin] (fan-in scaled), bias [cout]."""
        cin = self.shape(x)[1]
        w = self.he((cout, cin), fan_in=cin, gain=gain)
        b = (self.rng.standard_normal(cout) * 0.01).astype(np.float32)
        y = self.vals[x] @ w.T + b
        return self.op("Gemm", [x, self.param(f"{name}.weight", w), self.param(f"{name}.bias", b)],
                       name, y, out=out, transB=1)

    def classifier(self, x: str, num_classes: int, out: str = "logits") -> str:
        """GlobalAveragePool -> Flatten -> Gemm, the usual CNN head."""
        x = self.global_avg_pool(x, "head.pool")
        x = self.flatten(x, "head.flatten")
        return self.gemm(x, num_classes, "head.fc", out=out)

    # ---- finish
    def model(self, outputs: list[tuple[str, list[int]]], doc: str, opset: int) -> onnx.ModelProto:
        """The checked ModelProto (``onnx.checker.check_model(full_check=True)``)."""
        outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs]
        graph = helper.make_graph(self.nodes, self.name, self.inputs, outs, initializer=self.inits, doc_string=doc)
        ops = [helper.make_opsetid("", opset)]
        model = helper.make_model(graph, opset_imports=ops, producer_name="sparsecc.zoo",
                                  doc_string=doc, ir_version=helper.find_min_ir_version_for(ops))
        model.model_version = 1
        onnx.checker.check_model(model, full_check=True)
        return model
