"""MobileNetV1 (Howard et al. 2017): a 3x3 stride-2 stem and 13 depthwise-separable blocks.

Each block is depthwise 3x3 -> BN -> act -> pointwise 1x1 -> BN -> act; the head is
GlobalAveragePool -> Flatten -> Gemm. Input ``input`` [1, 3, S, S], output ``logits``.
"""
from __future__ import annotations

import onnx

from .layers import NetBuilder, check_common, make_divisible

# (output channels, stride of the depthwise conv) for the 13 blocks
BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
          (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def build(input_size: int = 224, width: float = 1.0, num_classes: int = 1000, act: str = "relu",
          opset: int = 17, seed: int = 0, batch: int = 1) -> onnx.ModelProto:
    """MobileNetV1; ``act`` is ``relu`` (Relu) or ``relu6`` (Clip 0..6)."""
    check_common("mobilenet_v1", opset, 11, input_size, 32, width)
    if act not in ("relu", "relu6"):
        raise ValueError(f"mobilenet_v1: act must be 'relu' or 'relu6', got {act!r}")
    b = NetBuilder("mobilenet_v1", seed)
    x = b.input("input", [batch, 3, input_size, input_size], calib_batch=2)
    x = b.conv_bn_act(x, make_divisible(32 * width), 3, "stem", stride=2, act=act)
    for i, (c, s) in enumerate(BLOCKS):
        x = b.depthwise(x, 3, f"blocks.{i}.dw", stride=s, act=act)
        x = b.conv_bn_act(x, make_divisible(c * width), 1, f"blocks.{i}.pw", act=act)
    b.classifier(x, num_classes)
    doc = (f"MobileNetV1 width {width}, input {input_size}x{input_size}, {num_classes} classes, "
           f"activation {act}; random weights (seed {seed}), BN stats calibrated so activations are O(1).")
    return b.model([("logits", [batch, num_classes])], doc, opset)
