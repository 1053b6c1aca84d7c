"""Conv and ConvTranspose: 2-D (cross-)correlation over NCHW activations.

Both carry the fused activation epilogue (``activation``/``activation_params``).
The numpy references are vectorised: Conv gathers the kernel taps into an
im2col matrix and multiplies it group by group; ConvTranspose multiplies first
and scatter-adds one tap at a time (a loop over kh·kw, never over pixels).
Accumulation is float64, results are float32.

``check_ints``, ``pad_hw`` and ``gather_taps`` are shared with the pools.
"""
from __future__ import annotations

import numpy as np

from .activation import apply_activation, check_activation
from .registry import ACTIVATION_ATTRS, INT, INTS, SPARSITY_ATTRS, ShapeError, op

CONV_ATTRS = {
    "strides": (INTS, [1, 1]),
    "pads": (INTS, [0, 0, 0, 0]),
    "dilations": (INTS, [1, 1]),
    "group": (INT, 1),
    **ACTIVATION_ATTRS,
}


def check_ints(attrs: dict, key: str, n: int, lo: int) -> list[int]:
    """attrs[key] as a list of ``n`` ints, each >= ``lo`` (ShapeError otherwise)."""
    vals = [int(v) for v in attrs[key]]
    if len(vals) != n:
        raise ShapeError(f"{key} must have {n} values, got {vals}")
    if any(v < lo for v in vals):
        raise ShapeError(f"{key} values must be >= {lo}, got {vals}")
    return vals


def check_rank(shape, rank: int, what: str) -> tuple[int, ...]:
    if shape is None or len(shape) != rank:
        got = "absent" if shape is None else list(shape)
        raise ShapeError(f"{what} must be {rank}-D, got {got}")
    return tuple(int(d) for d in shape)


def pad_hw(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by pads = (top, left, bottom, right)."""
    t, l, b, r = pads
    if t == l == b == r == 0:
        return x
    width = [(0, 0)] * (x.ndim - 2) + [(t, b), (l, r)]
    return np.pad(x, width, mode="constant", constant_values=value)


def gather_taps(xp: np.ndarray, kernel, strides, dilations, out_hw) -> np.ndarray:
    """[N, C, H', W'] -> [N, C, kh, kw, OH, OW]: the input seen by every kernel tap."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, strides, dilations, out_hw
    n, c = xp.shape[:2]
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=xp.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh,
                                  j * dw: j * dw + sw * (ow - 1) + 1: sw]
    return cols


def _epilogue(y: np.ndarray, bias, attrs) -> np.ndarray:
    if bias is not None:
        y = y + np.asarray(bias, dtype=np.float64).reshape(1, -1, 1, 1)
    return apply_activation(y, attrs["activation"], attrs["activation_params"])


def _bias_check(b, m: int) -> None:
    if b is not None and tuple(b) != (m,):
        raise ShapeError(f"bias must have shape [{m}] (one per output channel), got {list(b)}")


@op("Conv", attrs={**CONV_ATTRS, **SPARSITY_ATTRS}, n_inputs=(2, 3))
class Conv:
    @staticmethod
    def infer(in_shapes, attrs):
        x = check_rank(in_shapes[0], 4, "X")
        w = check_rank(in_shapes[1], 4, "W")
        b = in_shapes[2] if len(in_shapes) > 2 else None
        sh, sw = check_ints(attrs, "strides", 2, 1)
        dh, dw = check_ints(attrs, "dilations", 2, 1)
        pt, pl, pb, pr = check_ints(attrs, "pads", 4, 0)
        group = int(attrs["group"])
        n, c, h, wd = x
        m, cg, kh, kw = w
        if group < 1:
            raise ShapeError(f"group must be >= 1, got {group}")
        if c % group or m % group:
            raise ShapeError(f"channels must divide by group={group}: X has C={c}, W has M={m}")
        if cg * group != c:
            raise ShapeError(f"W has {cg} input channels per group, expected C/group = {c}/{group} = {c // group}")
        if min(w) < 1:
            raise ShapeError(f"W has an empty dim: {list(w)}")
        _bias_check(b, m)
        span_h = h + pt + pb - dh * (kh - 1) - 1
        span_w = wd + pl + pr - dw * (kw - 1) - 1
        if span_h < 0 or span_w < 0:
            raise ShapeError(f"dilated kernel {kh}x{kw} (dilations {[dh, dw]}) is larger than the padded "
                             f"input {h + pt + pb}x{wd + pl + pr}")
        check_activation(attrs["activation"], attrs["activation_params"])
        return [(n, m, span_h // sh + 1, span_w // sw + 1)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        w = np.asarray(inputs[1], dtype=np.float64)
        bias = inputs[2] if len(inputs) > 2 else None
        (n, m, oh, ow), = Conv.infer([x.shape, w.shape] + ([bias.shape] if bias is not None else []), attrs)
        g = int(attrs["group"])
        _, cg, kh, kw = w.shape
        xp = pad_hw(x, attrs["pads"])
        cols = gather_taps(xp, (kh, kw), attrs["strides"], attrs["dilations"], (oh, ow))
        cols = cols.reshape(n, g, cg * kh * kw, oh * ow)
        wg = w.reshape(g, m // g, cg * kh * kw)
        y = np.matmul(wg, cols)  # [N, g, M/g, OH*OW]
        return [_epilogue(y.reshape(n, m, oh, ow), bias, attrs)]


CONVT_ATTRS = {**CONV_ATTRS, "output_padding": (INTS, [0, 0])}


@op("ConvTranspose", attrs=CONVT_ATTRS, n_inputs=(2, 3))
class ConvTranspose:
    @staticmethod
    def infer(in_shapes, attrs):
        x = check_rank(in_shapes[0], 4, "X")
        w = check_rank(in_shapes[1], 4, "W")
        b = in_shapes[2] if len(in_shapes) > 2 else None
        sh, sw = check_ints(attrs, "strides", 2, 1)
        dh, dw = check_ints(attrs, "dilations", 2, 1)
        pt, pl, pb, pr = check_ints(attrs, "pads", 4, 0)
        oph, opw = check_ints(attrs, "output_padding", 2, 0)
        group = int(attrs["group"])
        n, c, h, wd = x
        cw, mg, kh, kw = w
        if group < 1:
            raise ShapeError(f"group must be >= 1, got {group}")
        if c % group:
            raise ShapeError(f"X channels C={c} must divide by group={group}")
        if cw != c:
            raise ShapeError(f"W must be [C, M/group, kh, kw] with C={c}, got {list(w)}")
        if min(w) < 1:
            raise ShapeError(f"W has an empty dim: {list(w)}")
        m = mg * group
        _bias_check(b, m)
        out_h = sh * (h - 1) + oph + dh * (kh - 1) + 1 - pt - pb
        out_w = sw * (wd - 1) + opw + dw * (kw - 1) + 1 - pl - pr
        if out_h < 1 or out_w < 1:
            raise ShapeError(f"pads {[pt, pl, pb, pr]} leave an empty output ({out_h}x{out_w})")
        check_activation(attrs["activation"], attrs["activation_params"])
        return [(n, m, out_h, out_w)]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        w = np.asarray(inputs[1], dtype=np.float64)
        bias = inputs[2] if len(inputs) > 2 else None
        (n, m, oh, ow), = ConvTranspose.infer(
            [x.shape, w.shape] + ([bias.shape] if bias is not None else []), attrs)
        g = int(attrs["group"])
        _, c, h, wd = x.shape
        _, mg, kh, kw = w.shape
        sh, sw = attrs["strides"]
        dh, dw = attrs["dilations"]
        pt, pl, pb, pr = attrs["pads"]
        oph, opw = attrs["output_padding"]
        # every input pixel times every tap: [N, g, M/g*kh*kw, H*W]
        wt = w.reshape(g, c // g, mg * kh * kw).transpose(0, 2, 1)
        contrib = np.matmul(wt, x.reshape(n, g, c // g, h * wd)).reshape(n, m, kh, kw, h, wd)
        full_h = sh * (h - 1) + dh * (kh - 1) + 1 + oph
        full_w = sw * (wd - 1) + dw * (kw - 1) + 1 + opw
        full = np.zeros((n, m, full_h, full_w))
        for i in range(kh):
            for j in range(kw):
                full[:, :, i * dh: i * dh + sh * (h - 1) + 1: sh,
                     j * dw: j * dw + sw * (wd - 1) + 1: sw] += contrib[:, :, i, j]
        y = full[:, :, pt: pt + oh, pl: pl + ow]
        return [_epilogue(y, bias, attrs)]
