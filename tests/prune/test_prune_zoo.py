"""Every zoo model prunes at 0.3 (local and global), stays equal to its zeroed dense form,
and the exported ONNX runs in onnxruntime with the reported MACs."""
import pytest
from ort_check import ort_run, rel_err
from prune_check import analysed, feeds_for, onnx_layer_counts, zero_classes

from sparsecc import zoo
from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes.flops import graph_macs, layer_stats
from sparsecc.compiler.passes.group_prune import apply_pruning, select
from sparsecc.compiler.passes.prune_criteria import score

SMALL = {"mobilenet_v1": dict(input_size=32, width=0.25), "mobilenet_v2": dict(input_size=32, width=0.35),
         "resnet18": dict(input_size=32, width=0.25), "mobilenet_v3_block": dict(input_size=32, width=0.5),
         "transformer_block": dict(seq=8, d_model=32, heads=4)}
ORT_TOL = 1e-3


def test_small_sizes_cover_the_whole_zoo():
    assert set(SMALL) == set(zoo.list_models())


@pytest.mark.parametrize("mode", ["local", "global"])
@pytest.mark.parametrize("name", list(SMALL))
def test_zoo_model_prunes_at_0_3_and_runs(name, mode):
    model = zoo.build(name, **SMALL[name])
    dense, a_dense = analysed(model)
    graph, a = analysed(model)
    removed = select(a, score(a, graph, "l2"), 0.3, mode=mode)
    assert removed, f"{name}: nothing pruned"
    macs0 = graph_macs(graph)
    zero_classes(a_dense, removed)
    apply_pruning(graph, a, removed)
    assert graph_macs(graph) < macs0
    feeds = feeds_for(graph)
    ours, zeroed = run_graph(graph, feeds), run_graph(dense, feeds)
    exported = export_onnx(graph)
    theirs = ort_run(exported, feeds)
    for k in ours:
        assert rel_err(ours[k], zeroed[k]) <= 1e-5, f"{name} ({mode}): pruned vs zeroed dense output {k}"
        # float32 onnxruntime vs float64-accumulating numpy: 1e-3 as for the dense zoo (tests/test_zoo_models.py)
        assert rel_err(theirs[k], ours[k]) <= ORT_TOL, f"{name} ({mode}): onnxruntime vs numpy on pruned output {k}"
    counted = onnx_layer_counts(exported)
    for lname, s in layer_stats(graph).items():
        assert counted[lname] == (s.macs, s.params), f"{name}: layer {lname}"


def test_transformer_block_loses_whole_heads():
    graph, a = analysed(zoo.build("transformer_block", seq=8, d_model=32, heads=4))
    q = [n for n in graph.nodes if n.op == "MatMul" and n.inputs[1].is_const][0]
    heads = sorted(set(a.class_of(q.output).tolist()))
    assert len(heads) == 4
    apply_pruning(graph, a, heads[:1])
    split = [n for n in graph.nodes if n.op == "Reshape" and len(n.output.shape) == 4][0]
    assert split.output.shape == (1, 8, 3, 8), f"one head of 8 removed: got {split.output.shape}"
