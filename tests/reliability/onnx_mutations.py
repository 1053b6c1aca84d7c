"""Structure-aware mutations of ONNX models, driven by any source of choices.

A ``Chooser`` answers ``int(lo, hi)`` (inclusive) and ``choice(seq)``; the hypothesis
test draws them from ``st.data()`` (so failures shrink), the atheris harness from its
FuzzedDataProvider. ``mutate(model_bytes, chooser)`` applies 1-3 mutations and returns
a ModelProto or, for the byte-level mutations, bytes:

  drop a node, rewire / swap a node's inputs, set an attribute to a value of any type,
  remove an attribute, change an op type, change a graph input's dims, change an
  initializer's dims or dtype, change the opset; truncate or flip serialized bytes.
"""
from __future__ import annotations

import math

import onnx
from onnx import AttributeProto, TensorProto, helper

ATTR_NAMES = ["axis", "axes", "group", "strides", "pads", "kernel_shape", "dilations", "perm", "epsilon", "alpha",
              "mode", "keepdims", "transB", "split", "to", "ceil_mode", "approximate", "output_padding"]
OP_TYPES = ["Relu", "Add", "Mul", "Conv", "MaxPool", "Reshape", "Transpose", "Concat", "Softmax", "Gemm", "MatMul",
            "Identity", "Flatten", "Squeeze", "Unsqueeze", "Slice", "Gather", "ReduceMean", "Clip", "Pad",
            "BatchNormalization", "Resize", "Split", "Shape", "Cast", "Expand", "Tile", "Where", "NoSuchOp"]
STRINGS = ["", "nearest", "linear", "reflect", "edge", "constant", "tanh", "none", "NOTSET", "\xff"]
DTYPES = [TensorProto.FLOAT, TensorProto.INT64, TensorProto.DOUBLE, TensorProto.FLOAT16, TensorProto.INT32,
          TensorProto.BOOL, TensorProto.STRING, TensorProto.UINT8]


class Chooser:
    def int(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def choice(self, seq):
        return seq[self.int(0, len(seq) - 1)]


def _small_int(c: Chooser) -> int:
    return c.choice([-2, -1, 0, 1, 2, 3, 4, c.int(-8, 12)])


def _attr_value(c: Chooser):
    kind = c.int(0, 5)
    if kind == 0:
        return _small_int(c)
    if kind == 1:
        return [_small_int(c) for _ in range(c.int(0, 5))]
    if kind == 2:
        return c.choice([0.0, 1e-5, 0.5, -1.0, 3.0, math.inf, math.nan])
    if kind == 3:
        return [c.choice([0.0, 0.5, 2.0, -1.0]) for _ in range(c.int(0, 4))]
    if kind == 4:
        return c.choice(STRINGS)
    return [c.choice(STRINGS) for _ in range(c.int(0, 3))]


def _names(graph: onnx.GraphProto) -> list[str]:
    names = [vi.name for vi in graph.input] + [t.name for t in graph.initializer]
    names += [o for n in graph.node for o in n.output]
    return names + ["", "no_such_tensor"]


def _pick_node(m: onnx.ModelProto, c: Chooser):
    return m.graph.node[c.int(0, len(m.graph.node) - 1)] if m.graph.node else None


def drop_node(m, c):
    if m.graph.node:
        del m.graph.node[c.int(0, len(m.graph.node) - 1)]


def rewire_input(m, c):
    node = _pick_node(m, c)
    if node is not None and node.input:
        node.input[c.int(0, len(node.input) - 1)] = c.choice(_names(m.graph))


def swap_inputs(m, c):
    node = _pick_node(m, c)
    if node is not None and len(node.input) >= 2:
        i, j = c.int(0, len(node.input) - 1), c.int(0, len(node.input) - 1)
        node.input[i], node.input[j] = node.input[j], node.input[i]


def set_attribute(m, c):
    node = _pick_node(m, c)
    if node is None:
        return
    existing = [a.name for a in node.attribute]
    name = c.choice(existing + ATTR_NAMES) if existing else c.choice(ATTR_NAMES)
    value = _attr_value(c)
    kept = [a for a in node.attribute if a.name != name]
    del node.attribute[:]
    node.attribute.extend(kept)
    if isinstance(value, list) and not value:  # make_attribute cannot type an empty list
        node.attribute.append(helper.make_attribute(name, [], attr_type=c.choice(
            [AttributeProto.INTS, AttributeProto.FLOATS, AttributeProto.STRINGS])))
    else:
        node.attribute.append(helper.make_attribute(name, value))


def remove_attribute(m, c):
    node = _pick_node(m, c)
    if node is not None and node.attribute:
        del node.attribute[c.int(0, len(node.attribute) - 1)]


def change_op_type(m, c):
    node = _pick_node(m, c)
    if node is not None:
        node.op_type = c.choice(OP_TYPES)


def change_input_dims(m, c):
    inputs = [vi for vi in m.graph.input if vi.name not in {t.name for t in m.graph.initializer}]
    if not inputs:
        return
    vi = c.choice(inputs)
    dims = vi.type.tensor_type.shape.dim
    if c.int(0, 2) == 0:  # another rank
        new = [c.choice([0, 1, 2, 3, 4, 6, 8, "N"]) for _ in range(c.int(0, 5))]
    else:  # same rank, one dim changed
        new = [d.dim_param or d.dim_value for d in dims]
        if new:
            new[c.int(0, len(new) - 1)] = c.choice([0, 1, 2, 3, 5, 7, "N", -1])
    shape = vi.type.tensor_type.shape
    del shape.dim[:]
    for d in new:
        if isinstance(d, str):
            shape.dim.add().dim_param = d
        else:
            shape.dim.add().dim_value = d
    if c.int(0, 4) == 0:
        vi.type.tensor_type.elem_type = c.choice(DTYPES)


def change_initializer(m, c):
    if not m.graph.initializer:
        return
    t = m.graph.initializer[c.int(0, len(m.graph.initializer) - 1)]
    what = c.int(0, 3)
    if what == 0:  # claim other dims (data no longer matches, or a reshaped view of it)
        n = 1
        for d in t.dims:
            n *= d
        new = c.choice([[n], [1, n], [n, 1], [c.int(0, 9)], [], [c.int(0, 4), c.int(0, 4)]])
        del t.dims[:]
        t.dims.extend(new)
    elif what == 1:
        t.data_type = c.choice(DTYPES)
    elif what == 2 and t.raw_data:
        t.raw_data = t.raw_data[: c.int(0, len(t.raw_data))]
    else:
        t.name = c.choice(_names(m.graph))


def change_opset(m, c):
    for imp in m.opset_import:
        if imp.domain in ("", "ai.onnx"):
            imp.version = c.int(9, 23)


MODEL_MUTATIONS = [drop_node, rewire_input, swap_inputs, set_attribute, remove_attribute, change_op_type,
                   change_input_dims, change_initializer, change_opset]


def truncate_bytes(data: bytes, c: Chooser) -> bytes:
    return data[: c.int(0, max(0, len(data) - 1))]


def flip_bytes(data: bytes, c: Chooser) -> bytes:
    b = bytearray(data)
    for _ in range(c.int(1, 8)):
        if b:
            b[c.int(0, len(b) - 1)] ^= 1 << c.int(0, 7)
    return bytes(b)


BYTE_MUTATIONS = [truncate_bytes, flip_bytes]


def mutate(seed: bytes, c: Chooser):
    """1-3 model mutations of ``seed``; sometimes a byte mutation instead. ModelProto or bytes."""
    if c.int(0, 5) == 0:
        return c.choice(BYTE_MUTATIONS)(seed, c)
    m = onnx.ModelProto()
    m.ParseFromString(seed)
    for _ in range(c.int(1, 3)):
        c.choice(MODEL_MUTATIONS)(m, c)
    return m
