"""Sparse k x k convolution (``spmm-g<G>`` on a Conv that is not 1x1/s1/p0) end to end.

ResNet-18 and the MNIST fixture with whole groups (G output channels x 1 input
channel x the kernel) of their k x k convs zeroed in numpy are compiled -- the
test asserts that k x k layers run sparse, so it cannot pass on the dense path
-- and run on 1 and 2 threads against onnxruntime on the same zeroed model.
Single convs (strides, dilations, asymmetric pads, 1x1 strided) run with the
sparse kernel forced and with the dense direct conv and the reference kernel on
identical weights. Error measure: ``ort_check.rel_err`` (tolerance TOL).
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from kernel_run import random_feeds, run_forced
from ort_check import ort_run, rel_err

import sparsecc
from sparsecc import zoo

TOL = 1e-5
MNIST = "tests/fixtures/mnist_cnn.onnx"


def zero_kxk_groups(model, sparsity: float, g: int = 4) -> list[str]:
    """Zero the smallest-L2 groups of every k x k (k > 1) group-1 conv weight except
    ones with fewer than 8 input channels (a stem); returns the weight names."""
    convs = {n.input[1] for n in model.graph.node if n.op_type == "Conv"}
    changed = []
    for i, t in enumerate(model.graph.initializer):
        if t.name not in convs:
            continue
        w = numpy_helper.to_array(t).astype(np.float32)
        if w.ndim != 4 or w.shape[2:] == (1, 1) or w.shape[1] < 8:
            continue
        m, c = w.shape[:2]
        rows = -(-m // g)
        wp = np.zeros((rows * g, c, w.shape[2] * w.shape[3]), np.float32)
        wp[:m] = w.reshape(m, c, -1)
        norms = np.sqrt((wp.reshape(rows, g, c, -1) ** 2).sum(axis=(1, 3))).ravel()
        keep = np.ones(norms.size, bool)
        keep[np.argsort(norms, kind="stable")[:int(round(sparsity * norms.size))]] = False
        wp *= np.repeat(keep.reshape(rows, 1, c), g, axis=1).reshape(rows * g, c)[:, :, None]
        model.graph.initializer[i].CopyFrom(numpy_helper.from_array(wp[:m].reshape(w.shape), t.name))
        changed.append(t.name)
    return changed


@pytest.mark.parametrize("which", ["resnet18", "mnist"])
def test_model_with_zeroed_kxk_groups_runs_sparse_and_matches_onnxruntime(which):
    model = zoo.build("resnet18", input_size=64) if which == "resnet18" else onnx.load(MNIST)
    assert zero_kxk_groups(model, 0.8), f"{which}: no k x k conv to sparsify"
    feeds = random_feeds(model)
    expected = ort_run(model, feeds)
    compiled = sparsecc.compile(model)
    sparse = [n for n in compiled.plan.nodes if n.kernel.startswith("spmm-")]
    assert sparse, f"{which}: no layer runs sparse: {[(n.name, n.kernel, n.reason) for n in compiled.plan.nodes]}"
    for threads in (1, 2):
        sess = sparsecc.InferenceSession(compiled, num_threads=threads)
        got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
        for out, exp in expected.items():
            err = rel_err(got[out], exp)
            assert err <= TOL, f"{which} threads={threads}: {out!r} rel_err vs onnxruntime {err:.3g}"


def _conv_graph(c, h, w, m, k, stride, pad, dil, sparsity, g, seed):
    from sparsecc.compiler.ir import Graph

    rng = np.random.default_rng(seed)
    wt = rng.standard_normal((m, c, k, k)).astype(np.float32)
    keep = rng.random((-(-m // g), c)) >= sparsity
    wt *= np.repeat(keep, g, axis=0)[:m][:, :, None, None]
    oh = (h + 2 * pad - dil * (k - 1) - 1) // stride + 1
    ow = (w + 2 * pad - dil * (k - 1) - 1) // stride + 1
    gr = Graph("conv")
    x = gr.add_input("x", (1, c, h, w))
    attrs = {"strides": [stride, stride], "pads": [pad] * 4, "dilations": [dil, dil],
             "activation": "clip", "activation_params": [0.0, 6.0]}
    node = gr.add_node("Conv", [x, gr.const("W", wt), gr.const("B", rng.standard_normal(m).astype(np.float32))],
                       [(1, m, oh, ow)], attrs, name="conv")
    gr.outputs = [node.outputs[0]]
    return gr


@pytest.mark.parametrize("g", [1, 4, 8])
@pytest.mark.parametrize("geo", [(16, 9, 9, 24, 3, 1, 1, 1), (13, 14, 14, 20, 3, 2, 1, 1), (8, 11, 11, 12, 5, 2, 2, 1),
                                 (9, 10, 10, 16, 3, 1, 2, 2), (32, 7, 7, 40, 1, 2, 0, 1)])
@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.9, 1.0])
def test_forced_sparse_kxk_equals_dense_on_the_same_weights(g, geo, sparsity):
    c, h, w, m, k, stride, pad, dil = geo
    dense = "igemm-6x16" if k > 1 else "im2col-gemm-6x16"
    x = np.random.default_rng(1).standard_normal((1, c, h, w)).astype(np.float32)
    outs = {kernel: run_forced(_conv_graph(c, h, w, m, k, stride, pad, dil, sparsity, g, seed=g), "conv", kernel,
                               {"x": x})
            for kernel in (f"spmm-g{g}", dense, "ref")}
    for other in (dense, "ref"):
        err = rel_err(outs[f"spmm-g{g}"], outs[other])
        assert err <= TOL, f"spmm-g{g} vs {other} on {geo} sparsity {sparsity}: rel_err {err:.3g}"
