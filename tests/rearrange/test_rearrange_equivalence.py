"""The rearrange pass (and any permutation of the permutable spaces) leaves every output unchanged:
zoo models and the pruning tests' tricky graphs, numpy reference and onnxruntime after export."""
from __future__ import annotations

import numpy as np
import pytest
from ort_check import ort_run, rel_err
from prune_graphs import GRAPHS
from rearrange_check import SMALL, TOL, assert_same_outputs, constants, feeds_for, graph_of, random_permutation, \
    run, zoo_model

from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.passes.rearrange import Rearrange, apply_permutation, permutable_spaces

# tricky graphs with at least one permutable space (the others are refusal cases, test_rearrange_refusals.py)
PERMUTABLE = ["residual_chain", "concat_branches", "concat_same_twice", "split_channels", "depthwise_x1",
              "depthwise_x2", "grouped_2", "grouped_4", "one_channel", "flatten_gemm", "se_block", "attention",
              "intermediate_output", "conv_transpose", "data_movement"]


# onnxruntime (float32) on the canonical zoo graphs: float32 reassociation in a deep random-weight net is
# amplified at ReLU6 / clip boundaries (onnxruntime vs the float64 numpy reference already differs by up to
# 5e-3 on mobilenet_v2 before any permutation); the exact proof is the numpy comparison at TOL.
ZOO_ORT_TOL = 5e-3


def _ort_equal(before, after, feeds, what, tol=TOL):
    """The original and the permuted graph, both exported to ONNX, give the same onnxruntime outputs."""
    want, got = ort_run(export_onnx(before), feeds), ort_run(export_onnx(after), feeds)
    for k in want:
        err = rel_err(got[k], want[k])
        assert err <= tol, f"{what}: onnxruntime, permuted vs original graph, output {k!r}: {err:.3g}"


@pytest.mark.parametrize("name", list(SMALL))
def test_zoo_pass_is_a_real_permutation_that_keeps_outputs(name):
    model = zoo_model(name)
    before, graph = graph_of(model), graph_of(model)
    feeds = feeds_for(graph)
    w0 = constants(graph)
    p = Rearrange(0.7, "g4", seed=0, budget_s=3.0)
    assert p.run(graph), f"{name}: nothing was permuted: {[(r.name, r.status) for r in p.report]}"
    assert_same_outputs(run(graph, feeds), run(before, feeds), f"{name} after rearrange")
    _ort_equal(before, graph, feeds, name, ZOO_ORT_TOL)
    w1 = constants(graph)
    changed = [k for k in w0 if not np.array_equal(w0[k], w1[k])]
    pointwise = [n for n in graph.nodes if n.op in ("Gemm", "MatMul") or
                 (n.op == "Conv" and n.inputs[1].shape[2:] == (1, 1) and int(n.attrs.get("group", 1)) == 1)]
    assert any(f"{n.name}[1]" in changed for n in pointwise), f"{name}: no pointwise weight was permuted"
    for k in changed:  # a permutation re-orders slices: the multiset of values is unchanged
        assert np.array_equal(np.sort(w0[k], axis=None), np.sort(w1[k], axis=None)), f"{name}: {k} values changed"
    for r in p.report:
        assert r.kept_after >= r.kept_before, f"{name}: space {r.name} kept less after the search"
    assert sum(r.kept_after for r in p.report) > sum(r.kept_before for r in p.report)


@pytest.mark.parametrize("canonical", [False, True], ids=["with_bn", "canonical"])
@pytest.mark.parametrize("name", list(SMALL))
def test_zoo_random_permutation_keeps_outputs(name, canonical):
    graph = graph_of(zoo_model(name), canonical)
    before = graph_of(zoo_model(name), canonical)
    feeds = feeds_for(graph, seed=1)
    assert random_permutation(graph, seed=3) > 0, f"{name}: no permutable class group"
    assert_same_outputs(run(graph, feeds), run(before, feeds), f"{name} after a random permutation")


@pytest.mark.parametrize("name", list(GRAPHS))
def test_tricky_graph_random_permutation_keeps_outputs(name):
    graph, before = graph_of(GRAPHS[name](), False), graph_of(GRAPHS[name](), False)
    feeds = feeds_for(graph, seed=2)
    moved = random_permutation(graph, seed=5)
    if name in PERMUTABLE:
        assert moved > 0, f"{name}: expected a permutable space"
    assert_same_outputs(run(graph, feeds), run(before, feeds), f"{name} after a random permutation")
    _ort_equal(before, graph, feeds, name)


@pytest.mark.parametrize("name", ["residual_chain", "flatten_gemm", "depthwise_x1", "concat_branches"])
def test_permuting_only_the_producer_changes_outputs(name):
    """Negative control: the comparison above can fail when a consumer is left out."""
    graph, before = graph_of(GRAPHS[name](), False), graph_of(GRAPHS[name](), False)
    _, spaces, _ = permutable_spaces(graph)
    ps = spaces[0]
    cids = ps.groups[0]
    order = list(reversed(range(len(cids))))
    # keep only the first constant axis of each class layout (the producer's weights)
    first = next(iter(ps.layouts[cids[0]]))
    only = {c: {first: ps.layouts[c][first]} for c in cids}
    apply_permutation(graph, [cids[o] for o in order], cids, only)
    feeds = feeds_for(graph)
    got, want = run(graph, feeds), run(before, feeds)
    assert any(not np.allclose(got[k], want[k], rtol=TOL, atol=TOL) for k in want), \
        f"{name}: permuting the producer alone did not change the output"
