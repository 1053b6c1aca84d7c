"""The group_sparsity pass's guarantees: sparsity 0 changes nothing, zeroed groups are whole and
exact, the global target is met within one group per layer, magnitude selection equals zeroing the
dense model (numpy reference, runtime, onnxruntime), default-dense rules, attributes, errors."""
from __future__ import annotations

import numpy as np
import pytest
import sparsecc
from sparsecc import zoo
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.lower import lower
from sparsecc.compiler.passes.group_sparsity import GroupSparsity

from ort_check import ort_run, rel_err
from sparsity_check import (G_OF, as_rows, canonical, group_sums, magnitude_zeroed, mixed_model, set_rows,
                            zero_group_mask)

ZOO = {"mobilenet_v1": dict(input_size=32, width=0.25), "mobilenet_v2": dict(input_size=32, width=0.35),
       "resnet18": dict(input_size=32, width=0.25)}
ALL = {"conv1": 0.5, "conv2": 0.5, "fc": 0.5, "classifier": 0.5}  # overrides for every layer of mixed_model


def feeds_of(graph, seed=0):
    rng = np.random.default_rng(seed)
    return {v.name: rng.standard_normal(v.shape).astype(np.float32) for v in graph.inputs}


def consts(graph):
    return {n.name: [np.array(v.const) for v in n.inputs if v is not None and v.is_const] for n in graph.nodes}


def test_sparsity_zero_is_bit_identical():
    model = zoo.build("mobilenet_v1", **ZOO["mobilenet_v1"])
    graph = canonical(model)
    before = consts(graph)
    assert GroupSparsity(0.0, "g4").run(graph) is False, "sparsity 0 must report no modification"
    after = consts(graph)
    for name, arrs in before.items():
        assert all(np.array_equal(a, b) for a, b in zip(arrs, after[name])), f"{name}: constants changed at 0"
    assert not any("sparsity" in n.attrs for n in graph.nodes), "sparsity 0 must not add attributes"
    dense = sparsecc.compile(model).to_bytes()
    pw = next(n.name for n in graph.nodes if n.op == "Conv" and n.inputs[1].shape[2:] == (1, 1))
    pinned = sparsecc.compile(model, layer_sparsity={pw: 0.0}).to_bytes()
    assert dense == pinned, "a compile with the pass at sparsity 0 must give the identical model file"


@pytest.mark.parametrize("pattern", list(G_OF))
@pytest.mark.parametrize("name", list(ZOO))
def test_zero_groups_are_whole_and_exact(name, pattern):
    graph = canonical(zoo.build(name, **ZOO[name]))
    p = GroupSparsity(0.6, pattern)
    p.run(graph)
    g = G_OF[pattern]
    sparse = [n for n in graph.nodes if "sparsity" in n.attrs]
    assert sparse, f"{name}: no layer was sparsified"
    for n in sparse:
        zero = zero_group_mask(n, g)
        w3 = as_rows(n)
        # every exact zero weight lies in an all-zero group (random weights have no other zeros)
        in_zero_group = np.repeat(np.repeat(zero, g, axis=0)[:w3.shape[0]][:, :, None], w3.shape[2], axis=2)
        assert np.array_equal(w3 == 0.0, in_zero_group), f"{name} {n.name} {pattern}: a partly zero group"
        assert n.attrs["sparsity_pattern"] == pattern
        assert n.attrs["sparsity"] == pytest.approx(zero.mean(), abs=1e-6), f"{n.name}: sparsity attr"
        assert abs(zero.mean() - 0.6) <= 0.5 / zero.size + 1e-9, f"{n.name}: {zero.mean()} groups zero, want 0.6"


def _achieved_within_one_group(graph, p, target, g):
    zeroed = total = biggest = 0
    for r in p.report:  # the layers the policy allocates: all but default-dense / ineligible ones
        if r.status not in ("sparse", "dense"):
            continue
        node = next(n for n in graph.nodes if n.name == r.name)
        w3 = as_rows(node)
        zeroed += int(np.sum(w3 == 0.0))
        total += w3.size
        biggest += g * w3.shape[2]  # one group of this layer
    assert total, "no sparse layer"
    assert abs(zeroed - target * total) <= biggest, \
        f"zeroed {zeroed} of {total} weights, target {target}: off by more than one group per layer ({biggest})"


@pytest.mark.parametrize("policy", ["uniform", "sensitivity"])
@pytest.mark.parametrize("target", [0.3, 0.7, 0.9])
def test_global_target_met_within_one_group_per_layer(policy, target):
    graph = canonical(zoo.build("mobilenet_v2", **ZOO["mobilenet_v2"]))
    p = GroupSparsity(target, "g4", policy=policy)
    p.run(graph)
    _achieved_within_one_group(graph, p, target, 4)
    assert p.achieved == pytest.approx(target, abs=0.02)


def test_magnitude_equals_dense_model_with_those_groups_zeroed():
    model = mixed_model()
    graph = canonical(model)
    expected = canonical(model)
    s = 0.6
    GroupSparsity(0.0, "g4", layer_sparsity={k: s for k in ALL}).run(graph)
    for node in expected.nodes:  # the test's own selection: lowest-L2 groups, loop form
        if node.name in ALL:
            w3 = as_rows(node)
            k = int(round(s * group_sums(w3, 4, np.sum).size))
            set_rows(expected, node, magnitude_zeroed(w3, 4, k))
    for a, b in zip(graph.nodes, expected.nodes):
        for va, vb in zip(a.inputs, b.inputs):
            if va is not None and va.is_const:
                assert np.array_equal(va.const, vb.const), f"{a.name}: weights differ from the test's zeroing"
    feeds = feeds_of(graph)
    want = run_graph(expected, feeds)["y"]
    assert rel_err(run_graph(graph, feeds)["y"], want) == 0.0, "numpy reference differs"
    got = sparsecc.InferenceSession(sparsecc.compile(export_onnx(graph))).run(None, feeds)[0]
    assert rel_err(got, want) <= 1e-5, f"runtime vs zeroed dense reference: {rel_err(got, want):.3g}"
    ref = ort_run(export_onnx(expected), feeds)["y"]
    assert rel_err(got, ref) <= 1e-5, f"runtime vs onnxruntime on the zeroed dense model: {rel_err(got, ref):.3g}"


def test_default_dense_layers_and_overrides():
    graph = canonical(mixed_model())
    p = GroupSparsity(0.5, "g2")
    p.run(graph)
    status = {r.name: r.status for r in p.report}
    assert status["conv1"].startswith("dense: first conv"), status
    assert status["classifier"].startswith("dense: small classifier"), status
    assert status["conv2"] == status["fc"] == "sparse", status
    graph = canonical(mixed_model())
    GroupSparsity(0.5, "g2", layer_sparsity={"conv1": 0.75, "conv2": 0.0}).run(graph)
    by = {n.name: n for n in graph.nodes}
    assert by["conv1"].attrs["sparsity"] == pytest.approx(zero_group_mask(by["conv1"], 2).mean())
    assert abs(zero_group_mask(by["conv1"], 2).mean() - 0.75) <= 0.5 / 30 + 1e-9, "conv1 has 5 x 6 groups"
    assert "sparsity" not in by["conv2"].attrs and not zero_group_mask(by["conv2"], 2).any()


def test_depthwise_dense_and_large_classifier_sparse():
    graph = canonical(zoo.build("mobilenet_v1", input_size=32, width=0.25))
    p = GroupSparsity(0.5, "g4")
    p.run(graph)
    for r in p.report:
        node = next(n for n in graph.nodes if n.name == r.name)
        if node.op == "Conv" and int(node.attrs.get("group", 1)) > 1:
            assert r.status == "dense: depthwise conv", f"{r.name}: {r.status}"
    fc = [r for r in p.report if r.op == "Gemm"]
    assert fc and fc[0].status == "sparse", f"the 1000-class classifier (>= 65536 weights) is sparsified: {fc}"


def test_attributes_reach_the_plan():
    graph = canonical(mixed_model())
    GroupSparsity(0.5, "g8", layer_sparsity=ALL).run(graph)
    plan = lower(graph, "host")
    for pn in plan.nodes:
        attrs = {k: v for k, _, v in pn.attrs}
        if pn.name in ALL:
            assert attrs.get("sparsity_pattern") == "g8", f"{pn.name}: {attrs}"
            assert 0.4 < attrs["sparsity"][0] < 0.6, f"{pn.name}: {attrs}"


@pytest.mark.parametrize("kwargs, msg", [
    (dict(sparsity=1.0), "must be in [0, 1)"),
    (dict(sparsity=-0.1), "must be in [0, 1)"),
    (dict(sparsity="x"), "must be a number"),
    (dict(pattern="g3"), "unknown sparsity pattern 'g3'"),
    (dict(policy="greedy"), "unknown sparsity policy"),
    (dict(selection="obs"), "needs calibration data"),
    (dict(layer_sparsity={"conv2": 1.5}), "sparsity of layer 'conv2' must be in [0, 1)"),
])
def test_bad_options_are_clear_errors(kwargs, msg):
    with pytest.raises(CompileError, match=msg.replace("[", r"\[").replace(")", r"\)").replace("(", r"\(")):
        GroupSparsity(**{"sparsity": 0.5, **kwargs})


def test_unknown_or_ineligible_layer_names_are_errors():
    graph = canonical(mixed_model())
    with pytest.raises(CompileError, match="unknown layer name.*nope.*sparsifiable layers: conv1, conv2, fc"):
        GroupSparsity(0.5, layer_sparsity={"nope": 0.5}).run(graph)
    with pytest.raises(CompileError, match="'gap' cannot be group-sparsified: op GlobalAveragePool"):
        GroupSparsity(0.5, layer_sparsity={"gap": 0.5}).run(graph)
