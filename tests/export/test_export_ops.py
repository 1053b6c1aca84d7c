"""Every IR op (and every fused activation kind) exported to ONNX and run by
onnxruntime gives the IR's numpy reference: rel_err <= 1e-5 relative to the
output's largest magnitude (tests/ort_check.py), exactly 0 for the ops that only
move data. Opsets 13, 17 and 21 (the opset-dependent forms: HardSwish < 14,
LayerNormalization < 17, reduce axes as input >= 18, Gelu >= 20)."""
from __future__ import annotations

import numpy as np
import pytest
from ir_cases import CASES, Case, build
from onnx import numpy_helper
from ort_check import ort_run, rel_err

from sparsecc.compiler.export import export_onnx
from sparsecc.compiler.export.onnx_ops import EXPORTERS
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.ir.ops import OPS, get
from sparsecc.compiler.ir.ops.activation import ACTIVATIONS

TOL = 1e-5
COPYING_OPS = {"Reshape", "Transpose", "Concat", "Split", "Slice", "Gather", "Pad", "Identity", "Relu", "Neg", "Abs",
               "Max", "Min", "GlobalMaxPool", "MaxPool", "ReduceMax"}
OPSETS = [13, 17, 21]


def _all_ops() -> set[str]:
    get("Relu")  # loads every op module
    return set(OPS)


def test_every_ir_op_has_an_exporter():
    assert set(EXPORTERS) == _all_ops(), (f"IR ops without exporter: {sorted(_all_ops() - set(EXPORTERS))}; "
                                          f"exporters for unknown ops: {sorted(set(EXPORTERS) - _all_ops())}")


def test_op_sweep_covers_every_ir_op_and_every_fused_activation():
    assert {c.op for c in CASES} == _all_ops(), f"ops without a case: {sorted(_all_ops() - {c.op for c in CASES})}"
    on_conv = {c.attrs.get("activation", "none") for c in CASES if c.op == "Conv"}
    assert on_conv == set(ACTIVATIONS), f"activations not tested on Conv: {sorted(set(ACTIVATIONS) - on_conv)}"


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.op}" for i, c in enumerate(CASES)])
def test_exported_op_matches_numpy_reference_in_onnxruntime(case: Case, opset: int):
    graph, feeds = build(case)
    model = export_onnx(graph, opset=opset)  # also runs onnx.checker full_check
    got = ort_run(model, feeds)
    expected = run_graph(graph, feeds)
    assert set(got) == set(expected), f"{case.label} opset {opset}: outputs {sorted(got)} != {sorted(expected)}"
    tol = 0.0 if case.op in COPYING_OPS else TOL
    for name, exp in expected.items():
        err = rel_err(got[name], exp)
        assert err <= tol, f"{case.label} opset {opset}: output {name!r} rel_err {err:.3g} > {tol:g}"


def test_exported_nodes_keep_the_ir_node_name_and_output_names():
    for case in CASES:
        graph, _ = build(case)
        model = export_onnx(graph)
        names = [n.name for n in model.graph.node]
        assert names.count("node") == 1, f"{case.label}: ONNX node names {names}, want one named 'node'"
        assert all(n == "node" or n.startswith("node/") for n in names), f"{case.label}: node names {names}"
        assert [o.name for o in model.graph.output] == [v.name for v in graph.outputs], case.label
        written = {o for n in model.graph.node for o in n.output}
        assert {v.name for v in graph.outputs} <= written, f"{case.label}: outputs not written by any node"


def test_fused_activation_becomes_nodes_after_the_op():
    case = next(c for c in CASES if c.op == "Conv" and c.attrs.get("activation") == "silu")
    graph, _ = build(case)
    model = export_onnx(graph)
    assert [n.op_type for n in model.graph.node] == ["Conv", "Sigmoid", "Mul"], \
        f"silu epilogue exported as {[n.op_type for n in model.graph.node]}"
    conv = model.graph.node[0]
    assert conv.name == "node" and conv.output[0] != "y0", "the Conv must write an intermediate, not the output"
    assert model.graph.node[-1].output[0] == "y0"


def test_gemm_exports_with_transposed_weights():
    case = next(c for c in CASES if c.op == "Gemm")
    graph, _ = build(case)
    gemm = export_onnx(graph).graph.node[0]
    attrs = {a.name: a.i for a in gemm.attribute}
    assert gemm.op_type == "Gemm" and attrs.get("transB") == 1 and "transA" not in attrs, f"Gemm attrs {attrs}"


def test_backward_slice_to_index_zero_ends_at_int64_min():
    case = Case("Slice", [(5,)], {"starts": [4], "steps": [-1], "sizes": [5]})
    graph, feeds = build(case)
    model = export_onnx(graph)
    ends = next(i for i in model.graph.initializer if i.name.endswith("/ends"))
    assert numpy_helper.to_array(ends).tolist() == [np.iinfo(np.int64).min]
    np.testing.assert_array_equal(ort_run(model, feeds)["y0"], feeds["x0"][::-1])
