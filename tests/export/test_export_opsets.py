"""Opset-dependent export forms (13 / 17 / 20 / 21), IR that ONNX cannot express
(a CompileError naming the node), and graph edge cases (constant or pass-through
outputs, names that collide with the exporter's helper names)."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from ir_cases import Case, Const, build
from ort_check import ort_run, rel_err

from sparsecc import zoo
from sparsecc.compiler.errors import CompileError, VerifyError
from sparsecc.compiler.export import export_onnx
from sparsecc.compiler.export.onnx_ops import EXPORTERS
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir import Graph
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes import PassManager, canonical_passes


def op_types(model: onnx.ModelProto) -> list[str]:
    return [n.op_type for n in model.graph.node]


def exported(case: Case, opset: int) -> onnx.ModelProto:
    return export_onnx(build(case)[0], opset=opset)


# ---- forms that depend on the opset -----------------------------------------------------

ERF_FORM = ["Div", "Erf", "Mul", "Add", "Mul"]


@pytest.mark.parametrize("opset,form", [(13, ERF_FORM), (17, ERF_FORM), (20, ["Gelu"]), (21, ["Gelu"])])
def test_gelu_is_the_gelu_op_from_opset_20_and_the_erf_form_before(opset, form):
    assert op_types(exported(Case("Gelu", [(2, 3)], {"approximate": "none"}), opset)) == form


@pytest.mark.parametrize("opset", [13, 17, 20])
def test_gelu_tanh_epilogue_has_no_erf_and_tanh_only_before_opset_20(opset):
    case = Case("MatMul", [(2, 3), (3, 4)], {"activation": "gelu_tanh"})
    ops = op_types(exported(case, opset))
    assert "Erf" not in ops
    assert ("Tanh" in ops) == (opset < 20) and ("Gelu" in ops) == (opset >= 20), f"opset {opset}: {ops}"


@pytest.mark.parametrize("opset,form", [(13, ["HardSigmoid", "Mul"]), (14, ["HardSwish"]), (21, ["HardSwish"])])
def test_hard_swish_is_an_op_from_opset_14(opset, form):
    assert op_types(exported(Case("HardSwish", [(2, 3)]), opset)) == form


@pytest.mark.parametrize("opset", [13, 16, 17, 21])
def test_layernorm_is_an_op_from_opset_17_and_written_out_before(opset):
    ops = op_types(exported(Case("LayerNormalization", [(2, 4), Const(np.ones(4, np.float32))], {"axis": 1}), opset))
    assert (ops == ["LayerNormalization"]) == (opset >= 17), f"opset {opset}: {ops}"
    assert opset >= 17 or "ReduceMean" in ops


@pytest.mark.parametrize("opset", [13, 17, 18, 21])
@pytest.mark.parametrize("op,since", [("ReduceMean", 18), ("ReduceMax", 18), ("ReduceSum", 13)])
def test_reduce_axes_is_an_input_from_its_opset(op, since, opset):
    node = exported(Case(op, [(2, 3, 4)], {"axes": [1, 2], "keepdims": 0}), opset).graph.node[0]
    has_attr = any(a.name == "axes" for a in node.attribute)
    assert (len(node.input) == 2) == (opset >= since) and has_attr == (opset < since), \
        f"{op} opset {opset}: inputs {list(node.input)}, attributes {[a.name for a in node.attribute]}"


@pytest.mark.parametrize("opset", [13, 17])
def test_transformer_with_gelu_op_exports_to_older_opsets(opset):
    original = zoo.build("transformer_block", opset=20, gelu="op", seq=16, d_model=32)
    graph = import_onnx(original)
    PassManager(canonical_passes()).run(graph)
    model = export_onnx(graph, opset=opset)
    assert "Gelu" not in op_types(model) and ("LayerNormalization" in op_types(model)) == (opset >= 17)
    feeds = {"tokens": np.random.default_rng(3).standard_normal((1, 16, 32)).astype(np.float32)}
    err = rel_err(ort_run(model, feeds)["output"], ort_run(original, feeds)["output"])
    assert err <= 1e-5, f"transformer_block (Gelu op, opset 20) exported at opset {opset}: rel_err {err:.3g}"


# ---- what cannot be exported ----------------------------------------------------------

@pytest.mark.parametrize("opset", [11, 12, 22, "17", True])
def test_unsupported_opset_is_a_clear_error(opset):
    graph, _ = build(Case("Relu", [(2, 3)]))
    with pytest.raises(CompileError, match=r"opset .*13-21"):
        export_onnx(graph, opset=opset)


def _resize(mode: str, nearest: str, scales, sizes) -> Case:
    return Case("Resize", [(1, 2, 4, 4)], {"mode": mode, "coordinate_transformation_mode": "tf_half_pixel_for_nearest",
                                           "nearest_mode": nearest, "scales": scales, "sizes": sizes})


@pytest.mark.parametrize("mode,nearest", [("linear", "round_prefer_floor"), ("nearest", "ceil"),
                                          ("nearest", "round_prefer_ceil")])
def test_tf_half_pixel_without_a_standard_form_is_refused_naming_the_node(mode, nearest):
    graph, _ = build(_resize(mode, nearest, [1.0, 1.0, 2.0, 2.0], [1, 2, 8, 8]))
    with pytest.raises(CompileError, match=r"Resize node 'node'.*tf_half_pixel_for_nearest"):
        export_onnx(graph)


def test_resize_whose_scales_do_not_give_its_sizes_is_refused():
    case = Case("Resize", [(1, 2, 4, 4)], {"mode": "nearest", "scales": [1.0, 1.0, 1.5, 1.5], "sizes": [1, 2, 7, 6]})
    graph, _ = build(case)
    with pytest.raises(CompileError, match=r"Resize node 'node'.*\[1, 2, 6, 6\].*\[1, 2, 7, 6\]"):
        export_onnx(graph)


def test_ops_without_exporter_are_all_listed_by_node(monkeypatch):
    g = Graph("two")
    x = g.add_input("x", (2, 3))
    a = g.add_node("Relu", [x], [(2, 3)], name="first").output
    b = g.add_node("Relu", [a], [(2, 3)], name="second").output
    g.outputs = [g.add_node("Sigmoid", [b], [(2, 3)], name="third").output]
    monkeypatch.delitem(EXPORTERS, "Relu")
    monkeypatch.delitem(EXPORTERS, "Sigmoid")
    with pytest.raises(CompileError, match=r"Relu \[first, second\]; Sigmoid \[third\]"):
        export_onnx(g)


def test_malformed_ir_is_rejected_before_export():
    graph, _ = build(Case("Relu", [(2, 3)]))
    graph.nodes[0].outputs[0].shape = (3, 2)
    with pytest.raises(VerifyError, match="node"):
        export_onnx(graph)


def test_an_output_listed_twice_is_refused():
    graph, _ = build(Case("Relu", [(2, 3)]))
    graph.outputs = graph.outputs * 2
    with pytest.raises(CompileError, match=r"'y0'.*more than once"):
        export_onnx(graph)


# ---- graph edge cases -------------------------------------------------------------------

def test_constant_and_pass_through_outputs_keep_their_names():
    g = Graph("edges")
    x = g.add_input("x", (2, 3))
    c = g.const("table", np.arange(6, dtype=np.float32).reshape(2, 3))
    r = g.add_node("Relu", [x], [(2, 3)], name="relu", output_names=["r"]).output
    g.outputs = [r, c, x]
    model = export_onnx(g)
    assert [o.name for o in model.graph.output] == ["r", "table", "x"]
    feeds = {"x": np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)}
    got, want = ort_run(model, feeds), run_graph(g, feeds)
    for name in ("r", "table", "x"):
        np.testing.assert_array_equal(got[name], want[name], err_msg=f"output {name!r}")


def test_ir_names_that_look_like_helper_names_do_not_collide():
    g = Graph("collide")
    x = g.add_input("y/pre_activation", (1, 2, 4, 4))
    w = g.const("scalar_0.5", np.full((3, 2, 1, 1), 0.25, np.float32))
    conv = g.add_node("Conv", [x, w], [(1, 3, 4, 4)], {"activation": "gelu"}, name="conv", output_names=["y"])
    copy = g.add_node("Identity", [conv.output], [(1, 3, 4, 4)], name="conv/gelu", output_names=["conv/gelu/erf"])
    g.outputs = [conv.output, copy.output]
    model = export_onnx(g, opset=17)  # the Erf form uses a 0.5 scalar and conv/gelu/... names
    assert "scalar_0.5" in {i.name for i in model.graph.initializer}
    by_name = {n.name: n.op_type for n in model.graph.node}
    assert by_name["conv"] == "Conv" and by_name["conv/gelu"] == "Identity", f"node names {by_name}"
    feeds = {"y/pre_activation": np.random.default_rng(1).standard_normal((1, 2, 4, 4)).astype(np.float32)}
    got, want = ort_run(model, feeds), run_graph(g, feeds)
    for name in ("y", "conv/gelu/erf"):
        err = rel_err(got[name], want[name])
        assert err <= 1e-5, f"output {name!r}: rel_err {err:.3g}"
