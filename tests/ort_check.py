"""Compare sparsecc against onnxruntime.

Error measure (stated once, used everywhere): for each output,
``rel_err = max|got - expected| / max(max|expected|, 1e-6)``, i.e. the largest
absolute error relative to the output's scale (outputs are normalised by their
largest magnitude, so a tolerance means the same for every layer and model).
"""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir.evaluate import run_graph


def ort_run(model: onnx.ModelProto, feeds: dict) -> dict[str, np.ndarray]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds)))


def rel_err(got: np.ndarray, expected: np.ndarray) -> float:
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"shape {list(got.shape)} != expected {list(expected.shape)}")
    if expected.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(expected))), 1e-6)
    return float(np.max(np.abs(got - expected))) / scale


# worst rel_err seen per comparison label, reported at the end of the run (conftest.py)
WORST_ERRORS: dict[str, float] = {}


def _compare(what: str, got: dict, expected: dict, tol: float) -> float:
    worst = 0.0
    assert set(got) == set(expected), f"{what}: outputs {sorted(got)} != onnxruntime's {sorted(expected)}"
    for name, exp in expected.items():
        assert np.all(np.isfinite(got[name])), f"{what}: output {name!r} has NaN/Inf"
        err = rel_err(got[name], exp)
        worst = max(worst, err)
        WORST_ERRORS[what] = max(WORST_ERRORS.get(what, 0.0), err)
        assert err <= tol, f"{what}: output {name!r} rel_err {err:.3g} > tol {tol:g}"
    return worst


def assert_matches_ort(model: onnx.ModelProto, feeds: dict, tol: float = 1e-5, input_shapes=None,
                       label: str = "") -> float:
    """Check the IR's numpy reference and the compiled C++ runtime against onnxruntime.

    Returns the worst rel_err seen.
    """
    label = label or model.graph.name
    expected = ort_run(model, feeds)
    graph = import_onnx(model, input_shapes=input_shapes)
    worst = _compare(f"{label} [numpy reference]", run_graph(graph, feeds), expected, tol)
    import sparsecc

    compiled = sparsecc.compile(model, input_shapes=input_shapes)
    sess = sparsecc.InferenceSession(compiled)
    names = [o.name for o in sess.get_outputs()]
    got = dict(zip(names, sess.run(None, feeds)))
    worst = max(worst, _compare(f"{label} [runtime]", got, expected, tol))
    return worst


def make_model(nodes, inputs, outputs, initializers=(), opset: int = 17, name: str = "test") -> onnx.ModelProto:
    """A checked ONNX model from helper-made parts."""
    from onnx import helper

    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs), initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model)
    return model
