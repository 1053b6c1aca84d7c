"""ReduceMean / ReduceSum / ReduceMax against onnxruntime (TOL = 1e-5 relative to the
output's largest magnitude): axes as attribute (old opsets) and as input (new),
negative and unsorted axes, keepdims, noop_with_empty_axes; plus the IR checks."""
from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
import onnx

from single_op import check_op, op_model, randn
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.frontend.onnx_ops.reduce import AXES_AS_INPUT
from sparsecc.compiler.ir import Graph
from sparsecc.compiler.ir.ops import ShapeError, infer_node

REDUCE_OPS = ["ReduceMean", "ReduceSum", "ReduceMax"]

# (input shape, axes or None for "no axes")
CASES = [
    ((5,), None),
    ((5,), [0]),
    ((3, 4), [1]),
    ((3, 4), [-1]),
    ((2, 3, 4), [0, 2]),
    ((2, 3, 4), [2, 0]),
    ((2, 3, 4), None),
    ((2, 3, 4, 5), [-3, -1]),
    ((2, 3, 4, 5), [2, 3]),
    ((2, 1, 3, 2, 2), [1, 3, 4]),
    ((2, 1, 3, 2, 2), [-5]),
]


def _reduce(op, x, axes, opset, keepdims=None, noop=None):
    """check_op for one reduce node, with axes as attribute or input as the opset requires."""
    attrs = {}
    if keepdims is not None:
        attrs["keepdims"] = keepdims
    if noop is not None:
        attrs["noop_with_empty_axes"] = noop
    inputs, consts = ["x"], {}
    if axes is not None:
        if opset >= AXES_AS_INPUT[op]:
            inputs.append("axes")
            consts["axes"] = np.array(axes, dtype=np.int64)
        else:
            attrs["axes"] = axes
    return check_op(op, inputs, {"x": x}, consts, attrs, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 17, 18, 21])
@pytest.mark.parametrize("keepdims", [None, 0, 1])
@pytest.mark.parametrize("op", REDUCE_OPS)
def test_reduce_matches_onnxruntime_for_axes_and_keepdims(op, keepdims, opset):
    rng = np.random.default_rng(20)
    for shape, axes in CASES:
        _reduce(op, randn(rng, shape), axes, opset, keepdims)


@pytest.mark.parametrize("op", REDUCE_OPS)
def test_reduce_noop_with_empty_axes_is_a_copy(op):
    rng = np.random.default_rng(21)
    opset = AXES_AS_INPUT[op]
    x = randn(rng, (2, 3, 4))
    _reduce(op, x, None, opset, noop=1)
    model = op_model(op, ["x"], {"x": x}, attrs={"noop_with_empty_axes": 1}, opset=opset)
    assert [n.op for n in import_onnx(model).nodes] == ["Identity"]
    _reduce(op, x, None, opset, noop=0)  # no axes without noop: reduce everything


@pytest.mark.parametrize("op", REDUCE_OPS)
def test_reduce_with_empty_axes_input_reduces_every_axis(op):
    rng = np.random.default_rng(22)
    opset = AXES_AS_INPUT[op]
    check_op(op, ["x", "axes"], {"x": randn(rng, (2, 3, 4))}, {"axes": np.zeros(0, np.int64)},
             {"keepdims": 0}, opset=opset)


def test_reduce_emits_sorted_non_negative_axes():
    model = op_model("ReduceSum", ["x", "axes"], {"x": np.zeros((2, 3, 4, 5), np.float32)},
                     {"axes": np.array([-1, 1], np.int64)}, {"keepdims": 0}, opset=13)
    (node,) = import_onnx(model).nodes
    assert node.attrs == {"axes": [1, 3], "keepdims": 0}, node.attrs


def _raw_reduce_model(axes, opset=17):
    node = helper.make_node("ReduceMean", ["x"], ["y"], axes=axes, name="bad_reduce")
    graph = helper.make_graph([node], "t", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("axes,reason", [([2], "out of range"), ([-3], "out of range"), ([1, -1], "repeat")])
def test_reduce_bad_axes_is_a_compile_error_naming_the_node(axes, reason):
    with pytest.raises(CompileError, match=f"bad_reduce.*{reason}"):
        import_onnx(_raw_reduce_model(axes))


@pytest.mark.parametrize("attrs,reason", [
    ({"axes": [3]}, "out of range"),
    ({"axes": [1, 0]}, "sorted and unique"),
    ({"axes": [1, 1]}, "sorted and unique"),
    ({"axes": [0], "keepdims": 2}, "keepdims"),
])
def test_ir_reduce_rejects_unnormalised_axes(attrs, reason):
    g = Graph()
    x = g.add_input("x", (2, 3, 4))
    with pytest.raises(ShapeError, match=reason):
        infer_node(g.add_node("ReduceMax", [x], [()], attrs))


def test_ir_reduce_empty_axes_means_all_axes():
    g = Graph()
    x = g.add_input("x", (2, 3, 4))
    assert infer_node(g.add_node("ReduceSum", [x], [()], {"keepdims": 0})) == [()]
    assert infer_node(g.add_node("ReduceSum", [x], [()], {"keepdims": 1})) == [(1, 1, 1)]
