"""Sparse (spmm) family end to end: zoo models whose 1x1 conv weights have whole
groups zeroed (numpy, magnitude order, in the ONNX initializers) are compiled
(the cost model sends the sparse layers to ``spmm-g<G>``, weights packed) and
run by the C++ runtime; outputs are compared with onnxruntime on the same
zeroed model and with the reference kernels, on 1 and 2 threads. Single 1x1
convs are also run with the sparse kernel and with the dense GEMM forced, so
sparse == dense is checked on identical weights. The chosen kernel of each
layer is asserted, so a test cannot pass on the dense path by accident.
Error measure: ``ort_check.rel_err`` (tolerance TOL).
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import numpy_helper
from kernel_run import random_feeds, run_forced
from ort_check import ort_run, rel_err

import sparsecc
from sparsecc import zoo
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower.plan import lower

TOL = 1e-5


def zero_groups(model, sparsity: float, g: int = 4, min_channels: int = 16):
    """Zero the smallest-L2 groups (g output channels x 1 input channel) of every
    1x1 conv weight with at least ``min_channels`` input channels; returns the names."""
    convs = {n.input[1] for n in model.graph.node if n.op_type == "Conv"}
    changed = []
    for i, t in enumerate(model.graph.initializer):
        if t.name not in convs:
            continue
        w = numpy_helper.to_array(t).copy()
        if w.ndim != 4 or w.shape[2:] != (1, 1) or w.shape[1] < min_channels:
            continue
        m, c = w.shape[:2]
        rows = -(-m // g)
        wp = np.zeros((rows * g, c), np.float32)
        wp[:m] = w.reshape(m, c)
        norms = np.sqrt((wp.reshape(rows, g, c) ** 2).sum(axis=1)).ravel()
        k = int(round(sparsity * norms.size))
        mask = np.ones(norms.size, bool)
        mask[np.argsort(norms, kind="stable")[:k]] = False
        wp *= np.repeat(mask.reshape(rows, 1, c), g, axis=1).reshape(rows * g, c)
        model.graph.initializer[i].CopyFrom(numpy_helper.from_array(wp[:m].reshape(w.shape), t.name))
        changed.append(t.name)
    return changed


@pytest.mark.parametrize("name,size", [("mobilenet_v1", 64), ("mobilenet_v2", 64)])
@pytest.mark.parametrize("sparsity", [0.5, 0.9])
def test_zoo_model_with_zeroed_groups_runs_sparse_and_matches_onnxruntime(name, size, sparsity):
    model = zoo.build(name, input_size=size)
    assert zero_groups(model, sparsity), f"{name}: no 1x1 conv to sparsify"
    feeds = random_feeds(model)
    expected = ort_run(model, feeds)
    compiled = sparsecc.compile(model)
    kernels = [n.kernel for n in compiled.plan.nodes]
    n_sparse = sum(k.startswith("spmm-") for k in kernels)
    assert n_sparse >= 3, f"{name} at {sparsity:.0%}: only {n_sparse} sparse layers: {kernels}"
    reasons = [n.reason for n in compiled.plan.nodes if n.kernel.startswith("spmm-")]
    assert all(r.startswith("sparse: ") for r in reasons), reasons
    ref = sparsecc.InferenceSession(sparsecc.compile(model, kernels="ref"))
    want_ref = dict(zip([o.name for o in ref.get_outputs()], ref.run(None, feeds)))
    for threads in (1, 2):
        sess = sparsecc.InferenceSession(compiled, num_threads=threads)
        got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
        for out, exp in expected.items():
            err = rel_err(got[out], exp)
            assert err <= TOL, f"{name} {sparsity:.0%} threads={threads}: {out!r} rel_err vs onnxruntime {err:.3g}"
            err = rel_err(got[out], want_ref[out])
            assert err <= TOL, f"{name} {sparsity:.0%} threads={threads}: {out!r} rel_err vs ref kernels {err:.3g}"


def _conv_graph(c, h, w, m, sparsity, g, act, seed):
    from sparsecc.compiler.ir import Graph

    rng = np.random.default_rng(seed)
    wt = rng.standard_normal((m, c, 1, 1)).astype(np.float32)
    rows = -(-m // g)
    keep = rng.random((rows, c)) >= sparsity
    mask = np.repeat(keep, g, axis=0)[:m]
    wt *= mask[:, :, None, None]
    gr = Graph("conv")
    x = gr.add_input("x", (1, c, h, w))
    attrs = {"activation": act}
    if act == "clip":
        attrs["activation_params"] = [0.0, 6.0]
    node = gr.add_node("Conv", [x, gr.const("W", wt), gr.const("B", rng.standard_normal(m).astype(np.float32))],
                       [(1, m, h, w)], attrs, name="conv")
    gr.outputs = [node.outputs[0]]
    return gr


@pytest.mark.parametrize("g", [1, 2, 4, 8])
@pytest.mark.parametrize("shape", [(37, 7, 7, 13), (64, 14, 14, 48), (19, 5, 9, 8)])
@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.9, 1.0])
def test_forced_sparse_kernel_equals_dense_gemm_on_the_same_weights(g, shape, sparsity):
    c, h, w, m = shape
    x = np.random.default_rng(1).standard_normal((1, c, h, w)).astype(np.float32)
    outs = {kernel: run_forced(_conv_graph(c, h, w, m, sparsity, g, "clip", seed=g), "conv", kernel, {"x": x})
            for kernel in (f"spmm-g{g}", "gemm-6x16", "ref")}
    for other in ("gemm-6x16", "ref"):
        err = rel_err(outs[f"spmm-g{g}"], outs[other])
        assert err <= TOL, f"spmm-g{g} vs {other} on C,H,W,M={shape} sparsity {sparsity}: rel_err {err:.3g}"


def test_tune_times_both_kernels_on_the_host_and_records_why():
    model = zoo.build("mobilenet_v1", input_size=32)
    zero_groups(model, 0.8)
    compiled = sparsecc.compile(model, tune=True)
    tuned = [n for n in compiled.plan.nodes if n.reason.startswith("tuned")]
    assert len(tuned) >= 3, [n.reason for n in compiled.plan.nodes]
    for n in tuned:
        assert n.reason.startswith("tuned sparse") == n.kernel.startswith("spmm-"), (n.name, n.kernel, n.reason)
    feeds = random_feeds(model)
    expected = ort_run(model, feeds)
    sess = sparsecc.InferenceSession(compiled)
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    for out, exp in expected.items():
        assert rel_err(got[out], exp) <= TOL, f"tuned mobilenet_v1: {out!r} differs from onnxruntime"


def test_tune_needs_the_host_target():
    from sparsecc.compiler.errors import CompileError

    graph = import_onnx(zoo.build("mobilenet_v1", input_size=32))
    with pytest.raises(CompileError, match="target 'host'"):
        lower(graph, "arm64", tune=True)
