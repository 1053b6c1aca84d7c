"""ONNX BatchNormalization / LayerNormalization / Softmax -> IR, checked against onnxruntime.

Seeded random data; tolerance rel_err <= 1e-5 (max abs error relative to the
output's largest magnitude, see ort_check).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from ort_check import assert_matches_ort, make_model
from sparsecc.compiler.errors import UnsupportedOpsError
from sparsecc.compiler.frontend.onnx import import_onnx

TOL = 1e-5


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _model(op, x, params: dict, attrs: dict, opset: int, outputs=("y",), runtime=()):
    """One ``op`` node reading graph input x then ``params`` (initializers unless in ``runtime``)."""
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)]
    inits, feeds = [], {"x": x}
    for name, arr in params.items():
        if arr is None:
            continue
        if name in runtime:
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, arr.shape))
            feeds[name] = arr
        else:
            inits.append(numpy_helper.from_array(arr, name))
    names = ["x"] + [n if a is not None else "" for n, a in params.items()]
    while names[-1] == "":
        names.pop()
    node = helper.make_node(op, names, list(outputs), name=f"{op.lower()}_node", **attrs)
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, x.shape if o == "y" else ["d"] * x.ndim)
            for o in outputs if o]
    return make_model([node], inputs, outs, inits, opset=opset), feeds


def _bn_params(c, rng):
    return {"scale": rng.standard_normal(c).astype(np.float32),
            "bias": rng.standard_normal(c).astype(np.float32),
            "mean": rng.standard_normal(c).astype(np.float32),
            "var": rng.uniform(0.1, 2.0, c).astype(np.float32)}


@pytest.mark.parametrize("opset", [11, 14, 15, 21])
@pytest.mark.parametrize("epsilon", [1e-5, 1e-3], ids=["eps1e-5", "eps1e-3"])
@pytest.mark.parametrize("x_shape", [(1, 4, 5, 6), (2, 3, 7, 7), (3, 5), (2, 4, 9), (1, 2, 3, 4, 5)],
                         ids=["nchw", "nchw_batch2", "nc", "ncl", "ncdhw"])
def test_batchnorm_matches_onnxruntime(x_shape, epsilon, opset):
    rng = _rng("bn", x_shape, epsilon, opset)
    x = rng.standard_normal(x_shape).astype(np.float32)
    model, feeds = _model("BatchNormalization", x, _bn_params(x_shape[1], rng), {"epsilon": epsilon}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"BatchNormalization x{list(x_shape)} eps={epsilon} opset={opset}")


def test_batchnorm_training_mode_is_listed_as_unsupported():
    rng = _rng("bn_train")
    x = rng.standard_normal((1, 3, 4, 4)).astype(np.float32)
    model, _ = _model("BatchNormalization", x, _bn_params(3, rng), {"training_mode": 1}, 15)
    with pytest.raises(UnsupportedOpsError, match=r"training_mode=1\) \[batchnormalization_node\]"):
        import_onnx(model)


# (id, x shape, axis, Scale shape, B shape or None)
LN_CASES = [
    ("last_axis", (2, 5, 8), -1, (8,), (8,)),
    ("last_axis_no_bias", (2, 5, 8), -1, (8,), None),
    ("two_axes_negative", (2, 5, 8), -2, (5, 8), (5, 8)),
    ("two_axes_positive", (3, 4, 6), 1, (4, 6), (4, 6)),
    ("all_axes", (3, 4, 6), 0, (3, 4, 6), (3, 4, 6)),
    ("broadcast_scale_row", (2, 5, 8), -2, (1, 8), (8,)),
    ("broadcast_scale_scalar_like", (2, 5, 8), -2, (1,), (1, 1)),
    ("rank4_channels_last", (1, 3, 4, 16), 3, (16,), (16,)),
]


@pytest.mark.parametrize("opset", [17, 18, 21])
@pytest.mark.parametrize("epsilon", [1e-5, 1e-2], ids=["eps1e-5", "eps1e-2"])
@pytest.mark.parametrize("case", LN_CASES, ids=[c[0] for c in LN_CASES])
def test_layernorm_matches_onnxruntime(case, epsilon, opset):
    name, x_shape, axis, s_shape, b_shape = case
    rng = _rng("ln", case, epsilon, opset)
    x = (rng.standard_normal(x_shape) * 3 + 1).astype(np.float32)
    params = {"scale": rng.standard_normal(s_shape).astype(np.float32),
              "bias": None if b_shape is None else rng.standard_normal(b_shape).astype(np.float32)}
    model, feeds = _model("LayerNormalization", x, params, {"axis": axis, "epsilon": epsilon}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"LayerNormalization {name} x{list(x_shape)} axis={axis} "
                                                f"eps={epsilon} opset={opset}")


def test_layernorm_runtime_scale_is_unsupported():
    rng = _rng("ln_rt")
    x = rng.standard_normal((2, 4)).astype(np.float32)
    model, _ = _model("LayerNormalization", x, {"scale": np.ones(4, np.float32)}, {}, 17, runtime={"scale"})
    with pytest.raises(UnsupportedOpsError, match="Scale must be a constant"):
        import_onnx(model)


def test_layernorm_mean_output_is_unsupported():
    rng = _rng("ln_mean")
    x = rng.standard_normal((2, 4)).astype(np.float32)
    model, _ = _model("LayerNormalization", x, {"scale": np.ones(4, np.float32)}, {}, 17,
                      outputs=("y", "mean"))
    with pytest.raises(UnsupportedOpsError, match="Mean/InvStdDev"):
        import_onnx(model)


# (id, x shape, axis or None for the opset's default)
SOFTMAX_CASES = [
    ("default_axis_2d", (3, 7), None),
    ("default_axis_3d", (2, 3, 5), None),
    ("default_axis_4d", (2, 3, 4, 5), None),
    ("axis0", (3, 4, 5), 0),
    ("axis1", (3, 4, 5), 1),
    ("axis_last", (3, 4, 5), 2),
    ("axis_minus2", (2, 3, 4, 5), -2),
    ("axis_minus1", (2, 3, 4, 5), -1),
    ("rank1", (9,), 0),
]


@pytest.mark.parametrize("opset", [11, 12, 13, 21])
@pytest.mark.parametrize("case", SOFTMAX_CASES, ids=[c[0] for c in SOFTMAX_CASES])
def test_softmax_matches_onnxruntime(case, opset):
    """opset < 13 flattens to 2-D at axis; opset >= 13 normalises along the axis alone."""
    name, x_shape, axis = case
    rng = _rng("softmax", case, opset)
    x = (rng.standard_normal(x_shape) * 20).astype(np.float32)  # large logits: needs the max shift
    attrs = {} if axis is None else {"axis": axis}
    model, feeds = _model("Softmax", x, {}, attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Softmax {name} x{list(x_shape)} axis={axis} opset={opset}")


def test_softmax_old_opset_middle_axis_uses_reshapes():
    x = np.zeros((2, 3, 4), np.float32)
    graph = import_onnx(_model("Softmax", x, {}, {"axis": 1}, 11)[0])
    assert [n.op for n in graph.nodes] == ["Reshape", "Softmax", "Reshape"]
    assert graph.nodes[0].outputs[0].shape == (2, 12)


@pytest.mark.parametrize("op,shapes,attrs,expect", [
    ("BatchNormalization", [(1, 3, 4, 4), (3,), (3,), (4,), (3,)], {}, r"mean must have shape \[3\]"),
    ("BatchNormalization", [(3,), (3,), (3,), (3,), (3,)], {}, "rank >= 2"),
    ("LayerNormalization", [(2, 5, 8), (8,), None], {"axis": 1}, r"Scale must have shape X.shape\[axis:\]"),
    ("LayerNormalization", [(2, 5, 8), (8,), None], {"axis": -1}, "must be normalised"),
    ("Softmax", [(2, 5)], {"axis": 2}, "out of range"),
], ids=["bn_param_shape", "bn_rank1", "ln_scale_shape", "ln_negative_axis", "softmax_axis"])
def test_ir_normalization_infer_rejects_inconsistent_nodes(op, shapes, attrs, expect):
    from sparsecc.compiler.ir.ops import ShapeError, get

    d = get(op)
    with pytest.raises(ShapeError, match=expect):
        d.infer(shapes, d.full_attrs(attrs))
