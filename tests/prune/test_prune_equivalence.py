"""Pruning is removal of exactly the coupled channels: the pruned graph computes what the dense
graph computes with those channels' parameters zeroed, verifies, exports and runs in onnxruntime."""
import numpy as np
import pytest
from ort_check import assert_matches_ort, ort_run, rel_err
from prune_check import analysed, feeds_for, onnx_layer_counts, random_selection, zero_classes
from prune_graphs import GRAPHS

from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.ir import verify
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes.flops import layer_stats
from sparsecc.compiler.passes.group_prune import GroupPrune, apply_pruning

NAMES = list(GRAPHS)
BARRIER_ONLY = {"mlp_layernorm", "gather_channels"}


@pytest.mark.parametrize("name", NAMES)
def test_ratio_zero_leaves_outputs_bit_identical(name):
    model = GRAPHS[name]()
    dense, _ = analysed(model)
    graph, _ = analysed(model)
    feeds = feeds_for(graph)
    assert GroupPrune(0.0).run(graph) is False, f"{name}: ratio 0 reported a change"
    got, expected = run_graph(graph, feeds), run_graph(dense, feeds)
    for k in expected:
        assert np.array_equal(got[k], expected[k]), f"{name}: output {k} changed at ratio 0"


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", NAMES)
def test_removing_classes_equals_zeroing_their_parameters(name, seed):
    model = GRAPHS[name]()
    dense, a_dense = analysed(model)
    graph, a = analysed(model)
    removed = random_selection(a, seed)
    if name in BARRIER_ONLY:
        assert removed == [], f"{name}: only barrier channels, yet {removed} selected"
        return
    assert removed, f"{name}: nothing selected for removal"
    assert len(a.classes) == len(a_dense.classes)
    zero_classes(a_dense, removed)
    apply_pruning(graph, a, removed)
    feeds = feeds_for(graph, seed)
    got, expected = run_graph(graph, feeds), run_graph(dense, feeds)
    for k in expected:
        assert got[k].shape == expected[k].shape, f"{name}: graph output {k} changed shape"
        err = rel_err(got[k], expected[k])
        assert err <= 1e-5, f"{name} seed {seed}: pruned vs zeroed dense output {k}: rel_err {err:.3g}"


@pytest.mark.parametrize("name", [n for n in NAMES if n not in BARRIER_ONLY])
def test_removal_shrinks_the_layers_it_claims(name):
    graph, a = analysed(GRAPHS[name]())
    before = layer_stats(graph)
    removed = random_selection(a, 3)
    apply_pruning(graph, a, removed)
    after = layer_stats(graph)
    assert sum(s.macs for s in after.values()) < sum(s.macs for s in before.values()), name
    assert any(after[k].channels < before[k].channels for k in before), name


@pytest.mark.parametrize("name", NAMES)
def test_pruned_graph_exports_to_onnx_that_onnxruntime_runs_identically(name):
    graph, a = analysed(GRAPHS[name]())
    apply_pruning(graph, a, random_selection(a, 5))
    verify(graph)
    model = export_onnx(graph)  # runs onnx.checker.check_model(full_check=True)
    feeds = feeds_for(graph, 5)
    ours, theirs = run_graph(graph, feeds), ort_run(model, feeds)
    for k in ours:
        err = rel_err(ours[k], theirs[k])
        assert err <= 1e-5, f"{name}: pruned IR vs onnxruntime on the exported model, output {k}: {err:.3g}"
    # the reported per-layer MACs / params are what the exported ONNX holds
    counted = onnx_layer_counts(model)
    for lname, s in layer_stats(graph).items():
        assert counted[lname] == (s.macs, s.params), f"{name}: layer {lname} reports {(s.macs, s.params)}, " \
                                                     f"the exported ONNX has {counted[lname]}"


@pytest.mark.parametrize("name", NAMES)
def test_pruned_model_compiles_and_matches_onnxruntime_in_the_sparsecc_runtime(name):
    graph, a = analysed(GRAPHS[name]())
    apply_pruning(graph, a, random_selection(a, 7))
    assert_matches_ort(export_onnx(graph), feeds_for(graph, 7), tol=1e-5, label=f"pruned {name}")
