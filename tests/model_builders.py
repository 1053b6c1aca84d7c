"""Tiny ONNX graphs for pass/lowering/API tests (the zoo has the real models)."""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_check import make_model


def conv_bn_relu(cin=3, cout=8, size=10, opset=17, with_identity=True, seed=0):
    """input -> Conv(3x3, pad 1) -> BatchNorm -> Relu [-> Identity] -> output."""
    rng = np.random.default_rng(seed)
    inits = [
        numpy_helper.from_array(rng.standard_normal((cout, cin, 3, 3)).astype(np.float32) * 0.3, "w"),
        numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32), "b"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, cout).astype(np.float32), "gamma"),
        numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32), "beta"),
        numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32), "mean"),
        numpy_helper.from_array(rng.uniform(0.5, 2.0, cout).astype(np.float32), "var"),
    ]
    last = "relu" if not with_identity else "id"
    nodes = [
        helper.make_node("Conv", ["input", "w", "b"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["conv", "gamma", "beta", "mean", "var"], ["bn"], name="bn"),
        helper.make_node("Relu", ["bn"], ["relu"], name="relu"),
    ]
    if with_identity:
        nodes.append(helper.make_node("Identity", ["relu"], ["id"], name="identity"))
    nodes.append(helper.make_node("Identity", [last], ["output"], name="out_identity"))
    return make_model(nodes, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, cin, size, size])],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, cout, size, size])], inits, opset=opset,
                      name="conv_bn_relu")


def two_branch(size=8):
    """input -> Relu -> (Sigmoid, Tanh) -> Add -> output, and Relu also an output."""
    nodes = [
        helper.make_node("Relu", ["input"], ["r"], name="relu"),
        helper.make_node("Sigmoid", ["r"], ["s"], name="sig"),
        helper.make_node("Tanh", ["r"], ["t"], name="tanh"),
        helper.make_node("Add", ["s", "t"], ["sum"], name="add"),
    ]
    vi = helper.make_tensor_value_info
    return make_model(nodes, [vi("input", TensorProto.FLOAT, [1, 4, size, size])],
                      [vi("sum", TensorProto.FLOAT, [1, 4, size, size]), vi("r", TensorProto.FLOAT, [1, 4, size, size])], name="two_branch")
