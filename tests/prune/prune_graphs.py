"""Hand-made ONNX graphs with the couplings that break channel pruners (seeded weights).

Every builder returns a checked ``onnx.ModelProto`` with one input ``x`` and
float32 outputs; ``GRAPHS`` maps a readable name to the builder.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ort_check import make_model


class G:
    """A tiny builder: ``conv``/``bn``/``node`` append nodes, weights are seeded random."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.n = 0

    def name(self, base: str) -> str:
        self.n += 1
        return f"{base}{self.n}"

    def const(self, base: str, arr) -> str:
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name))
        return name

    def randn(self, *shape, scale=0.5):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def node(self, op: str, inputs, n_out: int = 1, **attrs):
        name = self.name(op.lower())
        outs = [f"{name}_out{i}" for i in range(n_out)] if n_out > 1 else [name]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return outs if n_out > 1 else outs[0]

    def conv(self, x: str, cin: int, cout: int, k: int = 3, group: int = 1, bias: bool = True) -> str:
        w = self.const("w", self.randn(cout, cin // group, k, k, scale=1.0 / np.sqrt(cin // group * k * k)))
        ins = [x, w] + ([self.const("b", self.randn(cout))] if bias else [])
        return self.node("Conv", ins, pads=[k // 2] * 4, group=group)

    def bn(self, x: str, c: int) -> str:
        r = self.rng
        params = [self.const("gamma", r.uniform(0.5, 1.5, c)), self.const("beta", r.standard_normal(c) * 0.1),
                  self.const("mean", r.standard_normal(c) * 0.1), self.const("var", r.uniform(0.5, 1.5, c))]
        return self.node("BatchNormalization", [x] + params)

    def linear(self, x: str, din: int, dout: int) -> str:
        y = self.node("MatMul", [x, self.const("wl", self.randn(din, dout, scale=1.0 / np.sqrt(din)))])
        return self.node("Add", [y, self.const("bl", self.randn(dout, scale=0.1))])

    def model(self, x_shape, outputs: list[str], name: str) -> onnx.ModelProto:
        ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))]
        draft = helper.make_model(helper.make_graph(self.nodes, name, ins, [
            helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], initializer=self.inits),
            opset_imports=[helper.make_opsetid("", 17)])
        outs = onnx.shape_inference.infer_shapes(draft, strict_mode=True).graph.output
        return make_model(self.nodes, ins, list(outs), self.inits, name=name)


def residual_chain():
    """conv-bn-relu, then two residual blocks sharing one channel space, GAP, Gemm."""
    g = G(1)
    h = g.node("Relu", [g.bn(g.conv("x", 3, 8), 8)])
    for _ in range(2):
        y = g.node("Relu", [g.bn(g.conv(h, 8, 6), 6)])
        y = g.bn(g.conv(y, 6, 8), 8)
        h = g.node("Relu", [g.node("Add", [h, y])])
    p = g.node("Flatten", [g.node("GlobalAveragePool", [h])])
    out = g.node("Gemm", [p, g.const("fc", g.randn(5, 8)), g.const("fcb", g.randn(5))], transB=1)
    return g.model([1, 3, 8, 8], [out], "residual_chain")


def concat_branches():
    """Two conv branches (5 and 7 channels) concatenated on channels, then a conv."""
    g = G(2)
    a = g.node("Relu", [g.conv("x", 3, 5)])
    b = g.node("Relu", [g.conv("x", 3, 7, k=1)])
    c = g.node("Concat", [a, b], axis=1)
    return g.model([1, 3, 6, 6], [g.conv(c, 12, 4)], "concat_branches")


def concat_same_twice():
    """The same 6-channel tensor concatenated with itself, then a conv reading all 12."""
    g = G(3)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    c = g.node("Concat", [a, a], axis=1)
    return g.model([1, 3, 6, 6], [g.conv(c, 12, 4)], "concat_same_twice")


def split_channels():
    """A 8-channel conv split 3 + 5 on channels; each part has its own conv; summed."""
    g = G(4)
    a = g.node("Relu", [g.conv("x", 3, 8)])
    s1, s2 = g.node("Split", [a, g_split(g, [3, 5])], n_out=2, axis=1)
    return g.model([1, 3, 6, 6], [g.node("Add", [g.conv(s1, 3, 4), g.conv(s2, 5, 4, k=1)])], "split_channels")


def g_split(g: G, sizes) -> str:
    name = g.name("split_sizes")
    g.inits.append(numpy_helper.from_array(np.array(sizes, dtype=np.int64), name))
    return name


def depthwise(multiplier: int = 1):
    """Pointwise conv (6 ch) -> depthwise 3x3 (group 6, multiplier k) -> BN -> relu -> pointwise."""
    def build():
        g = G(5 + multiplier)
        p = g.node("Relu", [g.conv("x", 3, 6, k=1)])
        d = g.node("Relu", [g.bn(g.conv(p, 6, 6 * multiplier, group=6), 6 * multiplier)])
        return g.model([1, 3, 6, 6], [g.conv(d, 6 * multiplier, 4, k=1)], f"depthwise_x{multiplier}")
    return build


def grouped(groups: int):
    """conv (8 ch) -> grouped 3x3 conv (8 -> 8, ``groups`` groups) -> relu -> conv."""
    def build():
        g = G(10 + groups)
        a = g.node("Relu", [g.conv("x", 3, 8)])
        b = g.node("Relu", [g.conv(a, 8, 8, group=groups)])
        return g.model([1, 3, 6, 6], [g.conv(b, 8, 4, k=1)], f"grouped_{groups}")
    return build


def one_channel():
    """A conv with ONE output channel, then a conv from that 1 channel to 6 (group=1: not depthwise)."""
    g = G(6)
    a = g.node("Relu", [g.conv("x", 3, 1)])
    b = g.node("Relu", [g.conv(a, 1, 6)])
    return g.model([1, 3, 6, 6], [g.conv(b, 6, 3, k=1)], "one_channel")


def flatten_gemm():
    """conv (6 ch, 3x3 map) -> relu -> Flatten -> Gemm (54 -> 5): channel c owns features [9c, 9c+9)."""
    g = G(7)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    f = g.node("Flatten", [a])
    out = g.node("Gemm", [f, g.const("fc", g.randn(5, 54)), g.const("fcb", g.randn(5))], transB=1)
    return g.model([1, 3, 3, 3], [out], "flatten_gemm")


def se_block():
    """x = conv-relu (8 ch); s = GAP -> conv(8->4) -> relu -> conv(4->8) -> HardSigmoid; Mul(x, s) -> conv."""
    g = G(8)
    x = g.node("Relu", [g.conv("x", 3, 8)])
    s = g.node("Relu", [g.conv(g.node("GlobalAveragePool", [x]), 8, 4, k=1)])
    s = g.node("HardSigmoid", [g.conv(s, 4, 8, k=1)])
    return g.model([1, 3, 6, 6], [g.conv(g.node("Mul", [x, s]), 8, 4, k=1)], "se_block")


def attention(seq: int = 5, d: int = 16, heads: int = 4):
    """Self-attention: Q/K/V linear, split heads, QK^T, softmax, .V, merge heads, output projection."""
    def build():
        g = G(9)
        dh = d // heads
        shape_h = g_split(g, [1, seq, heads, dh])
        q, k, v = (g.node("Reshape", [g.linear("x", d, d), shape_h]) for _ in range(3))
        q = g.node("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.node("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.node("Transpose", [v], perm=[0, 2, 1, 3])
        s = g.node("Div", [g.node("MatMul", [q, k]), g.const("scale", np.float32(np.sqrt(dh)))])
        ctx = g.node("MatMul", [g.node("Softmax", [s], axis=-1), v])
        ctx = g.node("Reshape", [g.node("Transpose", [ctx], perm=[0, 2, 1, 3]), g_split(g, [1, seq, d])])
        return g.model([1, seq, d], [g.linear(ctx, d, d)], "attention")
    return build


def mlp_layernorm():
    """fc1 (16 -> 12) -> LayerNorm over the 12 features -> fc2: fc1's channels are a barrier."""
    g = G(11)
    h = g.linear("x", 8, 12)
    h = g.node("LayerNormalization", [h, g.const("ln_s", g.randn(12)), g.const("ln_b", g.randn(12))], axis=-1)
    h = g.linear(g.node("Relu", [h]), 12, 6)
    return g.model([1, 4, 8], [h], "mlp_layernorm")


def gather_channels():
    """conv (6 ch) -> Gather of channels [0, 2, 4] (a channel-selecting op with no rule) -> conv."""
    g = G(12)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    idx = g.name("idx")
    g.inits.append(numpy_helper.from_array(np.array([0, 2, 4], dtype=np.int64), idx))
    b = g.node("Gather", [a, idx], axis=1)
    return g.model([1, 3, 5, 5], [g.conv(b, 3, 4)], "gather_channels")


def intermediate_output():
    """conv1 (6 ch) is also a graph output; conv2 (5 ch) is internal."""
    g = G(13)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    b = g.node("Relu", [g.conv(a, 6, 5)])
    return g.model([1, 3, 5, 5], [a, g.conv(b, 5, 2)], "intermediate_output")


def conv_transpose():
    """conv (6 ch) -> ConvTranspose 2x2 stride 2 (6 -> 5) -> relu -> conv: both sides of a ConvTranspose."""
    g = G(14)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    w = g.const("wt", g.randn(6, 5, 2, 2, scale=0.3))
    b = g.node("Relu", [g.node("ConvTranspose", [a, w, g.const("bt", g.randn(5))], strides=[2, 2])])
    return g.model([1, 3, 4, 4], [g.conv(b, 5, 3)], "conv_transpose")


def data_movement():
    """conv (6 ch) -> Pad (spatial) -> MaxPool -> Resize x2 -> Slice (spatial crop) -> ReduceMean (W) -> conv."""
    g = G(15)
    a = g.node("Relu", [g.conv("x", 3, 6)])
    pads = g.name("pads")
    g.inits.append(numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64), pads))
    p = g.node("MaxPool", [g.node("Pad", [a, pads])], kernel_shape=[2, 2], strides=[2, 2])
    scales = g.const("scales", np.array([1, 1, 2, 2], np.float32))
    r = g.node("Resize", [p, "", scales], mode="nearest")
    starts, ends, axes = (g_split(g, v) for v in ([1, 1], [5, 4], [2, 3]))
    sl = g.node("Slice", [r, starts, ends, axes])
    m = g.node("ReduceMean", [sl], axes=[3], keepdims=1)
    return g.model([1, 3, 6, 6], [g.conv(m, 6, 2)], "data_movement")


GRAPHS = {
    "residual_chain": residual_chain, "concat_branches": concat_branches, "concat_same_twice": concat_same_twice,
    "split_channels": split_channels, "depthwise_x1": depthwise(1), "depthwise_x2": depthwise(2),
    "grouped_2": grouped(2), "grouped_4": grouped(4), "one_channel": one_channel, "flatten_gemm": flatten_gemm,
    "se_block": se_block, "attention": attention(), "mlp_layernorm": mlp_layernorm,
    "gather_channels": gather_channels, "intermediate_output": intermediate_output,
    "conv_transpose": conv_transpose, "data_movement": data_movement,
}
