"""Whole models through IR -> ONNX: every zoo model and the torch-exported
MobileNetV2 fixture, imported, optionally run through the canonical passes,
exported, and run by onnxruntime against the original model.

- Without passes the exported model computes exactly what the original computes
  (rel_err 0: same ops, same weights, same order of operations).
- After the canonical passes (BatchNorm folded into the conv weights, activations
  fused) the weights are rounded differently: rel_err <= 1e-5 relative to the
  output's largest magnitude, except MobileNetV2 whose float32 rounding noise is
  itself ~1e-5 (its float64 numpy reference differs from onnxruntime by 1.1e-5 at
  input 64): 3e-5 there.
- Re-importing the exported model gives the same IR (ops, node and tensor names,
  attributes, shapes, weights bit for bit; constant names aside, since the
  frontend's Gemm converter always makes new weight constants).
"""
from __future__ import annotations

import os

import numpy as np
import onnx
import pytest
from ort_check import ort_run, rel_err

from sparsecc import zoo
from sparsecc.compiler.export import export_onnx, save_onnx
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir import Graph, format_graph
from sparsecc.compiler.passes import PassManager, canonical_passes

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
TORCH_ONNX = os.path.join(FIXTURES, "torch_mobilenetv2_tiny.onnx")
TORCH_NPZ = os.path.join(FIXTURES, "torch_mobilenetv2_tiny.npz")

MODELS = zoo.list_models()
TOL = 1e-5
TOL_AFTER_PASSES = {"mobilenet_v2": 3e-5}


def build(name: str) -> onnx.ModelProto:
    return zoo.build(name) if name == "transformer_block" else zoo.build(name, input_size=64)


def feeds_for(graph: Graph, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {v.name: rng.standard_normal(v.shape).astype(np.float32) for v in graph.inputs}


def canonical(graph: Graph) -> Graph:
    PassManager(canonical_passes()).run(graph)
    return graph


def assert_same_outputs(label: str, exported: onnx.ModelProto, original: onnx.ModelProto, feeds, tol: float):
    got, expected = ort_run(exported, feeds), ort_run(original, feeds)
    assert set(got) == set(expected), f"{label}: outputs {sorted(got)} != original {sorted(expected)}"
    for name, exp in expected.items():
        err = rel_err(got[name], exp)
        assert err <= tol, f"{label}: output {name!r} rel_err {err:.3g} > {tol:g}"


@pytest.mark.parametrize("name", MODELS)
def test_zoo_model_exported_without_passes_computes_exactly_the_original(name):
    original = build(name)
    graph = import_onnx(original)
    assert_same_outputs(f"{name} (no passes)", export_onnx(graph), original, feeds_for(graph), tol=0.0)


@pytest.mark.parametrize("name", MODELS)
def test_zoo_model_round_trip_after_canonical_passes(name):
    original = build(name)
    graph = canonical(import_onnx(original))
    exported = export_onnx(graph)
    for seed in (0, 1):
        assert_same_outputs(f"{name} seed {seed}", exported, original, feeds_for(graph, seed),
                            TOL_AFTER_PASSES.get(name, TOL))


def test_torch_fixture_round_trip_matches_original_and_torch():
    original = onnx.load(TORCH_ONNX)
    data = np.load(TORCH_NPZ)
    x = data["input"]
    graph = canonical(import_onnx(original, input_shapes={"input": list(x.shape)}))
    exported = export_onnx(graph)
    assert [d.dim_value for d in exported.graph.input[0].type.tensor_type.shape.dim] == list(x.shape)
    assert_same_outputs("torch_mobilenetv2_tiny", exported, original, {"input": x}, TOL)
    err = rel_err(ort_run(exported, {"input": x})["output"], data["output"])
    assert err < 1e-4, f"exported fixture vs torch's own output: rel_err {err:.3g}"


def _ir_summary(graph: Graph) -> list:
    """Everything that defines the IR's function and names, comparable across graphs."""
    def value(v):
        if v is None:
            return None
        if v.is_const:
            return ("<const>", v.shape, str(v.dtype), v.const.tobytes())
        return (v.name, v.shape, str(v.dtype))

    nodes = [(n.op, n.name, sorted(n.attrs.items()), [value(v) for v in n.inputs], [value(v) for v in n.outputs])
             for n in graph.nodes]
    return [[value(v) for v in graph.inputs], [value(v) for v in graph.outputs], nodes]


@pytest.mark.parametrize("opset", [17, 21])
@pytest.mark.parametrize("name", MODELS)
def test_reimporting_the_export_gives_the_same_ir(name, opset):
    graph = canonical(import_onnx(build(name)))
    again = canonical(import_onnx(export_onnx(graph, opset=opset)))
    before, after = _ir_summary(graph), _ir_summary(again)
    assert before[:2] == after[:2], f"{name} opset {opset}: graph inputs/outputs differ after the round trip"
    assert [n[:2] for n in before[2]] == [n[:2] for n in after[2]], \
        f"{name} opset {opset}: node list differs after the round trip"
    for b, a in zip(before[2], after[2]):
        assert b == a, f"{name} opset {opset}: node {b[1]!r} ({b[0]}) differs after the round trip"


def test_export_leaves_the_graph_unchanged():
    graph = canonical(import_onnx(build("mobilenet_v3_block")))
    before = format_graph(graph)
    export_onnx(graph, opset=13)
    assert format_graph(graph) == before


def test_export_keeps_input_output_initializer_names_and_records_shapes():
    graph = canonical(import_onnx(build("resnet18")))
    model = export_onnx(graph)
    g = model.graph
    assert [i.name for i in g.input] == [v.name for v in graph.inputs]
    assert [o.name for o in g.output] == [v.name for v in graph.outputs]
    consts = {v.name for n in graph.nodes for v in n.inputs if v is not None and v.is_const}
    lost = consts - {i.name for i in g.initializer}
    assert not lost, f"constants not kept as initializers: {sorted(lost)[:5]}"
    lost = {n.name for n in graph.nodes} - {n.name for n in g.node}
    assert not lost, f"IR node names lost: {sorted(lost)[:5]}"
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim] for vi in g.value_info}
    for n in graph.nodes:
        for v in n.outputs:
            if not graph.is_output(v):
                assert shapes.get(v.name) == list(v.shape), \
                    f"value_info of {v.name!r}: {shapes.get(v.name)} vs {list(v.shape)}"
    assert model.producer_name == "sparsecc"
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]


def test_save_onnx_writes_a_loadable_model(tmp_path):
    graph = canonical(import_onnx(build("mobilenet_v1")))
    path = tmp_path / "pruned.onnx"
    save_onnx(graph, path, opset=13)
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded.SerializeToString() == export_onnx(graph, opset=13).SerializeToString()
    assert os.listdir(tmp_path) == ["pruned.onnx"], f"temporary files left behind: {os.listdir(tmp_path)}"


def test_save_onnx_leaves_the_old_file_when_export_fails(tmp_path):
    from sparsecc.compiler.errors import CompileError

    graph = canonical(import_onnx(build("mobilenet_v1")))
    path = tmp_path / "model.onnx"
    path.write_bytes(b"old")
    with pytest.raises(CompileError):
        save_onnx(graph, path, opset=99)
    assert path.read_bytes() == b"old"
