"""Resize (nearest / bilinear over H and W) and Pad (constant / reflect / edge).

Resize's source coordinates follow onnxruntime so that nearest-neighbour rounding
ties fall the same way: an explicit scale is applied in float32 arithmetic; with
no ``scales`` (the frontend was given sizes) the exact ratio out/in is used
(float64); an axis whose size does not change is copied. Interpolation is float64.
"""
from __future__ import annotations

import numpy as np

from .conv import check_rank
from .registry import FLOAT, FLOATS, INTS, REQUIRED, STRING, ShapeError, op

RESIZE_MODES = ("nearest", "linear")
COORD_MODES = ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nearest")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


def _choice(attrs, key, allowed):
    v = attrs[key]
    if v not in allowed:
        raise ShapeError(f"{key} must be one of {list(allowed)}, got {v!r}")
    return v


def source_coords(out_len: int, in_len: int, scale: float | None, mode: str) -> np.ndarray:
    """Input coordinate of every output index along one axis.

    An axis whose size does not change is copied (as onnxruntime does, whatever
    the scale). ``scale`` None means the exact ratio out/in (sizes were given):
    computed in float64. A given scale is applied in float32 arithmetic.
    """
    if out_len == in_len:
        return np.arange(out_len, dtype=np.float64)
    if mode == "align_corners":
        x = np.arange(out_len, dtype=np.float64)
        return x * (in_len - 1) / (out_len - 1) if out_len > 1 else np.zeros_like(x)
    if mode == "pytorch_half_pixel" and out_len == 1:
        return np.zeros(1)
    if scale is None:  # x / (out / in), rounded once
        x = np.arange(out_len, dtype=np.float64)
        ratio = (lambda v: v * in_len / out_len)
    else:
        x = np.arange(out_len, dtype=np.float32)
        ratio = (lambda v: v / np.float32(scale))
    half = x.dtype.type(0.5)
    if mode in ("half_pixel", "pytorch_half_pixel"):
        c = ratio(x + half) - half
    elif mode == "asymmetric":
        c = ratio(x)
    else:  # tf_half_pixel_for_nearest
        c = ratio(x + half)
    return c.astype(np.float64)


def _nearest_index(c: np.ndarray, in_len: int, mode: str) -> np.ndarray:
    c = c.astype(np.float64)
    if mode == "round_prefer_floor":
        i = np.ceil(c - 0.5)
    elif mode == "round_prefer_ceil":
        i = np.floor(c + 0.5)
    elif mode == "floor":
        i = np.floor(c)
    else:
        i = np.ceil(c)
    return np.clip(i, 0, in_len - 1).astype(np.int64)


def _linear_along(x: np.ndarray, axis: int, c: np.ndarray) -> np.ndarray:
    n = x.shape[axis]
    c = np.clip(c.astype(np.float64), 0, n - 1)
    i0 = np.floor(c).astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    f = c - i0
    shape = [1] * x.ndim
    shape[axis] = len(c)
    f = f.reshape(shape)
    return np.take(x, i0, axis=axis) * (1 - f) + np.take(x, i1, axis=axis) * f


@op("Resize", attrs={
    "mode": (STRING, "nearest"),
    "coordinate_transformation_mode": (STRING, "half_pixel"),
    "nearest_mode": (STRING, "round_prefer_floor"),
    "scales": (FLOATS, []),
    "sizes": (INTS, REQUIRED),
})
class Resize:
    @staticmethod
    def infer(in_shapes, attrs):
        x = check_rank(in_shapes[0], 4, "X")
        _choice(attrs, "mode", RESIZE_MODES)
        _choice(attrs, "coordinate_transformation_mode", COORD_MODES)
        _choice(attrs, "nearest_mode", NEAREST_MODES)
        sizes = [int(v) for v in attrs["sizes"]]
        scales = [float(v) for v in attrs["scales"]]
        if len(sizes) != 4 or len(scales) not in (0, 4):
            raise ShapeError(f"sizes must have 4 values and scales 4 or none, got {sizes} and {scales}")
        if tuple(sizes[:2]) != tuple(x[:2]):
            raise ShapeError(f"only H and W can be resized: sizes {sizes} vs input {list(x)}")
        if min(sizes) < 1:
            raise ShapeError(f"sizes must be >= 1, got {sizes}")
        if not all(np.isfinite(s) and s > 0 for s in scales):
            raise ShapeError(f"scales must be finite and > 0, got {scales}")
        return [tuple(sizes)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        Resize.infer([x.shape], attrs)
        _, _, oh, ow = (int(v) for v in attrs["sizes"])
        ctm = attrs["coordinate_transformation_mode"]
        scales = list(attrs["scales"]) or [None] * 4
        ch = source_coords(oh, x.shape[2], scales[2], ctm)
        cw = source_coords(ow, x.shape[3], scales[3], ctm)
        if attrs["mode"] == "nearest":
            ih = _nearest_index(ch, x.shape[2], attrs["nearest_mode"])
            iw = _nearest_index(cw, x.shape[3], attrs["nearest_mode"])
            y = x[:, :, ih[:, None], iw[None, :]]
        else:
            y = _linear_along(_linear_along(x, 2, ch), 3, cw)
        return [y.astype(np.float32)]


PAD_MODES = ("constant", "reflect", "edge")


@op("Pad", attrs={"mode": (STRING, "constant"), "pads": (INTS, REQUIRED), "value": (FLOAT, 0.0)})
class Pad:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        if x is None:
            raise ShapeError("X is required")
        rank = len(x)
        mode = _choice(attrs, "mode", PAD_MODES)
        pads = [int(v) for v in attrs["pads"]]
        if len(pads) != 2 * rank:
            raise ShapeError(f"pads must have 2*rank = {2 * rank} values, got {pads}")
        if min(pads, default=0) < 0:
            raise ShapeError(f"pads must be >= 0, got {pads}")
        for axis, d in enumerate(x):
            b, e = pads[axis], pads[axis + rank]
            if mode == "reflect" and max(b, e) > d - 1:
                raise ShapeError(f"reflect pads {[b, e]} on axis {axis} must be < the dim {d}")
        return [tuple(int(d) + pads[i] + pads[i + rank] for i, d in enumerate(x))]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float32)
        (out,) = Pad.infer([x.shape], attrs)
        rank = x.ndim
        pads = [int(v) for v in attrs["pads"]]
        width = [(pads[i], pads[i + rank]) for i in range(rank)]
        if attrs["mode"] == "constant":
            y = np.pad(x, width, mode="constant", constant_values=np.float32(attrs["value"]))
        else:
            y = np.pad(x, width, mode=attrs["mode"])
        assert y.shape == out
        return [y]
