"""Conv and ConvTranspose -> the ONNX ops of the same name (+ the fused activation).

The IR's pads (top, left, bottom, right) are ONNX's (x1_begin, x2_begin, x1_end,
x2_end) for NCHW; ``kernel_shape`` is written out for readers."""
from __future__ import annotations

from .activation import with_epilogue
from .registry import exporter


def _ints(values) -> list[int]:
    return [int(v) for v in values]


@exporter("Conv", "ConvTranspose")
def export_conv(ctx, node, attrs):
    w = node.inputs[1]
    extra = {"output_padding": _ints(attrs["output_padding"])} if node.op == "ConvTranspose" else {}
    with_epilogue(ctx, node, attrs, node.op, [ctx.name(v) for v in node.inputs],
                  kernel_shape=_ints(w.shape[2:]), strides=_ints(attrs["strides"]), pads=_ints(attrs["pads"]),
                  dilations=_ints(attrs["dilations"]), group=int(attrs["group"]), **extra)
