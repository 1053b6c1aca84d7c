"""ONNX pools -> IR, checked against onnxruntime.

Covers kernel 1/2/3/5, strides 1/2/3, symmetric/asymmetric pads, auto_pad,
ceil_mode (including windows that would start in the padding), count_include_pad,
MaxPool dilations, odd sizes and several opsets. Seeded random data; tolerance
rel_err <= 1e-5 (max abs error relative to the output's largest magnitude).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper

from ort_check import assert_matches_ort, make_model
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError
from sparsecc.compiler.frontend.onnx import import_onnx

TOL = 1e-5


def _model(op, x_shape, attrs, opset, outputs=("y",)):
    rng = np.random.default_rng(zlib.crc32(repr((op, x_shape, sorted(attrs.items()), opset)).encode()))
    x = rng.standard_normal(x_shape).astype(np.float32)
    node = helper.make_node(op, ["x"], list(outputs), name=f"{op.lower()}_node", **attrs)
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, [f"d{i}" for i in range(len(x_shape))])
            for o in outputs]
    if len(outputs) > 1:
        outs[1] = helper.make_tensor_value_info(outputs[1], TensorProto.INT64, [f"d{i}" for i in range(len(x_shape))])
    model = make_model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)], outs, opset=opset)
    return model, {"x": x}


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
@pytest.mark.parametrize("x_shape", [(1, 3, 7, 7), (2, 5, 4, 9), (2, 3, 11), (1, 2, 3, 4, 5)],
                         ids=["nchw", "nchw_rect", "ncl", "ncdhw"])
def test_global_pool_matches_onnxruntime(op, x_shape, opset):
    model, feeds = _model(op, x_shape, {}, opset)
    assert_matches_ort(model, feeds, TOL, label=f"{op} x{list(x_shape)} opset={opset}")


# (id, x shape, attrs) shared by both windowed pools
WINDOW_CASES = [
    ("k1_stride1", (1, 3, 5, 6), {"kernel_shape": [1, 1]}),
    ("k2_stride2", (1, 3, 8, 8), {"kernel_shape": [2, 2], "strides": [2, 2]}),
    ("k2_stride2_odd", (2, 3, 7, 9), {"kernel_shape": [2, 2], "strides": [2, 2]}),
    ("k3_stride1_pad1", (1, 4, 6, 7), {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}),
    ("k3_stride2_pad1", (1, 4, 9, 10), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("k3_asymmetric_pads", (1, 2, 8, 7), {"kernel_shape": [3, 3], "strides": [2, 1], "pads": [0, 2, 1, 0]}),
    ("k5_stride3_pad2", (1, 2, 13, 11), {"kernel_shape": [5, 5], "strides": [3, 3], "pads": [2, 2, 2, 2]}),
    ("rect_kernel", (1, 2, 9, 12), {"kernel_shape": [2, 4], "strides": [1, 3], "pads": [1, 0, 0, 3]}),
    ("ceil_mode", (1, 2, 8, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    ("ceil_mode_pad", (1, 2, 9, 10), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1}),
    ("ceil_mode_drops_window_in_pad", (1, 2, 5, 5),
     {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1}),
    ("ceil_mode_stride3", (1, 2, 10, 11), {"kernel_shape": [3, 2], "strides": [3, 3], "pads": [0, 1, 2, 1],
                                           "ceil_mode": 1}),
    ("ceil_mode_no_effect", (1, 2, 9, 9), {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    ("auto_pad_same_upper", (1, 3, 7, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    ("auto_pad_same_lower", (1, 3, 7, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_LOWER"}),
    ("auto_pad_same_upper_k2", (1, 3, 5, 6), {"kernel_shape": [2, 2], "auto_pad": "SAME_UPPER"}),
    ("auto_pad_same_lower_k2", (1, 3, 5, 6), {"kernel_shape": [2, 2], "auto_pad": "SAME_LOWER"}),
    ("auto_pad_valid", (1, 3, 7, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "VALID"}),
    ("kernel_equals_input", (1, 3, 4, 5), {"kernel_shape": [4, 5]}),
]


@pytest.mark.parametrize("opset", [11, 19, 21])
@pytest.mark.parametrize("count_include_pad", [0, 1], ids=["exclude_pad", "include_pad"])
@pytest.mark.parametrize("case", WINDOW_CASES, ids=[c[0] for c in WINDOW_CASES])
def test_average_pool_matches_onnxruntime(case, count_include_pad, opset):
    name, x_shape, attrs = case
    attrs = {**attrs, "count_include_pad": count_include_pad}
    model, feeds = _model("AveragePool", x_shape, attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"AveragePool {name} x{list(x_shape)} {attrs} opset={opset}")


MAXPOOL_DILATION_CASES = [
    ("dilation2", (1, 2, 9, 9), {"kernel_shape": [3, 3], "dilations": [2, 2]}),
    ("dilation2_stride2_pad", (1, 2, 10, 11), {"kernel_shape": [3, 3], "dilations": [2, 2], "strides": [2, 2],
                                               "pads": [1, 1, 1, 1]}),
    ("dilation_2x3_ceil", (1, 2, 11, 12), {"kernel_shape": [2, 2], "dilations": [2, 3], "strides": [2, 2],
                                           "ceil_mode": 1}),
    ("storage_order_ignored", (1, 2, 6, 6), {"kernel_shape": [2, 2], "strides": [2, 2], "storage_order": 1}),
]


@pytest.mark.parametrize("opset", [11, 12, 21])
@pytest.mark.parametrize("case", WINDOW_CASES + MAXPOOL_DILATION_CASES,
                         ids=[c[0] for c in WINDOW_CASES + MAXPOOL_DILATION_CASES])
def test_max_pool_matches_onnxruntime(case, opset):
    name, x_shape, attrs = case
    model, feeds = _model("MaxPool", x_shape, attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"MaxPool {name} x{list(x_shape)} {attrs} opset={opset}")


def test_max_pool_of_all_negative_input_ignores_padding():
    """Padding never wins: with every input < 0, zero padding would show up as 0."""
    model, feeds = _model("MaxPool", (1, 2, 5, 5), {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}, 17)
    feeds["x"] = -np.abs(feeds["x"]) - 1.0
    assert_matches_ort(model, feeds, TOL, label="MaxPool negative input")


@pytest.mark.parametrize("op,x_shape,attrs", [
    ("MaxPool", (1, 2, 9), {"kernel_shape": [3]}),
    ("AveragePool", (1, 2, 4, 5, 6), {"kernel_shape": [2, 2, 2]}),
], ids=["maxpool1d", "averagepool3d"])
def test_pool_non_2d_is_listed_as_unsupported(op, x_shape, attrs):
    model, _ = _model(op, x_shape, attrs, 17)
    with pytest.raises(UnsupportedOpsError, match=f"only 2-D pools.*{op.lower()}_node"):
        import_onnx(model)


def test_average_pool_dilation_is_unsupported():
    model, _ = _model("AveragePool", (1, 2, 9, 9), {"kernel_shape": [3, 3], "dilations": [2, 2]}, 19)
    with pytest.raises(UnsupportedOpsError, match="dilations other than 1"):
        import_onnx(model)


def test_max_pool_indices_output_is_unsupported():
    model, _ = _model("MaxPool", (1, 2, 6, 6), {"kernel_shape": [2, 2]}, 17, outputs=("y", "indices"))
    with pytest.raises(UnsupportedOpsError, match=r"the Indices output\) \[maxpool_node\]"):
        import_onnx(model)


def test_pool_pads_not_smaller_than_kernel_are_rejected():
    model, _ = _model("MaxPool", (1, 2, 6, 6), {"kernel_shape": [2, 2], "pads": [2, 0, 0, 0]}, 17)
    with pytest.raises(CompileError, match=r"maxpool_node.*smaller than the kernel"):
        import_onnx(model)


@pytest.mark.parametrize("op,shape,attrs,expect", [
    ("MaxPool", (1, 2, 4, 4), {"kernel_shape": [3]}, "kernel_shape must have 2 values"),
    ("MaxPool", (1, 2, 2, 2), {"kernel_shape": [3, 3]}, "larger than the padded input"),
    ("AveragePool", (1, 2, 4, 4), {"kernel_shape": [2, 2], "ceil_mode": 2}, "ceil_mode must be 0 or 1"),
    ("AveragePool", (2, 4, 4), {"kernel_shape": [2, 2]}, "X must be 4-D"),
    ("GlobalAveragePool", (2, 4), {}, "rank >= 3"),
], ids=["kernel_len", "kernel_too_big", "ceil_mode_2", "rank3", "global_rank2"])
def test_ir_pool_infer_rejects_inconsistent_nodes(op, shape, attrs, expect):
    from sparsecc.compiler.ir.ops import ShapeError, get

    d = get(op)
    with pytest.raises(ShapeError, match=expect):
        d.infer([shape], d.full_attrs(attrs))
