"""ONNX Conv and ConvTranspose -> IR Conv / ConvTranspose (2-D only).

Resolves every attribute form of opsets 11-21 into the IR's explicit form:
``auto_pad`` (NOTSET / VALID / SAME_UPPER / SAME_LOWER) becomes explicit
``pads``; a missing ``kernel_shape`` is read from W; ConvTranspose's
``output_shape`` becomes pads (or extra ``output_padding``). Weights and bias must be
constants. ``spatial_pads`` is shared with the pool converters.
"""
from __future__ import annotations

from ...errors import CompileError
from .registry import Unsupported, converter


def spatial_ints(node, attrs: dict, key: str, default: list[int], n: int = 2) -> list[int]:
    """A per-spatial-axis int list attribute with its default; CompileError on a bad length."""
    vals = [int(v) for v in attrs.get(key, default)]
    if len(vals) != n:
        raise CompileError(f"{node.op_type} node {node.name!r}: {key} must have {n} values, got {vals}")
    return vals


def spatial_pads(node, attrs: dict, in_hw, k_eff, strides) -> list[int]:
    """IR pads [top, left, bottom, right] from ONNX ``auto_pad``/``pads`` (Conv and pools).

    SAME_*: output = ceil(in / stride); the total padding is split evenly with the
    odd one at the end (SAME_UPPER) or the beginning (SAME_LOWER).
    """
    auto = attrs.get("auto_pad", "NOTSET") or "NOTSET"
    if auto == "NOTSET":
        pads = spatial_ints(node, attrs, "pads", [0, 0, 0, 0], 4)
        if min(pads) < 0:
            raise Unsupported("negative pads")
        return pads
    if auto == "VALID":
        return [0, 0, 0, 0]
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise CompileError(f"{node.op_type} node {node.name!r}: unknown auto_pad {auto!r}")
    begin, end = [], []
    for size, k, s in zip(in_hw, k_eff, strides):
        out = -(-size // s)
        total = max(0, (out - 1) * s + k - size)
        small, big = total // 2, total - total // 2
        begin.append(small if auto == "SAME_UPPER" else big)
        end.append(big if auto == "SAME_UPPER" else small)
    return begin + end


def _require_2d(node, x, what: str = "convolutions") -> None:
    if len(x.shape) != 4:
        raise Unsupported(f"only 2-D {what} are supported (4-D NCHW input), got a {len(x.shape)}-D input")


def _kernel(node, attrs, w_shape) -> list[int]:
    if len(w_shape) != 4:
        raise CompileError(f"{node.op_type} node {node.name!r}: W must be 4-D, got shape {list(w_shape)}")
    kernel = [int(d) for d in w_shape[2:]]
    if "kernel_shape" in attrs and [int(k) for k in attrs["kernel_shape"]] != kernel:
        raise CompileError(f"{node.op_type} node {node.name!r}: kernel_shape {list(attrs['kernel_shape'])} "
                           f"disagrees with W's shape {list(w_shape)}")
    return kernel


def _weights(ctx, node):
    """(W, B or None) values; both must be constants."""
    ctx.const(node, 1, "the weight W")
    bias = ctx.input(node, 2)
    if bias is not None:
        ctx.const(node, 2, "the bias B")
    return ctx.input(node, 1), bias


@converter("Conv")
def convert_conv(ctx, node):
    x = ctx.input(node, 0)
    _require_2d(node, x)
    w, b = _weights(ctx, node)
    a = ctx.attrs(node)
    kernel = _kernel(node, a, w.shape)
    strides = spatial_ints(node, a, "strides", [1, 1])
    dilations = spatial_ints(node, a, "dilations", [1, 1])
    k_eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilations)]
    pads = spatial_pads(node, a, x.shape[2:], k_eff, strides)
    attrs = {"strides": strides, "pads": pads, "dilations": dilations, "group": int(a.get("group", 1))}
    ctx.emit_for(node, "Conv", [x, w] + ([b] if b is not None else []), attrs)


def convtranspose_pads(node, attrs, in_hw, kernel, strides, dilations, out_pad):
    """(pads, output_padding) for ConvTranspose, following onnxruntime.

    With ``output_shape`` (or SAME_* auto_pad, whose output is in·stride) the total
    padding is natural size − wanted size; the odd pixel goes to the end for
    SAME_UPPER and to the beginning otherwise (SAME_LOWER and NOTSET). An
    output_shape up to stride−1 larger than the natural size adds output_padding;
    larger ones are rejected (as onnxruntime does).
    """
    auto = attrs.get("auto_pad", "NOTSET") or "NOTSET"
    if auto not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
        raise CompileError(f"ConvTranspose node {node.name!r}: unknown auto_pad {auto!r}")
    natural = [s * (i - 1) + op + d * (k - 1) + 1
               for i, s, op, d, k in zip(in_hw, strides, out_pad, dilations, kernel)]
    if "output_shape" in attrs:
        wanted = [int(v) for v in attrs["output_shape"]]
        if len(wanted) != 2 or min(wanted) < 1:
            raise CompileError(f"ConvTranspose node {node.name!r}: bad output_shape {list(attrs['output_shape'])}")
    elif auto in ("SAME_UPPER", "SAME_LOWER"):
        wanted = [i * s for i, s in zip(in_hw, strides)]
    elif auto == "VALID":
        return [0, 0, 0, 0], out_pad
    else:
        pads = spatial_ints(node, attrs, "pads", [0, 0, 0, 0], 4)
        if min(pads) < 0:
            raise Unsupported("negative pads")
        return pads, out_pad
    begin, end, extra = [], [], []
    for nat, want, stride in zip(natural, wanted, strides):
        total = nat - want
        if total <= -stride:
            raise CompileError(f"ConvTranspose node {node.name!r}: output_shape {wanted} is inconsistent with "
                               f"the input (the unpadded output is {natural}, strides {strides})")
        extra.append(max(0, -total))
        total = max(0, total)
        big, small = total - total // 2, total // 2
        begin.append(small if auto == "SAME_UPPER" else big)
        end.append(big if auto == "SAME_UPPER" else small)
    return begin + end, [op + e for op, e in zip(out_pad, extra)]


@converter("ConvTranspose")
def convert_conv_transpose(ctx, node):
    x = ctx.input(node, 0)
    _require_2d(node, x)
    w, b = _weights(ctx, node)
    a = ctx.attrs(node)
    kernel = _kernel(node, a, w.shape)
    strides = spatial_ints(node, a, "strides", [1, 1])
    dilations = spatial_ints(node, a, "dilations", [1, 1])
    out_pad = spatial_ints(node, a, "output_padding", [0, 0])
    if min(out_pad) < 0:
        raise CompileError(f"ConvTranspose node {node.name!r}: output_padding must be >= 0, got {out_pad}")
    pads, out_pad = convtranspose_pads(node, a, x.shape[2:], kernel, strides, dilations, out_pad)
    attrs = {"strides": strides, "pads": pads, "dilations": dilations, "group": int(a.get("group", 1)),
             "output_padding": out_pad}
    ctx.emit_for(node, "ConvTranspose", [x, w] + ([b] if b is not None else []), attrs)
