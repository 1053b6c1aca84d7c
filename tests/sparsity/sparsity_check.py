"""Shared helpers for the group-sparsity tests: an independent group view of weights, a small
model with every sparsifiable op kind, and graphs after the canonical passes."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.passes import PassManager, canonical_passes

G_OF = {"g1": 1, "g2": 2, "g4": 4, "g8": 8}
MNIST = "tests/fixtures/mnist_cnn.onnx"
MNIST_DATA = "tests/fixtures/mnist_data.npz"


def canonical(model, input_shapes=None):
    graph = import_onnx(model, input_shapes=input_shapes)
    PassManager(canonical_passes()).run(graph)
    return graph


def as_rows(node) -> np.ndarray:
    """Weights as [output features, input features, taps], written out per op (not the pass's code)."""
    w = np.asarray(node.inputs[1].const)
    if node.op == "Conv":
        return w.reshape(w.shape[0], w.shape[1], -1)
    if node.op == "Gemm":
        return w[:, :, None]
    return w.T[:, :, None]  # MatMul B[K, N]


def group_sums(w3: np.ndarray, g: int, fn) -> np.ndarray:
    """``fn`` of every group (rows b·g..b·g+g-1 × one input channel × all taps), loop form."""
    rows, chans = w3.shape[:2]
    nb = -(-rows // g)
    out = np.zeros((nb, chans))
    for b in range(nb):
        for c in range(chans):
            out[b, c] = fn(w3[b * g:(b + 1) * g, c, :])
    return out


def zero_group_mask(node, g: int) -> np.ndarray:
    return group_sums(as_rows(node), g, lambda blk: float(np.all(blk == 0.0))) > 0


def magnitude_zeroed(w3: np.ndarray, g: int, k: int) -> np.ndarray:
    """``w3`` with its ``k`` groups of lowest L2 norm set to zero."""
    norms = group_sums(w3, g, lambda blk: float(np.sum(blk.astype(np.float64) ** 2)))
    out = w3.copy()
    for flat in np.argsort(norms.ravel(), kind="stable")[:k]:
        b, c = divmod(int(flat), norms.shape[1])
        out[b * g:(b + 1) * g, c, :] = 0.0
    return out


def set_rows(graph, node, w3: np.ndarray) -> None:
    old = node.inputs[1]
    if node.op == "Conv":
        arr = w3.reshape(old.shape)
    elif node.op == "Gemm":
        arr = w3[:, :, 0]
    else:
        arr = w3[:, :, 0].T
    node.inputs[1] = graph.const(old.name, np.ascontiguousarray(arr, dtype=np.float32))


def mixed_model(seed: int = 0) -> onnx.ModelProto:
    """Conv 6->10 (3x3, the first conv), Relu, Conv 10->12 (1x1), GAP, Flatten, Gemm 12->20, Relu,
    MatMul B[20, 7] (the final, small classifier). Row counts 10/12/20/7 leave short last blocks."""
    rng = np.random.default_rng(seed)
    t = lambda name, *shape: numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)  # noqa
    inits = [t("w1", 10, 6, 3, 3), t("b1", 10), t("w2", 12, 10, 1, 1), t("wg", 20, 12), t("bg", 20),
             t("wm", 20, 7)]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2"),
             helper.make_node("GlobalAveragePool", ["c2"], ["p"], name="gap"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "wg", "bg"], ["g"], name="fc", transB=1),
             helper.make_node("Relu", ["g"], ["gr"], name="relu2"),
             helper.make_node("MatMul", ["gr", "wm"], ["y"], name="classifier")]
    graph = helper.make_graph(nodes, "mixed", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 6, 9, 9])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 7])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def mnist_data():
    d = np.load(MNIST_DATA)
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return prep(d["test_x"]), d["test_y"], prep(d["calib_x"])
