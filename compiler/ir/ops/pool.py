"""Pools over NCHW: GlobalAveragePool, GlobalMaxPool, AveragePool, MaxPool.

Output size (both windowed pools), with k the effective kernel d·(k−1)+1:
``floor((H + pt + pb − k) / s) + 1``, or ``ceil(...)`` with ``ceil_mode``, where a
last window that would start inside the bottom/right padding is dropped.
The references add one kernel tap at a time (loop over kh·kw, not pixels).
"""
from __future__ import annotations

import numpy as np

from .conv import check_ints, check_rank, gather_taps
from .registry import INT, INTS, REQUIRED, ShapeError, op


def _global_infer(in_shapes, attrs):
    x = in_shapes[0]
    if x is None or len(x) < 3:
        raise ShapeError(f"X must have rank >= 3 ([N, C, d1, ...]), got {None if x is None else list(x)}")
    return [tuple(x[:2]) + (1,) * (len(x) - 2)]


@op("GlobalAveragePool")
class GlobalAveragePool:
    infer = staticmethod(_global_infer)

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        return [x.mean(axis=tuple(range(2, x.ndim)), keepdims=True).astype(np.float32)]


@op("GlobalMaxPool")
class GlobalMaxPool:
    infer = staticmethod(_global_infer)

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float32)
        return [x.max(axis=tuple(range(2, x.ndim)), keepdims=True)]


def pool_out_size(size: int, k_eff: int, stride: int, p0: int, p1: int, ceil_mode: bool) -> int:
    """One spatial output size (see the module docstring); ShapeError when empty."""
    span = size + p0 + p1 - k_eff
    if span < 0:
        raise ShapeError(f"kernel extent {k_eff} is larger than the padded input {size + p0 + p1}")
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + p0:  # the last window would start in the end padding
        out -= 1
    return out


def _pool_geometry(in_shapes, attrs, with_dilation: bool):
    """(x shape, kernel, strides, dilations, pads, (OH, OW)) after checking everything."""
    x = check_rank(in_shapes[0], 4, "X")
    kh, kw = check_ints(attrs, "kernel_shape", 2, 1)
    sh, sw = check_ints(attrs, "strides", 2, 1)
    dh, dw = check_ints(attrs, "dilations", 2, 1) if with_dilation else (1, 1)
    pt, pl, pb, pr = check_ints(attrs, "pads", 4, 0)
    if max(pt, pb) >= kh or max(pl, pr) >= kw:
        raise ShapeError(f"pads {[pt, pl, pb, pr]} must be smaller than the kernel {[kh, kw]}")
    ceil_mode = int(attrs["ceil_mode"])
    if ceil_mode not in (0, 1):
        raise ShapeError(f"ceil_mode must be 0 or 1, got {ceil_mode}")
    oh = pool_out_size(x[2], dh * (kh - 1) + 1, sh, pt, pb, bool(ceil_mode))
    ow = pool_out_size(x[3], dw * (kw - 1) + 1, sw, pl, pr, bool(ceil_mode))
    return x, (kh, kw), (sh, sw), (dh, dw), (pt, pl, pb, pr), (oh, ow)


def _pad_for_windows(x: np.ndarray, kernel, strides, dilations, pads, out_hw, value: float) -> np.ndarray:
    """Pad so that every window fits (ceil_mode windows may run past the end padding)."""
    pt, pl, pb, pr = pads
    need_h = (out_hw[0] - 1) * strides[0] + dilations[0] * (kernel[0] - 1) + 1
    need_w = (out_hw[1] - 1) * strides[1] + dilations[1] * (kernel[1] - 1) + 1
    extra_b = max(pb, need_h - pt - x.shape[2])
    extra_r = max(pr, need_w - pl - x.shape[3])
    return np.pad(x, [(0, 0), (0, 0), (pt, extra_b), (pl, extra_r)], mode="constant", constant_values=value)


def _window_counts(size: int, out: int, k: int, stride: int, p0: int, p1: int, include_pad: bool) -> np.ndarray:
    """Per output position: how many window elements lie inside the counted range."""
    start = np.arange(out) * stride - p0
    lo, hi = (-p0, size + p1) if include_pad else (0, size)
    return np.minimum(start + k, hi) - np.maximum(start, lo)


POOL_ATTRS = {
    "kernel_shape": (INTS, REQUIRED),
    "strides": (INTS, [1, 1]),
    "pads": (INTS, [0, 0, 0, 0]),
    "ceil_mode": (INT, 0),
}


@op("AveragePool", attrs={**POOL_ATTRS, "count_include_pad": (INT, 0)})
class AveragePool:
    @staticmethod
    def infer(in_shapes, attrs):
        x, *_, out_hw = _pool_geometry(in_shapes, attrs, with_dilation=False)
        if int(attrs["count_include_pad"]) not in (0, 1):
            raise ShapeError(f"count_include_pad must be 0 or 1, got {attrs['count_include_pad']}")
        return [tuple(x[:2]) + out_hw]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        _, kernel, strides, dil, pads, (oh, ow) = _pool_geometry([x.shape], attrs, with_dilation=False)
        xp = _pad_for_windows(x, kernel, strides, dil, pads, (oh, ow), 0.0)
        total = gather_taps(xp, kernel, strides, dil, (oh, ow)).sum(axis=(2, 3))
        inc = bool(attrs["count_include_pad"])
        ch = _window_counts(x.shape[2], oh, kernel[0], strides[0], pads[0], pads[2], inc)
        cw = _window_counts(x.shape[3], ow, kernel[1], strides[1], pads[1], pads[3], inc)
        return [(total / np.outer(ch, cw)).astype(np.float32)]


@op("MaxPool", attrs={**POOL_ATTRS, "dilations": (INTS, [1, 1])})
class MaxPool:
    @staticmethod
    def infer(in_shapes, attrs):
        x, *_, out_hw = _pool_geometry(in_shapes, attrs, with_dilation=True)
        return [tuple(x[:2]) + out_hw]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float32)
        _, kernel, strides, dil, pads, out_hw = _pool_geometry([x.shape], attrs, with_dilation=True)
        xp = _pad_for_windows(x, kernel, strides, dil, pads, out_hw, -np.inf)
        return [gather_taps(xp, kernel, strides, dil, out_hw).max(axis=(2, 3))]
