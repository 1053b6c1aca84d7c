"""ONNX Resize / Pad -> IR, checked against onnxruntime.

Resize: every mode x coordinate_transformation_mode x nearest_mode, scales and
sizes (integer and fractional ratios, up and down), opset 11's roi input, opset
18's axes / keep_aspect_ratio_policy / antialias. Pad: constant/reflect/edge,
pads on any axis, constant_value, opset 18's axes. Seeded random data;
tolerance rel_err <= 1e-5 (max abs error relative to the output's largest magnitude).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from ort_check import assert_matches_ort, make_model
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError
from sparsecc.compiler.frontend.onnx import import_onnx

TOL = 1e-5


def _model(op, x_shape, consts: list, attrs: dict, opset: int):
    """``op`` over graph input x and constant inputs ``consts`` (None = absent)."""
    rng = np.random.default_rng(zlib.crc32(repr((op, x_shape, [None if c is None else c.tolist() for c in consts],
                                                 sorted(attrs.items()), opset)).encode()))
    x = rng.standard_normal(x_shape).astype(np.float32)
    names, inits = ["x"], []
    for i, c in enumerate(consts):
        if c is None:
            names.append("")
        else:
            names.append(f"c{i}")
            inits.append(numpy_helper.from_array(c, f"c{i}"))
    while names[-1] == "":
        names.pop()
    node = helper.make_node(op, names, ["y"], name=f"{op.lower()}_node", **attrs)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [f"d{i}" for i in range(len(x_shape))])
    model = make_model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)], [y], inits,
                       opset=opset)
    return model, {"x": x}


def _f32(*v):
    return np.array(v, dtype=np.float32)


def _i64(*v):
    return np.array(v, dtype=np.int64)


def _resize_inputs(opset, scales=None, sizes=None):
    """[roi, scales, sizes] in the form each opset expects (opset 11 needs roi and scales present)."""
    empty = np.zeros(0, np.float32)
    if opset < 13:
        return [empty, scales if scales is not None else empty] + ([sizes] if sizes is not None else [])
    return [None, scales, sizes]


X = (1, 2, 5, 7)
# (id, scales or None, sizes or None)
GEOMETRIES = [
    ("scales_up2", _f32(1, 1, 2, 2), None),
    ("scales_up_fractional", _f32(1, 1, 1.5, 2.3), None),
    ("scales_down", _f32(1, 1, 0.6, 0.5), None),
    ("scales_down_ties", _f32(1, 1, 0.4, 1 / 3), None),
    ("scales_same_size", _f32(1, 1, 1.1, 1.05), None),
    ("sizes_up", None, _i64(1, 2, 8, 10)),
    ("sizes_down_mixed", None, _i64(1, 2, 3, 9)),
    ("sizes_to_one", None, _i64(1, 2, 1, 4)),
    ("sizes_float_ties", None, _i64(1, 2, 2, 2)),
]
# opset 11's tf_half_pixel_for_nn is tested on its own below
COORD_MODES = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"]
NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]


@pytest.mark.parametrize("nearest_mode", NEAREST_MODES)
@pytest.mark.parametrize("ctm", COORD_MODES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[g[0] for g in GEOMETRIES])
def test_resize_nearest_matches_onnxruntime(geometry, ctm, nearest_mode):
    name, scales, sizes = geometry
    attrs = {"mode": "nearest", "coordinate_transformation_mode": ctm, "nearest_mode": nearest_mode}
    model, feeds = _model("Resize", X, _resize_inputs(13, scales, sizes), attrs, 13)
    assert_matches_ort(model, feeds, TOL, label=f"Resize {name} {attrs}")


@pytest.mark.parametrize("ctm", COORD_MODES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[g[0] for g in GEOMETRIES])
def test_resize_linear_matches_onnxruntime(geometry, ctm):
    name, scales, sizes = geometry
    attrs = {"mode": "linear", "coordinate_transformation_mode": ctm}
    model, feeds = _model("Resize", X, _resize_inputs(13, scales, sizes), attrs, 13)
    assert_matches_ort(model, feeds, TOL, label=f"Resize {name} {attrs}")


@pytest.mark.parametrize("opset", [11, 13, 18, 19])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("geometry", [GEOMETRIES[1], GEOMETRIES[4]], ids=[GEOMETRIES[1][0], GEOMETRIES[4][0]])
def test_resize_default_attributes_across_opsets(geometry, mode, opset):
    name, scales, sizes = geometry
    model, feeds = _model("Resize", X, _resize_inputs(opset, scales, sizes), {"mode": mode}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Resize {name} mode={mode} opset={opset}")


# opset 18+: (id, scales or None, sizes or None, attrs)
OPSET18_CASES = [
    ("axes_hw_scales", _f32(2, 1.5), None, {"axes": [2, 3]}),
    ("axes_reversed_sizes", None, _i64(11, 4), {"axes": [3, 2]}),
    ("axes_negative_w_only", _f32(3), None, {"axes": [-1]}),
    ("not_larger_all_axes_no_change", None, _i64(1, 2, 12, 12), {"keep_aspect_ratio_policy": "not_larger"}),
    ("not_larger", None, _i64(12, 12), {"keep_aspect_ratio_policy": "not_larger", "axes": [2, 3]}),
    ("not_smaller", None, _i64(12, 12), {"keep_aspect_ratio_policy": "not_smaller", "axes": [2, 3]}),
    ("not_larger_wide", None, _i64(3, 20), {"keep_aspect_ratio_policy": "not_larger", "axes": [2, 3]}),
    ("not_smaller_down", None, _i64(2, 2), {"keep_aspect_ratio_policy": "not_smaller", "axes": [3, 2]}),
    ("not_larger_rounding", None, _i64(9, 9), {"keep_aspect_ratio_policy": "not_larger", "axes": [2, 3]}),
]


@pytest.mark.parametrize("opset", [18, 19, 21])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("case", OPSET18_CASES, ids=[c[0] for c in OPSET18_CASES])
def test_resize_opset18_attributes_match_onnxruntime(case, mode, opset):
    name, scales, sizes, attrs = case
    attrs = {**attrs, "mode": mode}
    model, feeds = _model("Resize", X, [None, scales, sizes], attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Resize {name} {attrs} opset={opset}")


@pytest.mark.parametrize("opset", [18, 21])
def test_resize_linear_antialias_upscale_matches_onnxruntime(opset):
    """antialias only changes downscaling; an upscale is plain bilinear."""
    model, feeds = _model("Resize", X, [None, _f32(1, 1, 2, 1.5)], {"antialias": 1, "mode": "linear"}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Resize linear antialias upscale opset={opset}")


@pytest.mark.parametrize("nearest_mode", NEAREST_MODES)
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[g[0] for g in GEOMETRIES])
def test_resize_tf_half_pixel_for_nn_matches_onnxruntime(geometry, mode, nearest_mode):
    """The opset-11-only mode (the IR's tf_half_pixel_for_nearest)."""
    name, scales, sizes = geometry
    attrs = {"mode": mode, "coordinate_transformation_mode": "tf_half_pixel_for_nn", "nearest_mode": nearest_mode}
    model, feeds = _model("Resize", X, _resize_inputs(11, scales, sizes), attrs, 11)
    assert_matches_ort(model, feeds, TOL, label=f"Resize {name} {attrs}")


@pytest.mark.parametrize("x_shape,consts,attrs,expect", [
    (X, [None, _f32(1, 1, 2, 2)], {"mode": "cubic"}, "mode 'cubic'"),
    (X, [_f32(0, 0, 0, 0, 1, 1, 1, 1), _f32(1, 1, 2, 2)],
     {"coordinate_transformation_mode": "tf_crop_and_resize"}, "tf_crop_and_resize"),
    (X, [None, _f32(1, 2, 2, 2)], {}, "resizing the N or C axis"),
    (X, [None, _f32(1, 1, 0.5, 0.5)], {"mode": "linear", "antialias": 1}, "antialias when downscaling"),
    ((2, 3, 8), [None, _f32(1, 1, 2)], {}, "only 4-D"),
], ids=["cubic", "tf_crop_and_resize", "channel_resize", "antialias_downscale", "rank3"])
def test_resize_unsupported_forms_are_listed(x_shape, consts, attrs, expect):
    model, _ = _model("Resize", x_shape, consts, attrs, 18)
    with pytest.raises(UnsupportedOpsError, match=expect) as e:
        import_onnx(model)
    assert "resize_node" in str(e.value)


def test_resize_with_both_scales_and_sizes_is_rejected():
    model, _ = _model("Resize", X, [None, _f32(1, 1, 2, 2), _i64(1, 2, 10, 14)], {}, 13)
    with pytest.raises(CompileError, match="resize_node.*exactly one of scales and sizes"):
        import_onnx(model)


# (id, x shape, pads, extra attrs)
PAD_CASES = [
    ("hw_symmetric", (1, 3, 5, 6), [0, 0, 1, 1, 0, 0, 1, 1]),
    ("hw_asymmetric", (1, 3, 5, 6), [0, 0, 0, 2, 0, 0, 3, 1]),
    ("channels", (1, 3, 4, 4), [0, 2, 0, 0, 0, 1, 0, 0]),
    ("rank2", (4, 5), [1, 0, 2, 3]),
    ("rank3_all_axes", (2, 3, 4), [1, 2, 1, 1, 0, 2]),
    ("zero_pads", (1, 2, 3, 3), [0] * 8),
]


@pytest.mark.parametrize("opset", [11, 13, 18, 21])
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("case", PAD_CASES, ids=[c[0] for c in PAD_CASES])
def test_pad_matches_onnxruntime(case, mode, opset):
    name, x_shape, pads = case
    model, feeds = _model("Pad", x_shape, [_i64(*pads)], {"mode": mode}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Pad {name} x{list(x_shape)} pads={pads} mode={mode} opset={opset}")


@pytest.mark.parametrize("opset", [11, 18])
@pytest.mark.parametrize("value", [_f32(1.5), _f32(-2.0).reshape(1), None], ids=["scalar", "shape1", "absent"])
def test_pad_constant_value_matches_onnxruntime(value, opset):
    model, feeds = _model("Pad", (1, 2, 3, 4), [_i64(0, 0, 2, 1, 0, 0, 1, 2), value], {"mode": "constant"}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Pad constant_value={value} opset={opset}")


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("axes,pads", [([2, 3], [1, 2, 2, 1]), ([-1], [0, 3]), ([3, 1], [1, 1, 2, 0])],
                         ids=["hw", "negative_last", "unsorted"])
def test_pad_axes_input_matches_onnxruntime(axes, pads, mode):
    model, feeds = _model("Pad", (1, 3, 4, 5), [_i64(*pads), _f32(0.5), _i64(*axes)], {"mode": mode}, 18)
    assert_matches_ort(model, feeds, TOL, label=f"Pad axes={axes} pads={pads} mode={mode}")


@pytest.mark.parametrize("consts,attrs,opset,expect", [
    ([_i64(0, 0, 1, 1, 0, 0, 1, 1)], {"mode": "wrap"}, 19, "mode 'wrap'"),
    ([_i64(0, 0, -1, 1, 0, 0, 1, 1)], {}, 13, "negative pads"),
], ids=["wrap", "negative"])
def test_pad_unsupported_forms_are_listed(consts, attrs, opset, expect):
    model, _ = _model("Pad", (1, 2, 4, 4), consts, attrs, opset)
    with pytest.raises(UnsupportedOpsError, match=f"{expect}.*pad_node"):
        import_onnx(model)


def test_pad_reflect_wider_than_input_is_rejected():
    model, _ = _model("Pad", (1, 2, 3, 3), [_i64(0, 0, 3, 0, 0, 0, 0, 0)], {"mode": "reflect"}, 13)
    with pytest.raises(CompileError, match="pad_node.*reflect pads"):
        import_onnx(model)


@pytest.mark.parametrize("op,shape,attrs,expect", [
    ("Resize", (1, 2, 4, 4), {"sizes": [1, 3, 8, 8]}, "only H and W"),
    ("Resize", (1, 2, 4, 4), {"sizes": [1, 2, 8, 8], "scales": [1, 1, 2]}, "scales 4 or none"),
    ("Resize", (1, 2, 4, 4), {"sizes": [1, 2, 8, 8], "mode": "cubic"}, "mode must be one of"),
    ("Pad", (2, 3), {"pads": [1, 1]}, r"pads must have 2\*rank = 4"),
    ("Pad", (2, 3), {"pads": [0, -1, 0, 0]}, "pads must be >= 0"),
    ("Pad", (2, 3), {"pads": [0, 0, 2, 0], "mode": "reflect"}, "reflect pads"),
], ids=["resize_channels", "resize_scales_len", "resize_cubic", "pad_len", "pad_negative", "pad_reflect_wide"])
def test_ir_resize_pad_infer_rejects_inconsistent_nodes(op, shape, attrs, expect):
    from sparsecc.compiler.ir.ops import ShapeError, get

    d = get(op)
    with pytest.raises(ShapeError, match=expect):
        d.infer([shape], d.full_attrs(attrs))
