"""Spaces the pass cannot prove safe are left alone, each with a reason in the report."""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from ort_check import make_model
from prune_graphs import GRAPHS
from rearrange_check import constants, feeds_for, graph_of, run

from sparsecc.compiler.passes.rearrange import Rearrange


def _report(graph, sparsity=0.7):
    p = Rearrange(sparsity, "g4", budget_s=2.0)
    p.run(graph)
    return {r.name: r.status for r in p.report}


@pytest.mark.parametrize("name, space, reason", [
    ("gather_channels", "conv", "Gather"),
    ("mlp_layernorm", "matmul", "LayerNormalization"),
    ("intermediate_output", "conv", "graph output"),
    ("residual_chain", "gemm", "graph output"),
])
def test_barrier_spaces_are_skipped_with_a_reason(name, space, reason):
    graph = graph_of(GRAPHS[name](), False)
    w0 = constants(graph)
    rep = _report(graph)
    skipped = {k: v for k, v in rep.items() if v.startswith("skipped")}
    assert any(k.startswith(space) and reason in v for k, v in skipped.items()), rep
    if name in ("gather_channels", "mlp_layernorm"):  # nothing else is permutable there
        w1 = constants(graph)
        assert all(np.array_equal(w0[k], w1[k]) for k in w0), f"{name}: a constant changed"


def test_constant_read_outside_the_space_is_refused():
    """A bias constant also added to a graph input (untracked): re-ordering it would change that output."""
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((8, 3, 1, 1)).astype(np.float32), "w1")
    b = numpy_helper.from_array(rng.standard_normal((1, 8, 1, 1)).astype(np.float32), "b")
    w2 = numpy_helper.from_array(rng.standard_normal((4, 8, 1, 1)).astype(np.float32), "w2")
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="c1"),
             helper.make_node("Add", ["c1", "b"], ["a1"], name="a1"),
             helper.make_node("Conv", ["a1", "w2"], ["y"], name="c2"),
             helper.make_node("Add", ["x2", "b"], ["z"], name="a2")]
    ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4]),
           helper.make_tensor_value_info("x2", TensorProto.FLOAT, [1, 8, 1, 1])]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4]),
            helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 8, 1, 1])]
    graph = graph_of(make_model(nodes, ins, outs, [w1, b, w2]), False)
    before = graph_of(make_model(nodes, ins, outs, [w1, b, w2]), False)
    rep = _report(graph)
    assert any("also read by Add 'a2'" in v for v in rep.values()), rep
    feeds = feeds_for(graph)
    got, want = run(graph, feeds), run(before, feeds)
    for k in want:
        np.testing.assert_array_equal(got[k], want[k], err_msg=f"output {k} changed")


def test_multi_row_classes_are_reported_not_searched():
    """Attention heads move whole (one class = Dh rows): the search says why it leaves them."""
    rep = _report(graph_of(GRAPHS["attention"](), False))
    assert any("spans several rows" in v for v in rep.values()), rep


def test_spaces_without_sparsified_layers_are_left_alone():
    rep = _report(graph_of(GRAPHS["concat_branches"](), False))
    assert any("no layer of this space is sparsified" in v for v in rep.values()), rep


@pytest.mark.parametrize("sparsity, budget, msg", [(1.0, 1.0, "sparsity must be in [0, 1)"),
                                                    (0.5, -1.0, "budget must be >= 0")])
def test_bad_arguments_are_clear_errors(sparsity, budget, msg):
    from sparsecc.compiler.errors import CompileError

    with pytest.raises(CompileError, match=msg.replace("[", r"\[").replace(")", r"\)")):
        Rearrange(sparsity, "g4", budget_s=budget)
