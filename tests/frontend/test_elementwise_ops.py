"""Elementwise ONNX ops against onnxruntime (tolerance: TOL = 1e-5 relative to the
output's largest magnitude), plus the IR checks and Unsupported forms.

Domain-restricted ops get suitable inputs: Sqrt/Log/Reciprocal positive, Div a
denominator away from zero, Pow a positive base.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

from ort_check import make_model
from single_op import TOL, check_op, randn, uniform
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir import Graph
from sparsecc.compiler.ir.ops import ShapeError, infer_node

F = onnx.TensorProto.FLOAT

# (A shape, B shape): equal, broadcast either way, scalars, rank 1..5
BROADCAST_PAIRS = [
    ((2, 3, 4), (2, 3, 4)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 3, 4)),
    ((2, 1, 4), (3, 1)),
    ((3, 1), (2, 1, 4)),
    ((), (3, 2)),
    ((3, 2), ()),
    ((1,), (5,)),
    ((7,), (7,)),
    ((2, 1, 3, 1, 2), (1, 4, 1, 5, 1)),
    ((1, 1), (2, 3)),
]


def _operand(rng, op: str, shape, which: int) -> np.ndarray:
    if op == "Pow":
        return uniform(rng, 0.5, 2.0, shape) if which == 0 else uniform(rng, -2.0, 2.0, shape)
    if op == "Div" and which == 1:
        return uniform(rng, 0.5, 2.0, shape) * np.asarray(rng.choice([-1, 1], shape), dtype=np.float32)
    return randn(rng, shape)


@pytest.mark.parametrize("opset", [11, 13, 17, 21])
@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"])
def test_binary_op_broadcasts_like_onnxruntime(op, opset):
    rng = np.random.default_rng(1)
    for sa, sb in BROADCAST_PAIRS:
        feeds = {"a": _operand(rng, op, sa, 0), "b": _operand(rng, op, sb, 1)}
        check_op(op, ["a", "b"], feeds, opset=opset)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"])
def test_binary_op_with_constant_operand_on_either_side(op):
    rng = np.random.default_rng(2)
    for sa, sb in [((2, 3, 4), (3, 1)), ((4,), (2, 3, 4))]:
        a, b = _operand(rng, op, sa, 0), _operand(rng, op, sb, 1)
        check_op(op, ["a", "b"], {"a": a}, {"b": b})
        check_op(op, ["a", "b"], {"b": b}, {"a": a})


def test_pow_with_int64_exponent_constant_is_cast_to_float():
    rng = np.random.default_rng(3)
    x = uniform(rng, 0.5, 2.0, (3, 4))
    check_op("Pow", ["x", "e"], {"x": x}, {"e": np.array([2, 3, 1, 0], dtype=np.int64)}, opset=13)


VARIADIC_SHAPES = [
    [(3, 1, 4)],
    [(3, 1, 4), (5, 1)],
    [(4,), (2, 1, 4), (1, 3, 1)],
    [(2, 3), (2, 3), (1, 3), ()],
]


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("op", ["Max", "Min", "Sum", "Mean"])
def test_variadic_op_chains_any_number_of_broadcast_inputs(op, opset):
    rng = np.random.default_rng(4)
    for shapes in VARIADIC_SHAPES:
        feeds = {f"x{i}": randn(rng, s) for i, s in enumerate(shapes)}
        check_op(op, list(feeds), feeds, opset=opset)


UNARY_SHAPES = [(), (7,), (3, 5), (2, 3, 4), (2, 3, 4, 5), (1, 2, 3, 2, 2)]
ANY_DOMAIN = ["Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Abs", "Softplus"]
POSITIVE_DOMAIN = ["Sqrt", "Log", "Reciprocal"]


@pytest.mark.parametrize("opset", [11, 13, 17, 21])
@pytest.mark.parametrize("op", ANY_DOMAIN + POSITIVE_DOMAIN + ["HardSwish"])
def test_unary_op_matches_onnxruntime_for_ranks_0_to_5(op, opset):
    if op == "HardSwish" and opset < 14:
        pytest.skip("HardSwish exists from opset 14")
    rng = np.random.default_rng(5)
    for shape in UNARY_SHAPES:
        if op in POSITIVE_DOMAIN:
            x = uniform(rng, 0.05, 5.0, shape)
        else:
            x = 3 * randn(rng, shape)  # reach the saturated regions
        check_op(op, ["x"], {"x": x}, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 17, 21])
@pytest.mark.parametrize("op,attrs", [
    ("LeakyRelu", {}), ("LeakyRelu", {"alpha": 0.2}),
    ("HardSigmoid", {}), ("HardSigmoid", {"alpha": 0.5, "beta": 0.1}),
    ("Elu", {}), ("Elu", {"alpha": 0.5}),
])
def test_parameterised_activation_uses_its_attributes(op, attrs, opset):
    rng = np.random.default_rng(6)
    for shape in [(2, 3, 4, 5), (9,)]:
        check_op(op, ["x"], {"x": (4 * rng.standard_normal(shape)).astype(np.float32)}, attrs=attrs, opset=opset)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_opset20_both_approximations(approximate):
    rng = np.random.default_rng(7)
    for shape in [(2, 16), (1, 3, 4, 5)]:
        check_op("Gelu", ["x"], {"x": (3 * rng.standard_normal(shape)).astype(np.float32)},
                 attrs={"approximate": approximate}, opset=20)


CLIP_BOUNDS = [(-0.5, 0.7), (None, 0.3), (-0.2, None), (None, None), (0.6, -0.6), (0.0, 6.0)]


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("lo,hi", CLIP_BOUNDS)
def test_clip_optional_min_max_inputs_become_attributes(lo, hi, opset):
    rng = np.random.default_rng(8)
    consts, names = {}, ["x", "", ""]
    if lo is not None:
        consts["lo"], names[1] = np.array(lo, dtype=np.float32), "lo"
    if hi is not None:
        consts["hi"], names[2] = np.array(hi, dtype=np.float32), "hi"
    while names[-1] == "":
        names.pop()
    check_op("Clip", names, {"x": randn(rng, (2, 3, 5))}, consts, opset=opset)


def test_clip_without_bounds_uses_float32_max_not_infinity():
    graph = import_onnx(make_model([helper.make_node("Clip", ["x"], ["y"])],
                                   [helper.make_tensor_value_info("x", F, [3])],
                                   [helper.make_tensor_value_info("y", F, [3])], opset=13))
    (node,) = graph.nodes
    fmax = float(np.finfo(np.float32).max)
    assert (node.attrs["min"], node.attrs["max"]) == (-fmax, fmax), node.attrs


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_identity_dropout_and_float_cast_are_copies(opset):
    rng = np.random.default_rng(9)
    x = randn(rng, (2, 3, 4))
    check_op("Identity", ["x"], {"x": x}, opset=opset)
    check_op("Dropout", ["x"], {"x": x}, opset=opset)
    check_op("Cast", ["x"], {"x": x}, attrs={"to": onnx.TensorProto.FLOAT}, opset=opset)
    if opset >= 15:
        check_op("CastLike", ["x", "t"], {"x": x}, {"t": np.zeros(1, np.float32)}, opset=opset)


def _dropout_model(opset: int, mask_is_output: bool, training: bool | None = None):
    inputs, inits = ["x"], []
    if training is not None:
        inputs += ["", "train"]
        inits.append(onnx.numpy_helper.from_array(np.array(training), "train"))
    nodes = [helper.make_node("Dropout", inputs, ["d", "mask"], name="drop"),
             helper.make_node("Relu", ["d"], ["y"], name="relu")]
    outs = [helper.make_tensor_value_info("y", F, [2, 3])]
    if mask_is_output:
        outs.append(helper.make_tensor_value_info("mask", onnx.TensorProto.BOOL, [2, 3]))
    return make_model(nodes, [helper.make_tensor_value_info("x", F, [2, 3])], outs, inits, opset=opset)


def test_dropout_with_unused_mask_output_is_identity():
    graph = import_onnx(_dropout_model(13, mask_is_output=False, training=False))
    assert [n.op for n in graph.nodes] == ["Identity", "Relu"], [n.op for n in graph.nodes]


def test_dropout_with_used_mask_or_training_mode_is_unsupported():
    with pytest.raises(UnsupportedOpsError, match="mask") as e:
        import_onnx(_dropout_model(13, mask_is_output=True))
    assert any(names == ["drop"] for names in e.value.ops.values()), e.value.ops
    with pytest.raises(UnsupportedOpsError, match="training mode"):
        import_onnx(_dropout_model(13, mask_is_output=False, training=True))


def test_cast_of_runtime_tensor_to_int64_is_unsupported():
    model = make_model([helper.make_node("Cast", ["x"], ["y"], to=onnx.TensorProto.INT64, name="to_int")],
                       [helper.make_tensor_value_info("x", F, [4])],
                       [helper.make_tensor_value_info("y", onnx.TensorProto.INT64, [4])], opset=13)
    with pytest.raises(UnsupportedOpsError, match="Cast to INT64 of a run-time tensor") as e:
        import_onnx(model)
    assert list(e.value.ops.values()) == [["to_int"]]


def test_cast_and_constant_of_constants_fold_into_one_add():
    rng = np.random.default_rng(10)
    nodes = [helper.make_node("Constant", [], ["c"], value=onnx.numpy_helper.from_array(
                 np.array([1, -2, 3], dtype=np.int64))),
             helper.make_node("Cast", ["c"], ["cf"], to=F),
             helper.make_node("Add", ["x", "cf"], ["y"])]
    model = make_model(nodes, [helper.make_tensor_value_info("x", F, [2, 3])],
                       [helper.make_tensor_value_info("y", F, [2, 3])], opset=13)
    from ort_check import assert_matches_ort
    assert_matches_ort(model, {"x": randn(rng, (2, 3))}, tol=TOL)
    assert [n.op for n in import_onnx(model).nodes] == ["Add"]


def test_constant_converter_binds_every_attribute_form():
    from sparsecc.compiler.frontend.context import ConvertContext
    from sparsecc.compiler.frontend.onnx_ops import CONVERTERS

    forms = {
        "value": (onnx.numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3)),
                  np.arange(6, dtype=np.float32).reshape(2, 3)),
        "value_float": (2.5, np.array(2.5, np.float32)),
        "value_floats": ([1.0, 2.0], np.array([1, 2], np.float32)),
        "value_int": (7, np.array(7, np.int64)),
        "value_ints": ([3, 4, 5], np.array([3, 4, 5], np.int64)),
    }
    for key, (attr, expected) in forms.items():
        ctx = ConvertContext(Graph(), 17)
        CONVERTERS["Constant"](ctx, helper.make_node("Constant", [], ["c"], name="k", **{key: attr}))
        got = ctx.value("c").const
        assert got.dtype == expected.dtype and np.array_equal(got, expected), f"Constant {key}: {got!r}"


def test_ir_binary_rejects_shapes_that_do_not_broadcast():
    g = Graph()
    a, b = g.add_input("a", (2, 3)), g.add_input("b", (4, 3, 2))
    node = g.add_node("Add", [a, b], [()], name="bad_add")
    with pytest.raises(ShapeError, match=r"bad_add.*\[2, 3\] and \[4, 3, 2\] do not broadcast"):
        infer_node(node)


def test_ir_activation_attributes_are_checked():
    g = Graph()
    x = g.add_input("x", (3,))
    with pytest.raises(ShapeError, match="approximate"):
        infer_node(g.add_node("Gelu", [x], [()], {"approximate": "fast"}))
    with pytest.raises(ShapeError, match="alpha"):
        infer_node(g.add_node("LeakyRelu", [x], [()], {"alpha": float("nan")}))
    with pytest.raises(ShapeError, match="unknown attributes"):
        infer_node(g.add_node("Relu", [x], [()], {"alpha": 1.0}))


def test_gelu_with_unknown_approximation_is_a_compile_error_naming_the_node():
    model = helper.make_model(helper.make_graph(
        [helper.make_node("Gelu", ["x"], ["y"], approximate="fast", name="g1")], "t",
        [helper.make_tensor_value_info("x", F, [3])], [helper.make_tensor_value_info("y", F, [3])]),
        opset_imports=[helper.make_opsetid("", 20)])
    with pytest.raises(CompileError, match="g1.*approximate"):
        import_onnx(model)
