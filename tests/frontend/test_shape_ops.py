"""Shape and data-movement ONNX ops against onnxruntime (TOL = 1e-5 relative to the
output's largest magnitude; these ops copy, so any error is a wrong index):
Reshape/Flatten/Squeeze/Unsqueeze (-> IR Reshape), Transpose, Concat, Split,
Slice (ONNX clamping, negative steps), Gather (constant indices), Expand; plus the
IR checks that the runtime repeats."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

from ort_check import ort_run
from single_op import check_op, op_model, randn
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError
from sparsecc.compiler.frontend.context import ConvertContext
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.frontend.onnx_ops import CONVERTERS, Unsupported
from sparsecc.compiler.ir import Graph, Value
from sparsecc.compiler.ir.ops import ShapeError, infer_node

F = onnx.TensorProto.FLOAT
I64 = np.int64
BIG = np.iinfo(np.int64).max


def _ir_ops(model) -> list[str]:
    return [n.op for n in import_onnx(model).nodes]


# ---- Reshape family ----------------------------------------------------------------------

RESHAPES = [
    ((2, 3, 4), [4, 6]),
    ((2, 3, 4), [-1]),
    ((2, 3, 4), [0, -1]),
    ((2, 3, 4), [0, 0, 2, 2]),
    ((2, 3, 4), [-1, 0, 2]),
    ((1, 3, 2, 2), [1, 12]),
    ((6,), [1, 2, 1, 3, 1]),
    ((2, 3, 1, 2, 2), [2, -1]),
    ((5,), [5]),
]


@pytest.mark.parametrize("opset", [11, 13, 14, 21])
def test_reshape_copies_zeros_and_infers_minus_one(opset):
    rng = np.random.default_rng(30)
    for shape, target in RESHAPES:
        err = check_op("Reshape", ["x", "s"], {"x": randn(rng, shape)}, {"s": np.array(target, I64)}, opset=opset)
        assert err == 0.0, f"Reshape {shape} -> {target} changed values (rel_err {err})"
    if opset >= 14:  # allowzero=1 without a 0 in the shape behaves as usual
        check_op("Reshape", ["x", "s"], {"x": randn(rng, (2, 3, 4))}, {"s": np.array([3, -1], I64)},
                 {"allowzero": 1}, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_flatten_every_axis_including_negative(opset):
    rng = np.random.default_rng(31)
    x = randn(rng, (2, 3, 4, 5))
    for axis in [0, 1, 2, 3, 4, -1, -3, -4]:
        check_op("Flatten", ["x"], {"x": x}, attrs={"axis": axis}, opset=opset)
    check_op("Flatten", ["x"], {"x": x}, opset=opset)


def _axes_op(op, x, axes, opset):
    if axes is None:
        return check_op(op, ["x"], {"x": x}, opset=opset)
    if opset >= 13:
        return check_op(op, ["x", "axes"], {"x": x}, {"axes": np.array(axes, I64)}, opset=opset)
    return check_op(op, ["x"], {"x": x}, attrs={"axes": axes}, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_squeeze_axes_attribute_or_input(opset):
    rng = np.random.default_rng(32)
    x = randn(rng, (1, 3, 1, 2, 1))
    for axes in [None, [0], [-1], [0, 2], [4, 0, -3]]:
        _axes_op("Squeeze", x, axes, opset)


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_unsqueeze_axes_attribute_or_input(opset):
    rng = np.random.default_rng(33)
    for shape, axes in [((3, 4), [0]), ((3, 4), [-1]), ((3, 4), [1, 3]), ((3, 4), [0, 4, 2]),
                        ((3, 4), [-1, -4]), ((5,), [0, 1, 2, 3])]:
        _axes_op("Unsqueeze", randn(rng, shape), axes, opset)


def test_reshape_family_becomes_one_ir_reshape_with_static_shape():
    x = {"x": np.zeros((1, 3, 1, 4), np.float32)}
    for op, inputs, consts, attrs, expected in [
        ("Flatten", ["x"], {}, {"axis": 2}, [3, 4]),
        ("Squeeze", ["x", "a"], {"a": np.array([0, 2], I64)}, {}, [3, 4]),
        ("Unsqueeze", ["x", "a"], {"a": np.array([-1], I64)}, {}, [1, 3, 1, 4, 1]),
        ("Reshape", ["x", "s"], {"s": np.array([0, -1], I64)}, {}, [1, 12]),
    ]:
        (node,) = import_onnx(op_model(op, inputs, x, consts, attrs, opset=13)).nodes
        assert (node.op, node.attrs) == ("Reshape", {"shape": expected}), f"{op}: {node.op} {node.attrs}"


# ---- Transpose, Concat, Split ------------------------------------------------------------------

@pytest.mark.parametrize("opset", [11, 13, 21])
def test_transpose_default_and_explicit_perms(opset):
    rng = np.random.default_rng(34)
    for shape, perm in [((5,), None), ((3, 4), None), ((2, 3, 4), [0, 2, 1]), ((2, 3, 4, 5), [2, 0, 1, 3]),
                        ((2, 3, 4, 5), None), ((1, 2, 3, 2, 2), [4, 2, 0, 3, 1])]:
        attrs = {} if perm is None else {"perm": perm}
        check_op("Transpose", ["x"], {"x": randn(rng, shape)}, attrs=attrs, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_concat_any_axis_with_runtime_and_constant_inputs(opset):
    rng = np.random.default_rng(35)
    for shapes, axis in [([(4,)], 0), ([(2, 3), (2, 5)], 1), ([(2, 3), (4, 3), (1, 3)], 0),
                         ([(2, 3, 4), (2, 3, 1)], -1), ([(1, 2, 3, 4), (1, 5, 3, 4)], -3)]:
        feeds = {f"x{i}": randn(rng, s) for i, s in enumerate(shapes)}
        check_op("Concat", list(feeds), feeds, attrs={"axis": axis}, opset=opset)
    a, c = randn(rng, (2, 3)), randn(rng, (2, 2))
    check_op("Concat", ["a", "c", "a"], {"a": a}, {"c": c}, attrs={"axis": 1}, opset=opset)


@pytest.mark.parametrize("opset,form", [(11, "attr"), (11, "equal"), (13, "input"), (13, "equal"),
                                        (18, "input"), (18, "num_outputs"), (21, "num_outputs")])
def test_split_sizes_from_attribute_input_equal_or_num_outputs(opset, form):
    rng = np.random.default_rng(36)
    for shape, axis, sizes in [((6, 4), 0, [1, 2, 3]), ((2, 7, 3), 1, [3, 3, 1]), ((2, 3, 8), -1, [4, 4]),
                               ((9,), 0, [3, 3, 3])]:
        x, inputs, consts, attrs = randn(rng, shape), ["x"], {}, {"axis": axis}
        if form == "attr":
            attrs["split"] = sizes
        elif form == "input":
            inputs.append("split")
            consts["split"] = np.array(sizes, I64)
        elif form == "num_outputs":
            if sizes[:-1] != [-(-shape[axis] // len(sizes))] * (len(sizes) - 1):
                continue  # not a ceil-split: num_outputs cannot express it
            attrs["num_outputs"] = len(sizes)
        elif len(set(sizes)) > 1:
            continue  # equal split only
        check_op("Split", inputs, {"x": x}, consts, attrs, opset=opset, n_outputs=len(sizes))


# ---- Slice -----------------------------------------------------------------------------------------

SLICES = [  # (starts, ends, axes, steps) on a [4, 5, 6] input; None = input absent
    ([1], [3], None, None),
    ([0, 1], [2, BIG], [0, 2], None),
    ([-3], [-1], [1], None),
    ([10], [-BIG], [2], [-1]),           # start past the end with a negative step: clamped to dim-1
    ([-1], [-BIG], [1], [-1]),           # full reversal
    ([5, -100], [-BIG, 100], [2, 0], [-2, 2]),
    ([0, 0, 0], [4, 5, 6], [-3, -2, -1], [3, 2, 5]),
    ([1], [BIG], [-1], [4]),
    ([-10], [2], [0], [1]),              # start before the beginning: clamped to 0
]


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_slice_clamps_starts_and_ends_like_onnx(opset):
    rng = np.random.default_rng(37)
    x = randn(rng, (4, 5, 6))
    for starts, ends, axes, steps in SLICES:
        names, consts = ["x", "s", "e"], {"s": np.array(starts, I64), "e": np.array(ends, I64)}
        if axes is not None or steps is not None:
            names.append("a" if axes is not None else "")
            if axes is not None:
                consts["a"] = np.array(axes, I64)
        if steps is not None:
            names.append("t")
            consts["t"] = np.array(steps, I64)
        check_op("Slice", names, {"x": x}, consts, opset=opset)


def test_slice_random_parameters_match_onnxruntime_or_reject_empty_output():
    """Seeded random starts/ends/steps (out of range included); an empty result must be a CompileError."""
    rng = np.random.default_rng(38)
    shape = (3, 7, 5)
    x = randn(rng, shape)
    n_checked = n_empty = 0
    for _ in range(120):
        axes = sorted(rng.choice(3, size=int(rng.integers(1, 4)), replace=False).tolist())
        starts = [int(rng.integers(-9, 10)) for _ in axes]
        ends = [int(rng.integers(-9, 10)) for _ in axes]
        steps = [int(rng.choice([-3, -2, -1, 1, 2, 3])) for _ in axes]
        consts = {n: np.array(v, I64) for n, v in zip("seat", (starts, ends, axes, steps))}
        model = op_model("Slice", ["x", "s", "e", "a", "t"], {"x": x}, consts, opset=13)
        if 0 in ort_run(model, {"x": x})["y0"].shape:
            with pytest.raises(CompileError, match="selects no element"):
                import_onnx(model)
            n_empty += 1
        else:
            check_op("Slice", ["x", "s", "e", "a", "t"], {"x": x}, consts, opset=13)
            n_checked += 1
    assert n_checked >= 30 and n_empty >= 1, (n_checked, n_empty)


# ---- Gather, Expand ------------------------------------------------------------------------------

@pytest.mark.parametrize("opset", [11, 13, 21])
def test_gather_constant_indices_scalar_1d_nd_and_negative(opset):
    rng = np.random.default_rng(39)
    for shape, axis, idx in [((5,), 0, np.array(3)), ((5,), 0, np.array([4, 0, 0, -1])),
                             ((4, 6), 1, np.array([[0, 5], [-2, 1], [3, 3]])), ((4, 6), -2, np.array(-1)),
                             ((2, 3, 4), 2, np.array([1, -4])), ((2, 3, 4, 5), -1, np.array([[[4]]]))]:
        check_op("Gather", ["x", "i"], {"x": randn(rng, shape)}, {"i": idx.astype(I64)}, {"axis": axis},
                 opset=opset)


def test_gather_with_runtime_indices_is_unsupported():
    ctx = ConvertContext(Graph(), 13)
    ctx.bind("x", Value("x", (4, 3)))
    ctx.bind("i", Value("i", (2,), np.int64))  # computed at run time: not a constant
    with pytest.raises(Unsupported, match="indices"):
        CONVERTERS["Gather"](ctx, helper.make_node("Gather", ["x", "i"], ["y"], name="g"))


def test_gather_out_of_range_index_is_a_compile_error_naming_the_node():
    node = helper.make_node("Gather", ["x", "i"], ["y"], axis=1, name="bad_gather")
    graph = helper.make_graph([node], "t", [helper.make_tensor_value_info("x", F, [2, 3])],
                              [helper.make_tensor_value_info("y", F, None)],
                              initializer=[onnx.numpy_helper.from_array(np.array([0, 3], I64), "i")])
    with pytest.raises(CompileError, match=r"bad_gather.*\[3\] are out of range"):
        import_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))


@pytest.mark.parametrize("opset", [11, 13, 21])
def test_expand_to_constant_shape_is_an_exact_multiply(opset):
    rng = np.random.default_rng(40)
    for shape, target in [((3, 1), [2, 3, 4]), ((1,), [5]), ((2, 3), [2, 3]), ((4, 1, 1), [1, 5]),
                          ((2, 3, 4), [3, 1]), ((1, 3, 1, 1), [2, 1, 4, 1])]:
        x = randn(rng, shape)
        err = check_op("Expand", ["x", "s"], {"x": x}, {"s": np.array(target, I64)}, opset=opset)
        assert err == 0.0, f"Expand {shape} -> {target}: not exact (rel_err {err})"
    model = op_model("Expand", ["x", "s"], {"x": randn(rng, (3, 1))}, {"s": np.array([2, 3, 4], I64)}, opset=opset)
    graph = import_onnx(model)
    (node,) = graph.nodes
    assert node.op == "Mul" and node.inputs[1].shape == (2, 1, 4), f"{node.op} {node.inputs[1].shape}"


# ---- errors --------------------------------------------------------------------------------------

def _raw(op, inputs, x_shape, inits, opset=13, n_out=1, **attrs):
    node = helper.make_node(op, inputs, [f"y{i}" for i in range(n_out)], name=f"bad_{op.lower()}", **attrs)
    graph = helper.make_graph([node], "t", [helper.make_tensor_value_info("x", F, list(x_shape))],
                              [helper.make_tensor_value_info(f"y{i}", F, None) for i in range(n_out)],
                              initializer=[onnx.numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("model,reason", [
    (_raw("Reshape", ["x", "s"], (2, 3), {"s": np.array([4, -1], I64)}), "infer the -1"),
    (_raw("Reshape", ["x", "s"], (2, 3), {"s": np.array([-1, -1], I64)}), "more than one -1"),
    (_raw("Reshape", ["x", "s"], (2, 3), {"s": np.array([5], I64)}), "element counts differ"),
    (_raw("Reshape", ["x", "s"], (2, 3), {"s": np.array([0, 6], I64)}, opset=14, allowzero=1), "zero-size"),
    (_raw("Squeeze", ["x", "a"], (2, 3), {"a": np.array([0], I64)}), "not 1"),
    (_raw("Transpose", ["x"], (2, 3), {}, perm=[0, 0]), "not a permutation"),
    (_raw("Split", ["x"], (2, 7), {}, n_out=2, axis=1), "does not split evenly"),
    (_raw("Split", ["x", "s"], (2, 7), {"s": np.array([3, 3], I64)}, n_out=2, axis=1), "summing to dim 7"),
    (_raw("Slice", ["x", "s", "e"], (2, 3), {"s": np.array([2], I64), "e": np.array([1], I64)}), "no element"),
    (_raw("Slice", ["x", "s", "e", "a", "t"], (2, 3), {"s": np.array([0], I64), "e": np.array([1], I64),
                                                       "a": np.array([0], I64), "t": np.array([0], I64)}), "step"),
    (_raw("Concat", ["x", "x"], (2, 3), {}, axis=2), "out of range"),
])
def test_malformed_shape_op_is_a_compile_error_naming_the_node(model, reason):
    with pytest.raises(CompileError, match=reason) as e:
        import_onnx(model)
    assert "bad_" in str(e.value), str(e.value)
    assert not isinstance(e.value, UnsupportedOpsError)


@pytest.mark.parametrize("op,x_shape,attrs,reason", [
    ("Reshape", (2, 3), {"shape": [4, 2]}, "cannot reshape"),
    ("Reshape", (2, 3), {"shape": [-1, 6]}, ">= 1"),
    ("Transpose", (2, 3), {"perm": [1]}, "not a permutation"),
    ("Split", (2, 5), {"axis": 1, "split": [2, 2]}, "sum to 4"),
    ("Split", (2, 5), {"axis": 2, "split": [5]}, "out of range"),
    ("Slice", (4,), {"starts": [3], "steps": [1], "sizes": [2]}, "out of range"),
    ("Slice", (4,), {"starts": [1], "steps": [-1], "sizes": [3]}, "out of range"),
    ("Slice", (4, 2), {"starts": [0], "steps": [1], "sizes": [1]}, "rank 2"),
    ("Gather", (4, 3), {"axis": 0, "indices": [0, 4], "indices_shape": [2]}, "out of range"),
    ("Gather", (4, 3), {"axis": 0, "indices": [0, 1], "indices_shape": [3]}, "holds 3"),
    ("Gather", (4, 3), {"axis": -1, "indices": [0], "indices_shape": [1]}, "normalised"),
])
def test_ir_shape_op_rejects_inconsistent_attributes(op, x_shape, attrs, reason):
    g = Graph()
    x = g.add_input("x", x_shape)
    with pytest.raises(ShapeError, match=reason):
        infer_node(g.add_node(op, [x], [()], attrs))


def test_ir_concat_rejects_mismatched_other_dims():
    g = Graph()
    a, b = g.add_input("a", (2, 3)), g.add_input("b", (3, 3))
    with pytest.raises(ShapeError, match=r"input 1 has shape \[3, 3\]"):
        infer_node(g.add_node("Concat", [a, b], [()], {"axis": 1}))
