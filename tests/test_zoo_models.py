"""The model zoo (sparsecc.zoo) and the torch-exported fixture, checked against onnxruntime.

For every zoo model: the ONNX is valid (full checker), nodes are named, doc strings are
set; onnxruntime runs it on a seeded normal input with finite, O(1) outputs; and the
IR's numpy reference and the C++ runtime match
onnxruntime. The fixture ``tests/fixtures/torch_mobilenetv2_tiny.onnx`` was written by
``scripts/export_torch_fixture.py`` (PyTorch's exporter); its saved torch output is the
ground truth for onnxruntime, and onnxruntime is the ground truth for sparsecc.
"""
from __future__ import annotations

import collections
import functools
import os

import numpy as np
import onnx
import pytest
from ort_check import assert_matches_ort, ort_run, rel_err

from sparsecc import zoo

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
TORCH_ONNX = os.path.join(FIXTURES, "torch_mobilenetv2_tiny.onnx")
TORCH_NPZ = os.path.join(FIXTURES, "torch_mobilenetv2_tiny.npz")

CNNS = ["mobilenet_v1", "mobilenet_v2", "resnet18", "mobilenet_v3_block"]
# sizes for the sparsecc comparison: full 224 where the numpy reference and the scalar runtime stay
# well under a few seconds, 128 for the two heaviest networks
SMALL = {"mobilenet_v1": {"input_size": 224}, "mobilenet_v2": {"input_size": 128},
         "resnet18": {"input_size": 128}, "mobilenet_v3_block": {"input_size": 224}, "transformer_block": {}}


@functools.lru_cache(maxsize=None)
def _model(name: str, **kw) -> onnx.ModelProto:
    return zoo.build(name, **kw)


def model(name: str, kw: dict) -> onnx.ModelProto:
    return _model(name, **kw)


def seeded_feeds(m: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    feeds = {}
    for vi in m.graph.input:
        shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        feeds[vi.name] = rng.standard_normal(shape).astype(np.float32)
    return feeds


def declared_shape(vi: onnx.ValueInfoProto) -> list[int]:
    return [d.dim_value for d in vi.type.tensor_type.shape.dim]


# ------------------------------------------------------------------ zoo: structure

def test_zoo_lists_every_model_it_can_build():
    assert zoo.list_models() == list(zoo.MODELS)
    assert set(zoo.list_models()) == set(CNNS) | {"transformer_block"}


def test_zoo_unknown_name_lists_available_models():
    with pytest.raises(KeyError, match="mobilenet_v1"):
        zoo.build("mobilenet_v9")


@pytest.mark.parametrize("name", zoo.list_models())
def test_zoo_model_passes_full_checker_with_named_nodes_and_docs(name):
    m = model(name, {})
    onnx.checker.check_model(m, full_check=True)
    names = [n.name for n in m.graph.node]
    assert all(names), f"{name}: unnamed nodes: {[n.op_type for n in m.graph.node if not n.name]}"
    dupes = [n for n, c in collections.Counter(names).items() if c > 1]
    assert not dupes, f"{name}: duplicate node names {dupes}"
    assert m.doc_string and m.graph.doc_string, f"{name}: model/graph doc_string missing"
    assert m.graph.name == name


@pytest.mark.parametrize("name", CNNS)
def test_zoo_cnn_has_imagenet_interface(name):
    m = model(name, {})
    assert [(vi.name, declared_shape(vi)) for vi in m.graph.input] == [("input", [1, 3, 224, 224])], name
    assert [(vi.name, declared_shape(vi)) for vi in m.graph.output] == [("logits", [1, 1000])], name
    assert m.opset_import[0].version == 17, name


def test_transformer_block_interface():
    m = model("transformer_block", {})
    assert [(vi.name, declared_shape(vi)) for vi in m.graph.input] == [("tokens", [1, 64, 128])]
    assert [(vi.name, declared_shape(vi)) for vi in m.graph.output] == [("output", [1, 64, 128])]
    ops = collections.Counter(n.op_type for n in m.graph.node)
    for op in ("LayerNormalization", "Softmax", "Transpose", "Reshape", "Erf"):
        assert ops[op] >= 1, f"transformer_block: no {op} node (ops: {dict(ops)})"


def test_zoo_models_contain_the_layers_they_promise():
    expect = {"mobilenet_v1": {"Conv": 27, "BatchNormalization": 27, "Gemm": 1},
              "mobilenet_v2": {"Add": 10, "Clip": 35, "Conv": 52},
              "resnet18": {"MaxPool": 1, "Add": 8, "Conv": 20},
              "mobilenet_v3_block": {"HardSwish": 1, "HardSigmoid": 4, "Mul": 4}}
    for name, want in expect.items():
        ops = collections.Counter(n.op_type for n in model(name, {}).graph.node)
        for op, count in want.items():
            assert ops[op] >= count, f"{name}: {ops[op]} {op} nodes, expected at least {count}"
    dw5 = [n for n in model("mobilenet_v3_block", {}).graph.node if n.op_type == "Conv"
           and any(a.name == "kernel_shape" and list(a.ints) == [5, 5] for a in n.attribute)]
    assert dw5, "mobilenet_v3_block: no 5x5 depthwise conv"


# ------------------------------------------------------------------ zoo: parameters

def test_zoo_same_seed_same_weights_other_seed_other_weights():
    a = zoo.build("mobilenet_v3_block", input_size=64, seed=3)
    b = zoo.build("mobilenet_v3_block", input_size=64, seed=3)
    c = zoo.build("mobilenet_v3_block", input_size=64, seed=4)
    assert a.SerializeToString() == b.SerializeToString(), "same seed gave different models"
    wa, wc = (onnx.numpy_helper.to_array(m.graph.initializer[0]) for m in (a, c))
    assert not np.array_equal(wa, wc), "seed 3 and seed 4 gave the same first weight"


@pytest.mark.parametrize("name", CNNS)
def test_zoo_width_and_num_classes_change_the_network(name):
    small = zoo.build(name, input_size=64, width=0.5, num_classes=10)
    assert declared_shape(small.graph.output[0]) == [1, 10], f"{name}: num_classes=10 not honoured"
    assert declared_shape(small.graph.input[0]) == [1, 3, 64, 64], f"{name}: input_size=64 not honoured"
    stem_full = onnx.numpy_helper.to_array(model(name, {}).graph.initializer[0])
    stem_half = onnx.numpy_helper.to_array(small.graph.initializer[0])
    assert stem_half.shape[0] < stem_full.shape[0], \
        f"{name}: width 0.5 stem has {stem_half.shape[0]} channels, width 1 has {stem_full.shape[0]}"


@pytest.mark.parametrize("name,kw,match", [
    ("mobilenet_v3_block", {"opset": 13}, "opset 13"),
    ("transformer_block", {"opset": 16}, "opset 16"),
    ("transformer_block", {"gelu": "op", "opset": 17}, "needs opset >= 20"),
    ("transformer_block", {"d_model": 100, "heads": 3}, "divisible"),
    ("mobilenet_v1", {"act": "gelu"}, "act"),
    ("resnet18", {"input_size": 8}, "too small"),
    ("mobilenet_v2", {"width": 0.0}, "width"),
])
def test_zoo_rejects_bad_parameters_with_a_clear_message(name, kw, match):
    with pytest.raises(ValueError, match=match) as info:
        zoo.build(name, **kw)
    assert name in str(info.value)


def test_transformer_gelu_op_equals_erf_form():
    feeds = seeded_feeds(model("transformer_block", {}))
    erf = ort_run(model("transformer_block", {}), feeds)["output"]
    op = ort_run(zoo.build("transformer_block", gelu="op", opset=20), feeds)["output"]
    assert rel_err(op, erf) < 1e-5, f"Gelu op vs Erf form differ: rel_err {rel_err(op, erf):.3g}"


def test_mobilenet_v1_relu6_variant_uses_clip():
    ops = collections.Counter(n.op_type for n in zoo.build("mobilenet_v1", input_size=64, act="relu6").graph.node)
    assert ops["Clip"] == 27 and ops["Relu"] == 0, f"act=relu6 gave {dict(ops)}"


# ------------------------------------------------------------------ zoo: numerics

@pytest.mark.parametrize("name", zoo.list_models())
def test_zoo_model_output_is_finite_and_order_one_in_onnxruntime(name):
    m = model(name, {})
    out = next(iter(ort_run(m, seeded_feeds(m)).values()))
    assert np.all(np.isfinite(out)), f"{name}: onnxruntime output has NaN/Inf"
    assert 0.05 < float(out.std()) < 20, f"{name}: output std {out.std():.4g} outside (0.05, 20)"


@pytest.mark.parametrize("name", zoo.list_models())
def test_zoo_model_intermediate_activations_stay_order_one(name):
    """Every node output (not just the logits) has std below 20 and no huge values."""
    m = onnx.ModelProto()
    m.CopyFrom(model(name, SMALL[name]))
    outs = [n.output[0] for n in m.graph.node]
    del m.graph.output[:]
    m.graph.output.extend(onnx.helper.make_empty_tensor_value_info(o) for o in outs)
    got = ort_run(m, seeded_feeds(m))
    worst = max(outs, key=lambda o: float(np.abs(got[o]).max()))
    assert float(np.abs(got[worst]).max()) < 100, f"{name}: {worst} reaches {np.abs(got[worst]).max():.4g}"
    stds = {o: float(got[o].std()) for o in outs}
    assert max(stds.values()) < 20, f"{name}: {max(stds, key=stds.get)} has std {max(stds.values()):.4g}"


@pytest.mark.parametrize("name", zoo.list_models())
def test_zoo_model_matches_onnxruntime_in_sparsecc(name):
    m = model(name, SMALL[name])
    assert_matches_ort(m, seeded_feeds(m), tol=1e-3, label=f"{name} {SMALL[name]}")


# ------------------------------------------------------------------ torch-exported fixture

@functools.lru_cache(maxsize=None)
def torch_fixture():
    data = np.load(TORCH_NPZ)
    return onnx.load(TORCH_ONNX), data["input"], data["output"]


def test_torch_fixture_is_a_real_exporter_graph_with_dynamic_batch():
    m, x, _ = torch_fixture()
    onnx.checker.check_model(m, full_check=True)
    assert m.producer_name == "pytorch", m.producer_name
    ops = collections.Counter(n.op_type for n in m.graph.node)
    for op in ("Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "BatchNormalization", "Clip", "Add"):
        assert ops[op] >= 1, f"fixture lacks {op} (ops: {dict(ops)})"
    batch = m.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch.dim_param and not batch.dim_value, "fixture batch axis is not dynamic"
    assert x.shape == (2, 3, 96, 96)


def test_torch_fixture_onnxruntime_matches_saved_torch_output():
    m, x, y_torch = torch_fixture()
    got = ort_run(m, {"input": x})["output"]
    err = rel_err(got, y_torch)
    assert err < 1e-4, f"onnxruntime vs torch: rel_err {err:.3g}"
    assert float(np.std(y_torch)) > 0.05, "saved torch output is degenerate"


@pytest.mark.parametrize("batch", [1, 2])
def test_torch_fixture_matches_onnxruntime_in_sparsecc(batch):
    m, x, _ = torch_fixture()
    x = np.ascontiguousarray(x[:batch])
    assert_matches_ort(m, {"input": x}, tol=1e-4, input_shapes={"input": list(x.shape)},
                       label=f"torch_mobilenetv2_tiny batch {batch}")


@pytest.mark.parametrize("name,opset", [("mobilenet_v2", 11), ("mobilenet_v2", 13), ("resnet18", 21),
                                        ("mobilenet_v3_block", 14), ("transformer_block", 21)])
def test_zoo_opset_parameter_keeps_the_function(name, opset):
    kw = {"input_size": 64} if name in CNNS else {}
    base, other = zoo.build(name, **kw), zoo.build(name, opset=opset, **kw)
    assert other.opset_import[0].version == opset
    onnx.checker.check_model(other, full_check=True)
    feeds = seeded_feeds(base)
    a, b = (next(iter(ort_run(m, feeds).values())) for m in (base, other))
    assert rel_err(b, a) < 1e-5, f"{name}: opset {opset} output differs from opset 17 (rel_err {rel_err(b, a):.3g})"
