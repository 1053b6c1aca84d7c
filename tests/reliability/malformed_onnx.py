"""Malformed ONNX models for the reliability tests, built without onnx.checker (which
would refuse most of them). Each builder returns (model, what the error must name)."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def raw_model(nodes, inputs, outputs, inits=(), opset=17) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "malformed", inputs, outputs, initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def relu(shape, opset=17):
    return raw_model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", shape)], [vi("y", shape)],
                     opset=opset)


def missing_initializer():
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")
    return raw_model([node], [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 6, 6])]), ["conv1", "'w'"]


def cycle():
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="add_a"),
             helper.make_node("Relu", ["a"], ["b"], name="relu_b"),
             helper.make_node("Neg", ["b"], ["y"], name="neg_y")]
    return raw_model(nodes, [vi("x", [2])], [vi("y", [2])]), ["cycle", "add_a", "relu_b"]


def written_twice():
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="first_writer"),
             helper.make_node("Neg", ["x"], ["a"], name="second_writer"),
             helper.make_node("Abs", ["a"], ["y"], name="abs")]
    return raw_model(nodes, [vi("x", [2])], [vi("y", [2])]), ["first_writer", "second_writer", "'a'"]


def int64_input():
    return raw_model([helper.make_node("Relu", ["ids"], ["y"], name="r")], [vi("ids", [2], TensorProto.INT64)],
                     [vi("y", [2])]), ["'ids'", "INT64"]


def output_never_produced():
    return raw_model([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", [2])],
                     [vi("y", [2]), vi("nowhere", [2])]), ["'nowhere'"]


def declared_zero_dim():
    return relu([1, 0, 3]), ["'x'", "axis 1"]


def slice_to_empty():
    inits = [numpy_helper.from_array(np.array([v], np.int64), n) for n, v in (("st", 2), ("en", 2), ("ax", 1))]
    nodes = [helper.make_node("Slice", ["x", "st", "en", "ax"], ["s"], name="empty_slice"),
             helper.make_node("Relu", ["s"], ["y"], name="r")]
    return raw_model(nodes, [vi("x", [1, 4])], [vi("y", [1, 0])], inits), ["empty_slice", "no element"]


def huge_input():
    return relu([1, 3, 100000, 100000]), ["'x'", "100000"]


def huge_initializer_claim():
    """An initializer whose dims claim 40 GB while its data holds 16 bytes."""
    t = TensorProto(name="big", data_type=F, dims=[100000, 100000], raw_data=b"\0" * 16)
    node = helper.make_node("Add", ["x", "big"], ["y"], name="add")
    return raw_model([node], [vi("x", [1])], [vi("y", [100000, 100000])], [t]), ["'big'", "limit"]


def initializer_data_too_short():
    t = TensorProto(name="w", data_type=F, dims=[2, 3], raw_data=b"\0" * 16)
    node = helper.make_node("Add", ["x", "w"], ["y"], name="add")
    return raw_model([node], [vi("x", [2, 3])], [vi("y", [2, 3])], [t]), ["'w'"]


def external_data_not_loaded():
    t = TensorProto(name="w_ext", data_type=F, dims=[4], data_location=TensorProto.EXTERNAL)
    t.external_data.add(key="location", value="weights.bin")
    node = helper.make_node("Add", ["x", "w_ext"], ["y"], name="add")
    return raw_model([node], [vi("x", [4])], [vi("y", [4])], [t]), ["'w_ext'", "external"]


def _shape_const(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def expand_to_huge():
    node = helper.make_node("Expand", ["x", "shape"], ["y"], name="expand_huge")
    return raw_model([node], [vi("x", [1, 1])], [vi("y", [100000, 100000])],
                     [_shape_const("shape", [100000, 100000])]), ["expand_huge", "limit"]


def constant_of_shape_huge():
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["c"], name="const_of_shape"),
             helper.make_node("Add", ["x", "c"], ["y"], name="add")]
    return raw_model(nodes, [vi("x", [1, 1])], [vi("y", [100000, 100000])],
                     [_shape_const("shape", [100000, 100000])]), ["const_of_shape", "limit"]


def tile_to_huge():
    """Tile of a constant: folded at import time, so the fold's size check must refuse it."""
    nodes = [helper.make_node("Tile", ["c", "reps"], ["t"], name="tile_huge"),
             helper.make_node("Add", ["x", "t"], ["y"], name="add")]
    inits = [numpy_helper.from_array(np.ones((2, 2), np.float32), "c"), _shape_const("reps", [100000, 100000])]
    return raw_model(nodes, [vi("x", [1, 1])], [vi("y", [200000, 200000])], inits), ["tile_huge", "limit"]


def resize_to_huge():
    scales = numpy_helper.from_array(np.array([1, 1, 50000, 50000], np.float32), "scales")
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], name="resize_huge", mode="nearest")
    return raw_model([node], [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 100000, 100000])], [scales]), \
        ["resize_huge", "limit"]


def unsupported_opset(opset):
    return lambda: (relu([2, 3], opset=opset), [f"opset {opset}"])


# every malformed model that must be a CompileError, by name
CASES = {
    "missing initializer": missing_initializer,
    "cycle": cycle,
    "tensor written twice": written_twice,
    "int64 input": int64_input,
    "output never produced": output_never_produced,
    "declared zero dim": declared_zero_dim,
    "slice to empty": slice_to_empty,
    "huge input": huge_input,
    "huge initializer claim": huge_initializer_claim,
    "initializer data too short": initializer_data_too_short,
    "external data not loaded": external_data_not_loaded,
    "expand to huge": expand_to_huge,
    "constant of shape huge": constant_of_shape_huge,
    "tile to huge": tile_to_huge,
    "resize to huge": resize_to_huge,
    "opset 10": unsupported_opset(10),
    "opset 22": unsupported_opset(22),
}
