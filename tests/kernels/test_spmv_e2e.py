"""Sparse Gemm / MatMul (kernel ``spmm-g<G>`` on the ``spmv`` micro-kernels) end to end.

Models whose classifier (Gemm) or linear layers (MatMul with a constant B) have
whole groups (G output features x 1 input feature) zeroed in numpy are compiled
-- the cost model sends them to the sparse kernel, which the test asserts so it
cannot pass on the dense path -- and run by the C++ runtime on 1 and 2 threads;
outputs are compared with onnxruntime on the same zeroed model. Single nodes are
also run with the sparse kernel and with the dense GEMM forced on identical
weights. Error measure: ``ort_check.rel_err`` (tolerance TOL).
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import numpy_helper
from kernel_run import random_feeds, run_forced
from ort_check import ort_run, rel_err

import sparsecc
from sparsecc import zoo

TOL = 1e-5


def zero_feature_groups(model, op: str, sparsity: float, g: int = 4) -> list[str]:
    """Zero the smallest-L2 groups of the weight of every ``op`` node (Gemm W [N, K] rows,
    MatMul B [K, N] columns = output features); returns the weight names."""
    weights = {n.input[1]: n for n in model.graph.node if n.op_type == op}
    changed = []
    for i, t in enumerate(model.graph.initializer):
        if t.name not in weights:
            continue
        w = numpy_helper.to_array(t).astype(np.float32)
        if w.ndim != 2:
            continue
        rows_first = op == "Gemm"  # Gemm W [N, K] (transB = 1 in the zoo); MatMul B [K, N]
        wn = w if rows_first else w.T
        n, k = wn.shape
        rows = -(-n // g)
        wp = np.zeros((rows * g, k), np.float32)
        wp[:n] = wn
        norms = np.sqrt((wp.reshape(rows, g, k) ** 2).sum(axis=1)).ravel()
        mask = np.ones(norms.size, bool)
        mask[np.argsort(norms, kind="stable")[:int(round(sparsity * norms.size))]] = False
        wp *= np.repeat(mask.reshape(rows, 1, k), g, axis=1).reshape(rows * g, k)
        out = wp[:n] if rows_first else wp[:n].T
        model.graph.initializer[i].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(out), t.name))
        changed.append(t.name)
    return changed


def _check_model(model, op: str, label: str):
    feeds = random_feeds(model)
    expected = ort_run(model, feeds)
    compiled = sparsecc.compile(model)
    sparse = [n for n in compiled.plan.nodes if n.op == op and n.kernel.startswith("spmm-")]
    assert sparse, f"{label}: no {op} runs sparse: {[(n.name, n.kernel, n.reason) for n in compiled.plan.nodes if n.op == op]}"
    assert all(n.reason.startswith("sparse: ") for n in sparse), [n.reason for n in sparse]
    for threads in (1, 2):
        sess = sparsecc.InferenceSession(compiled, num_threads=threads)
        got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
        for out, exp in expected.items():
            err = rel_err(got[out], exp)
            assert err <= TOL, f"{label} threads={threads}: {out!r} rel_err vs onnxruntime {err:.3g}"


@pytest.mark.parametrize("sparsity", [0.7, 0.9])
def test_classifier_gemm_with_zeroed_groups_runs_sparse_and_matches_onnxruntime(sparsity):
    model = zoo.build("mobilenet_v1", input_size=64)
    assert len(zero_feature_groups(model, "Gemm", sparsity)) == 1  # the classifier
    _check_model(model, "Gemm", f"mobilenet_v1 classifier {sparsity:.0%}")


def test_transformer_matmuls_with_zeroed_groups_run_sparse_and_match_onnxruntime():
    model = zoo.build("transformer_block")
    assert len(zero_feature_groups(model, "MatMul", 0.9)) == 6  # q, k, v, out, fc1, fc2
    _check_model(model, "MatMul", "transformer_block 90%")


def _gemm_graph(op, rows, k, n, sparsity, g, act, seed, bias=True):
    from sparsecc.compiler.ir import Graph

    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, k)).astype(np.float32)
    keep = rng.random((-(-n // g), k)) >= sparsity
    w *= np.repeat(keep, g, axis=0)[:n]
    gr = Graph(op.lower())
    xshape = (rows, k) if op == "Gemm" else (2, rows, k)
    x = gr.add_input("x", xshape)
    attrs = {"activation": act}
    if op == "Gemm":
        ins = [x, gr.const("W", w)] + ([gr.const("B", rng.standard_normal(n).astype(np.float32))] if bias else [])
        oshape = (rows, n)
    else:
        ins = [x, gr.const("B", np.ascontiguousarray(w.T))]
        oshape = (2, rows, n)
    node = gr.add_node(op, ins, [oshape], attrs, name="mm")
    gr.outputs = [node.outputs[0]]
    return gr, xshape


@pytest.mark.parametrize("g", [1, 2, 4, 8])
@pytest.mark.parametrize("op,rows,k,n", [("Gemm", 1, 300, 77), ("Gemm", 5, 64, 40), ("MatMul", 3, 96, 50)])
@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.9, 1.0])
def test_forced_sparse_gemm_equals_dense_gemm_on_the_same_weights(g, op, rows, k, n, sparsity):
    outs = {}
    for kernel in (f"spmm-g{g}", "gemm-6x16", "ref"):
        gr, xshape = _gemm_graph(op, rows, k, n, sparsity, g, "relu" if op == "Gemm" else "none", seed=g)
        x = np.random.default_rng(1).standard_normal(xshape).astype(np.float32)
        outs[kernel] = run_forced(gr, "mm", kernel, {"x": x})
    for other in ("gemm-6x16", "ref"):
        err = rel_err(outs[f"spmm-g{g}"], outs[other])
        assert err <= TOL, f"{op} spmm-g{g} vs {other} rows={rows} K={k} N={n} sparsity {sparsity}: rel_err {err:.3g}"


def test_dense_classifier_stays_dense():
    """No zero groups: nothing to gain, the cost model keeps the dense GEMM."""
    compiled = sparsecc.compile(zoo.build("mobilenet_v1", input_size=32))
    fc = [n for n in compiled.plan.nodes if n.op == "Gemm"]
    assert fc and all(not n.kernel.startswith("spmm-") for n in fc), [(n.name, n.kernel) for n in fc]
