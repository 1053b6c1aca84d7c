"""fuse_gelu: the Erf-form GELU becomes one Gelu node (then fused into its producer),
in each association exporters emit; anything else is left alone."""
import math

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from ort_check import assert_matches_ort, make_model, ort_run, rel_err

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir import verify
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes import FuseGelu, PassManager, canonical_passes

vi = helper.make_tensor_value_info
S2 = math.sqrt(2.0)


def _gelu_model(variant: str, sqrt2: float = S2, one: float = 1.0, half: float = 0.5, extra_reader: bool = False):
    """y = gelu(MatMul(x, W)) written with Erf in one of the three associations."""
    inits = [numpy_helper.from_array(np.random.default_rng(0).standard_normal((8, 12)).astype(np.float32), "W"),
             numpy_helper.from_array(np.array(sqrt2, np.float32), "c_sqrt2"),
             numpy_helper.from_array(np.array(1.0 / sqrt2, np.float32), "c_inv_sqrt2"),
             numpy_helper.from_array(np.array(one, np.float32), "c_one"),
             numpy_helper.from_array(np.array(half, np.float32), "c_half")]
    n = [helper.make_node("MatMul", ["x", "W"], ["h"], name="fc")]
    if variant == "mul_inv_sqrt2":
        n.append(helper.make_node("Mul", ["c_inv_sqrt2", "h"], ["d"], name="scale"))
    else:
        n.append(helper.make_node("Div", ["h", "c_sqrt2"], ["d"], name="scale"))
    n += [helper.make_node("Erf", ["d"], ["e"], name="erf"),
          helper.make_node("Add", ["c_one", "e"], ["a"], name="add1")]
    if variant in ("x_times_a_then_half", "mul_inv_sqrt2"):
        n += [helper.make_node("Mul", ["h", "a"], ["m"], name="mul_x"),
              helper.make_node("Mul", ["m", "c_half"], ["y"], name="mul_half")]
    elif variant == "half_x_first":
        n += [helper.make_node("Mul", ["c_half", "h"], ["hx"], name="mul_half"),
              helper.make_node("Mul", ["hx", "a"], ["y"], name="mul_x")]
    elif variant == "half_a_first":
        n += [helper.make_node("Mul", ["a", "c_half"], ["ha"], name="mul_half"),
              helper.make_node("Mul", ["h", "ha"], ["y"], name="mul_x")]
    outputs = [vi("y", TensorProto.FLOAT, [3, 12])]
    if extra_reader:
        outputs.append(vi("e", TensorProto.FLOAT, [3, 12]))
    return make_model(n, [vi("x", TensorProto.FLOAT, [3, 8])], outputs, inits)


def _feeds(seed=1):
    return {"x": np.random.default_rng(seed).standard_normal((3, 8)).astype(np.float32) * 2}


@pytest.mark.parametrize("variant", ["x_times_a_then_half", "half_x_first", "half_a_first", "mul_inv_sqrt2"])
def test_each_erf_gelu_association_becomes_one_gelu_with_the_same_outputs(variant):
    model = _gelu_model(variant)
    g = import_onnx(model)
    assert FuseGelu().run(g)
    verify(g)
    assert [n.op for n in g.nodes] == ["MatMul", "Gelu"]
    assert [v.name for v in g.outputs] == ["y"]
    got = run_graph(g, _feeds())["y"]
    assert rel_err(got, ort_run(model, _feeds())["y"]) < 1e-5


def test_gelu_is_then_fused_into_the_matmul_epilogue_and_runs_like_onnxruntime():
    model = _gelu_model("x_times_a_then_half")
    g = import_onnx(model)
    PassManager(canonical_passes()).run(g)
    assert [(n.op, n.attrs.get("activation")) for n in g.nodes] == [("MatMul", "gelu")]
    assert_matches_ort(model, _feeds(), tol=1e-5)


@pytest.mark.parametrize("kw", [{"sqrt2": 1.5}, {"one": 2.0}, {"half": 0.25}, {"extra_reader": True}])
def test_lookalikes_and_shared_intermediates_are_left_alone(kw):
    model = _gelu_model("x_times_a_then_half", **kw)
    g = import_onnx(model)
    assert not FuseGelu().run(g)
    assert "Erf" in [n.op for n in g.nodes]
    assert_matches_ort(model, _feeds(), tol=1e-5)
