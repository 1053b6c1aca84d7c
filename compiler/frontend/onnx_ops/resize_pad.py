"""ONNX Resize (opsets 11-19) and Pad (opset 11+) -> IR Resize / Pad.

Resize: ``scales`` or ``sizes`` (constant inputs; ``roi`` is ignored, it only
matters for tf_crop_and_resize) are turned into the IR's explicit ``sizes`` and
the ``scales`` used by the coordinate transform, computed in float32 as
onnxruntime does. Handled: modes nearest/linear, ``axes`` (opset 18),
``keep_aspect_ratio_policy`` (opset 18), ``antialias`` when it has no effect
(nearest, or no axis shrinks); ONNX's ``tf_half_pixel_for_nn`` is the IR's
``tf_half_pixel_for_nearest``. Unsupported: cubic, tf_crop_and_resize,
half_pixel_symmetric, resizing N or C, antialiased downscaling, non-4-D input.

Pad: constant ``pads`` (with opset 18's ``axes``) and ``constant_value`` inputs;
modes constant/reflect/edge. Unsupported: wrap, negative pads (cropping).
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from ...ir.ops.resize_pad import COORD_MODES, NEAREST_MODES
from .normalization import normalise_axis
from .registry import Unsupported, converter


def _axes(node, attr_axes, rank: int) -> list[int]:
    axes = [normalise_axis(node, int(a), rank) for a in attr_axes] if attr_axes is not None else list(range(rank))
    if len(set(axes)) != len(axes):
        raise CompileError(f"{node.op_type} node {node.name!r}: repeated axes {list(attr_axes)}")
    return axes


def _optional_const(ctx, node, i: int, what: str):
    """A constant input, or None when it is absent or an empty tensor (Resize's placeholders)."""
    if ctx.input(node, i) is None:
        return None
    arr = ctx.const(node, i, what)
    if arr.size and arr.ndim != 1:
        raise CompileError(f"{node.op_type} node {node.name!r}: {what} must be a 1-D tensor, got shape "
                           f"{list(arr.shape)}")
    return None if arr.size == 0 else arr


def _resize_geometry(node, at, in_shape, axes, scales, sizes):
    """(IR sizes, IR scales) for a 4-D input, following onnxruntime.

    Given scales: out = floor(in·scale) in float32, scales kept. Given sizes
    (stretch): no IR scales, the runtime uses the exact ratio. not_larger /
    not_smaller: one float32 scale for all ``axes``, out = round(in·scale)."""
    rank = len(in_shape)
    full_scales = [np.float32(1.0)] * rank
    out = list(in_shape)
    if scales is not None:
        if len(scales) != len(axes):
            raise CompileError(f"Resize node {node.name!r}: {len(scales)} scales for {len(axes)} axes")
        for a, s in zip(axes, scales.astype(np.float32)):
            if not (np.isfinite(s) and s > 0):
                raise CompileError(f"Resize node {node.name!r}: scales must be > 0, got {list(scales)}")
            full_scales[a] = np.float32(s)
            out[a] = int(np.floor(np.float32(in_shape[a]) * s))
    else:
        if len(sizes) != len(axes):
            raise CompileError(f"Resize node {node.name!r}: {len(sizes)} sizes for {len(axes)} axes")
        sizes = [int(s) for s in sizes]
        if min(sizes) < 1:
            raise CompileError(f"Resize node {node.name!r}: sizes must be >= 1, got {sizes}")
        policy = at.get("keep_aspect_ratio_policy", "stretch")
        if policy == "stretch":
            for a, s in zip(axes, sizes):
                out[a] = s
            return _check_hw_only(node, out, in_shape), []  # no scales: the exact ratio out/in
        if policy in ("not_larger", "not_smaller"):
            ratios = [np.float32(s) / np.float32(in_shape[a]) for a, s in zip(axes, sizes)]
            scale = min(ratios) if policy == "not_larger" else max(ratios)
            for a in axes:
                full_scales[a] = scale
                out[a] = int(np.floor(scale * np.float32(in_shape[a]) + np.float32(0.5)))
        else:
            raise CompileError(f"Resize node {node.name!r}: unknown keep_aspect_ratio_policy {policy!r}")
    return _check_hw_only(node, out, in_shape), [float(s) for s in full_scales]


def _check_hw_only(node, out, in_shape):
    if min(out) < 1:
        raise CompileError(f"Resize node {node.name!r}: the output {out} would be empty")
    if list(out[:2]) != list(in_shape[:2]):
        raise Unsupported("resizing the N or C axis (only H and W)")
    return out


@converter("Resize")
def convert_resize(ctx, node):
    x = ctx.input(node, 0)
    if len(x.shape) != 4:
        raise Unsupported(f"only 4-D NCHW inputs, got a {len(x.shape)}-D input")
    at = ctx.attrs(node)
    mode = at.get("mode", "nearest")
    if mode == "cubic":
        raise Unsupported("mode 'cubic'")
    if mode not in ("nearest", "linear"):
        raise CompileError(f"Resize node {node.name!r}: unknown mode {mode!r}")
    ctm = at.get("coordinate_transformation_mode", "half_pixel")
    if ctm == "tf_half_pixel_for_nn":  # the ONNX (opset 11) name of the IR's mode
        ctm = "tf_half_pixel_for_nearest"
    if ctm in ("tf_crop_and_resize", "half_pixel_symmetric"):
        raise Unsupported(f"coordinate_transformation_mode {ctm!r}")
    if ctm not in COORD_MODES:
        raise CompileError(f"Resize node {node.name!r}: unknown coordinate_transformation_mode {ctm!r}")
    nearest_mode = at.get("nearest_mode", "round_prefer_floor")
    if nearest_mode not in NEAREST_MODES:
        raise CompileError(f"Resize node {node.name!r}: unknown nearest_mode {nearest_mode!r}")
    scales = _optional_const(ctx, node, 2, "scales")
    sizes = _optional_const(ctx, node, 3, "sizes")
    if (scales is None) == (sizes is None):
        raise CompileError(f"Resize node {node.name!r}: exactly one of scales and sizes must be given")
    axes = _axes(node, at.get("axes"), 4)
    out, full_scales = _resize_geometry(node, at, x.shape, axes, scales, sizes)
    if int(at.get("antialias", 0)) and mode == "linear" and any(o < i for o, i in zip(out, x.shape)):
        raise Unsupported("antialias when downscaling")
    attrs = {"mode": mode, "coordinate_transformation_mode": ctm, "nearest_mode": nearest_mode,
             "scales": full_scales, "sizes": out}
    ctx.emit_for(node, "Resize", [x], attrs)


@converter("Pad")
def convert_pad(ctx, node):
    x = ctx.input(node, 0)
    rank = len(x.shape)
    mode = ctx.attrs(node).get("mode", "constant")
    if mode == "wrap":
        raise Unsupported("mode 'wrap'")
    if mode not in ("constant", "reflect", "edge"):
        raise CompileError(f"Pad node {node.name!r}: unknown mode {mode!r}")
    pads = [int(p) for p in ctx.const(node, 1, "pads").reshape(-1)]
    axes_arr = _optional_const(ctx, node, 3, "axes")
    axes = _axes(node, None if axes_arr is None else axes_arr.reshape(-1).tolist(), rank)
    if len(pads) != 2 * len(axes):
        raise CompileError(f"Pad node {node.name!r}: {len(pads)} pads for {len(axes)} axes (need 2 per axis)")
    if min(pads, default=0) < 0:
        raise Unsupported("negative pads (cropping)")
    full = [0] * (2 * rank)
    for i, a in enumerate(axes):
        full[a], full[a + rank] = pads[i], pads[i + len(axes)]
    value = 0.0
    cv = ctx.input(node, 2)
    if cv is not None:
        arr = ctx.const(node, 2, "constant_value")
        if arr.size > 1:
            raise CompileError(f"Pad node {node.name!r}: constant_value must be a scalar, got shape {list(arr.shape)}")
        value = float(arr.reshape(-1)[0]) if arr.size else 0.0
    ctx.emit_for(node, "Pad", [x], {"mode": mode, "pads": full, "value": value})
