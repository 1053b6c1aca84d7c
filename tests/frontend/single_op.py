"""Build single-node ONNX models for the frontend op tests and check them against onnxruntime.

Tolerance used by the op tests: ``TOL = 1e-5`` relative to the output's largest
magnitude (``rel_err`` of tests/ort_check.py).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ort_check import assert_matches_ort, make_model

TOL = 1e-5


def op_model(op_type: str, node_inputs: list[str], feeds: dict, consts: dict | None = None,
             attrs: dict | None = None, opset: int = 17, n_outputs: int = 1) -> onnx.ModelProto:
    """One ``op_type`` node reading ``node_inputs`` ("" = absent); feeds become graph inputs
    (float32, their shapes), consts become initializers. Output types come from onnx shape inference."""
    consts = consts or {}
    outs = [f"y{i}" for i in range(n_outputs)]
    node = helper.make_node(op_type, node_inputs, outs, **(attrs or {}))
    g_in = [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, list(a.shape)) for n, a in feeds.items()]
    inits = [numpy_helper.from_array(np.asarray(a), n) for n, a in consts.items()]
    g_out = [helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, None) for o in outs]
    draft = helper.make_model(helper.make_graph([node], op_type, g_in, g_out, initializer=inits),
                              opset_imports=[helper.make_opsetid("", opset)])
    inferred = onnx.shape_inference.infer_shapes(draft, strict_mode=True).graph.output
    return make_model([node], g_in, list(inferred), inits, opset=opset, name=op_type)


def check_op(op_type: str, node_inputs: list[str], feeds: dict, consts: dict | None = None,
             attrs: dict | None = None, opset: int = 17, n_outputs: int = 1, tol: float = TOL) -> float:
    """Compare sparsecc with onnxruntime on one node; the failure label names op, shapes, attrs, opset."""
    feeds = {n: np.asarray(a, dtype=np.float32) for n, a in feeds.items()}  # 0-d arrays, not numpy scalars
    shapes = {n: list(np.shape(a)) for n, a in {**feeds, **(consts or {})}.items()}
    label = f"{op_type} opset {opset} inputs {shapes} attrs {attrs or {}}"
    model = op_model(op_type, node_inputs, feeds, consts, attrs, opset, n_outputs)
    return assert_matches_ort(model, feeds, tol=tol, label=label)


def uniform(rng: np.random.Generator, lo: float, hi: float, shape) -> np.ndarray:
    return np.asarray(rng.uniform(lo, hi, shape), dtype=np.float32)


def randn(rng: np.random.Generator, shape) -> np.ndarray:
    return np.asarray(rng.standard_normal(shape), dtype=np.float32)
