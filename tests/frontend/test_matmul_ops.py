"""ONNX Gemm / MatMul -> IR, checked against onnxruntime.

Gemm is normalised by the frontend (transA -> Transpose, transB/alpha folded
into W, C -> bias or Add, runtime B -> MatMul); these tests cover each form.
Seeded random data; tolerance rel_err <= 1e-5 (max abs error relative to the
output's largest magnitude, see ort_check).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from ort_check import assert_matches_ort, make_model
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.frontend.onnx import import_onnx

TOL = 1e-5


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _model(op, tensors: dict, runtime: set, attrs: dict, opset: int, y_rank: int):
    """One ``op`` node over ``tensors`` (name -> array or None for an absent input);
    names in ``runtime`` are graph inputs, the others initializers."""
    inputs, inits, feeds, names = [], [], {}, []
    for name, arr in tensors.items():
        if arr is None:
            names.append("")
            continue
        names.append(name)
        if name in runtime:
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, arr.shape))
            feeds[name] = arr
        else:
            inits.append(numpy_helper.from_array(arr, name))
    while names and names[-1] == "":
        names.pop()
    node = helper.make_node(op, names, ["y"], name=f"{op.lower()}_node", **attrs)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [f"d{i}" for i in range(y_rank)])
    return make_model([node], inputs, [y], inits, opset=opset), feeds


M, K, N = 5, 7, 6
# (id, C shape or None, attrs)
GEMM_CASES = [
    ("plain_no_c", None, {}),
    ("c_vector_n", (N,), {}),
    ("c_row_1xn", (1, N), {}),
    ("c_full_mxn", (M, N), {}),
    ("c_column_mx1", (M, 1), {}),
    ("c_scalar", (), {}),
    ("c_one", (1,), {}),
    ("transB", (N,), {"transB": 1}),
    ("transA", (N,), {"transA": 1}),
    ("transA_transB", (M, N), {"transA": 1, "transB": 1}),
    ("alpha_beta", (N,), {"alpha": 0.5, "beta": 2.0}),
    ("alpha_beta_full_c", (M, N), {"alpha": -1.5, "beta": 0.25, "transB": 1}),
    ("beta_zero", (M, N), {"beta": 0.0}),
]


def _gemm_tensors(c_shape, attrs, key):
    rng = _rng("gemm", c_shape, sorted(attrs.items()), key)
    a = rng.standard_normal((K, M) if attrs.get("transA") else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if attrs.get("transB") else (K, N)).astype(np.float32)
    c = None if c_shape is None else rng.standard_normal(c_shape).astype(np.float32)
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("case", GEMM_CASES, ids=[c[0] for c in GEMM_CASES])
def test_gemm_with_constant_b_matches_onnxruntime(case, opset):
    name, c_shape, attrs = case
    model, feeds = _model("Gemm", _gemm_tensors(c_shape, attrs, opset), {"a"}, attrs, opset, 2)
    assert_matches_ort(model, feeds, TOL, label=f"Gemm {name} C={c_shape} {attrs} opset={opset}")


@pytest.mark.parametrize("c_runtime", [False, True], ids=["const_c", "runtime_c"])
@pytest.mark.parametrize("case", GEMM_CASES, ids=[c[0] for c in GEMM_CASES])
def test_gemm_with_runtime_b_matches_onnxruntime(case, c_runtime):
    name, c_shape, attrs = case
    runtime = {"a", "b"} | ({"c"} if c_runtime else set())
    model, feeds = _model("Gemm", _gemm_tensors(c_shape, attrs, "rt"), runtime, attrs, 13, 2)
    assert_matches_ort(model, feeds, TOL, label=f"Gemm {name} C={c_shape} {attrs} runtime={sorted(runtime)}")


@pytest.mark.parametrize("case", [c for c in GEMM_CASES if c[1] is not None], ids=lambda c: c[0])
def test_gemm_with_runtime_c_matches_onnxruntime(case):
    name, c_shape, attrs = case
    model, feeds = _model("Gemm", _gemm_tensors(c_shape, attrs, "rc"), {"a", "c"}, attrs, 17, 2)
    assert_matches_ort(model, feeds, TOL, label=f"Gemm {name} C={c_shape} (runtime C) {attrs}")


def test_gemm_constant_b_becomes_one_ir_gemm_with_bias():
    """transB, alpha, beta and a [1, N] C fold into a single IR Gemm (W, bias constants)."""
    attrs = {"transB": 1, "alpha": 2.0, "beta": 0.5}
    model, _ = _model("Gemm", _gemm_tensors((1, N), attrs, "fold"), {"a"}, attrs, 17, 2)
    graph = import_onnx(model)
    assert [n.op for n in graph.nodes] == ["Gemm"], [n.op for n in graph.nodes]
    w, bias = graph.nodes[0].inputs[1:]
    assert w.shape == (N, K) and bias.shape == (N,)


# (id, A shape, B shape)
MATMUL_CASES = [
    ("2d", (4, 5), (5, 3)),
    ("batched_3d_2d", (2, 4, 5), (5, 3)),
    ("batched_3d_3d", (2, 4, 5), (2, 5, 3)),
    ("broadcast_batch", (2, 1, 4, 5), (3, 5, 6)),
    ("vector_left", (5,), (5, 3)),
    ("vector_left_batched", (5,), (2, 5, 3)),
    ("vector_right", (4, 5), (5,)),
    ("vector_right_batched", (2, 3, 4, 5), (5,)),
    ("vector_vector", (5,), (5,)),
    ("odd_sizes", (1, 7), (7, 1)),
]


def _matmul_rank(a, b):
    return np.matmul(np.zeros(a), np.zeros(b)).ndim


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("b_const", [True, False], ids=["const_b", "runtime_b"])
@pytest.mark.parametrize("case", MATMUL_CASES, ids=[c[0] for c in MATMUL_CASES])
def test_matmul_matches_onnxruntime(case, b_const, opset):
    name, a_shape, b_shape = case
    rng = _rng("matmul", a_shape, b_shape, opset)
    tensors = {"a": rng.standard_normal(a_shape).astype(np.float32),
               "b": rng.standard_normal(b_shape).astype(np.float32)}
    runtime = {"a"} | (set() if b_const else {"b"})
    model, feeds = _model("MatMul", tensors, runtime, {}, opset, _matmul_rank(a_shape, b_shape))
    assert_matches_ort(model, feeds, TOL, label=f"MatMul {name} A{list(a_shape)} B{list(b_shape)} opset={opset}")


@pytest.mark.parametrize("op,a_shape,b_shape,expect", [
    ("MatMul", (4, 5), (6, 3), "inner dims differ"),
    ("MatMul", (2, 4, 5), (3, 5, 3), "do not broadcast"),
    ("Gemm", (4, 5), (6, 3), "inner dims differ"),
    ("Gemm", (2, 4, 5), (5, 3), "must be 2-D"),
], ids=["matmul_inner", "matmul_batch", "gemm_inner", "gemm_rank"])
def test_matmul_gemm_bad_shapes_give_clear_errors(op, a_shape, b_shape, expect):
    b = numpy_helper.from_array(np.ones(b_shape, np.float32), "b")
    node = helper.make_node(op, ["a", "b"], ["y"], name="bad_node")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("a", TensorProto.FLOAT, a_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(CompileError, match=expect) as e:
        import_onnx(model)
    assert "bad_node" in str(e.value)


@pytest.mark.parametrize("op,shapes,expect", [
    ("Gemm", [(4, 5), (6, 5), (5,)], r"bias must have shape \[6\]"),
    ("Gemm", [(4, 5), (5, 6)], "inner dims differ"),
    ("MatMul", [(5,), (5, 3)], "rank >= 2"),
], ids=["gemm_bias", "gemm_w_not_transposed", "matmul_rank1"])
def test_ir_matmul_infer_rejects_inconsistent_nodes(op, shapes, expect):
    from sparsecc.compiler.ir.ops import ShapeError, get

    d = get(op)
    with pytest.raises(ShapeError, match=expect):
        d.infer(shapes, d.full_attrs({}))
