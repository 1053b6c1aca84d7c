"""Resize and Pad.

Resize: the IR's ``scales`` are written when present (ONNX then derives the output
size as floor(in·scale), which must give the IR's ``sizes``: checked), else the
``sizes``. ``roi`` is left empty. The IR's ``tf_half_pixel_for_nearest`` (ONNX
opset 11's ``tf_half_pixel_for_nn``, c = (x + 0.5)/scale) was dropped from ONNX in
opset 13; with nearest modes ``round_prefer_floor`` and ``floor`` it is rewritten
exactly to ``half_pixel`` (c' = c − 0.5, exact in float32 for c ≥ 0.25 and
harmless below): round_prefer_floor(c) = ceil(c − 0.5) = ``ceil``(c'), floor(c) =
floor(c' + 0.5) = ``round_prefer_ceil``(c'). Other combinations have no standard
form and raise CompileError.

Pad: ``pads`` (and the constant ``value``) become inputs.
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from .registry import exporter

_TF_HALF_PIXEL_REWRITE = {"round_prefer_floor": "ceil", "floor": "round_prefer_ceil"}


def _coordinate_modes(node, attrs) -> tuple[str, str]:
    ctm, nearest = attrs["coordinate_transformation_mode"], attrs["nearest_mode"]
    if ctm != "tf_half_pixel_for_nearest":
        return ctm, nearest
    if attrs["mode"] == "nearest" and nearest in _TF_HALF_PIXEL_REWRITE:
        return "half_pixel", _TF_HALF_PIXEL_REWRITE[nearest]
    raise CompileError(f"Resize node {node.name!r}: coordinate_transformation_mode 'tf_half_pixel_for_nearest' "
                       f"with mode {attrs['mode']!r} and nearest_mode {nearest!r} has no standard ONNX form at "
                       "opsets >= 13 (ONNX dropped 'tf_half_pixel_for_nn'); only nearest with round_prefer_floor "
                       "or floor can be exported")


@exporter("Resize")
def export_resize(ctx, node, attrs):
    x = node.inputs[0]
    sizes = [int(s) for s in attrs["sizes"]]
    scales = [float(s) for s in attrs["scales"]]
    ctm, nearest = _coordinate_modes(node, attrs)
    if scales:
        from_scales = [int(np.floor(np.float32(d) * np.float32(s))) for d, s in zip(x.shape, scales)]
        if from_scales != sizes:
            raise CompileError(f"Resize node {node.name!r}: ONNX derives the output size {from_scales} from "
                               f"scales {scales}, but the node's sizes are {sizes}; ONNX cannot express both")
        tail = [ctx.const(f"{node.name}/scales", np.asarray(scales, dtype=np.float32))]
    else:
        tail = ["", ctx.ints(f"{node.name}/sizes", sizes)]
    ctx.add("Resize", [ctx.name(x), "", *tail], [ctx.name(node.output)], node.name,
            mode=attrs["mode"], coordinate_transformation_mode=ctm,
            nearest_mode=nearest if attrs["mode"] == "nearest" else None)


@exporter("Pad")
def export_pad(ctx, node, attrs):
    inputs = [ctx.name(node.inputs[0]), ctx.ints(f"{node.name}/pads", attrs["pads"])]
    if attrs["mode"] == "constant":
        inputs.append(ctx.scalar(attrs["value"]))
    ctx.add("Pad", inputs, [ctx.name(node.output)], node.name, mode=attrs["mode"])
