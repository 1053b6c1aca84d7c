"""MobileNetV2 (Sandler et al. 2018): inverted residuals with linear bottlenecks.

Each block: (1x1 expand -> BN -> ReLU6 unless t == 1) -> depthwise 3x3 -> BN -> ReLU6
-> 1x1 project -> BN, plus a residual Add when stride 1 and channels match. ReLU6 is
``Clip(0, 6)``. A final 1x1 conv to 1280 channels precedes GlobalAveragePool ->
Flatten -> Gemm. Input ``input`` [1, 3, S, S], output ``logits``.
"""
from __future__ import annotations

import onnx

from .layers import NetBuilder, check_common, make_divisible

# expansion t, output channels c, repeats n, first stride s (the paper's Table 2)
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
            (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def inverted_residual(b: NetBuilder, x: str, cout: int, stride: int, t: int, name: str) -> str:
    cin = b.channels(x)
    y = x
    if t != 1:
        y = b.conv_bn_act(y, cin * t, 1, f"{name}.expand", act="relu6")
    y = b.depthwise(y, 3, f"{name}.dw", stride=stride, act="relu6")
    y = b.conv_bn_act(y, cout, 1, f"{name}.project", act="none")
    if stride == 1 and cin == cout:
        y = b.add(x, y, f"{name}.add")
    return y


def build(input_size: int = 224, width: float = 1.0, num_classes: int = 1000, opset: int = 17,
          seed: int = 0, batch: int = 1) -> onnx.ModelProto:
    """MobileNetV2 with width multiplier ``width`` (channels rounded to multiples of 8)."""
    check_common("mobilenet_v2", opset, 11, input_size, 32, width)
    b = NetBuilder("mobilenet_v2", seed)
    x = b.input("input", [batch, 3, input_size, input_size], calib_batch=2)
    x = b.conv_bn_act(x, make_divisible(32 * width), 3, "stem", stride=2, act="relu6")
    i = 0
    for t, c, n, s in SETTINGS:
        for r in range(n):
            x = inverted_residual(b, x, make_divisible(c * width), s if r == 0 else 1, t, f"blocks.{i}")
            i += 1
    x = b.conv_bn_act(x, make_divisible(1280 * max(1.0, width)), 1, "last", act="relu6")
    b.classifier(x, num_classes)
    doc = (f"MobileNetV2 width {width}, input {input_size}x{input_size}, {num_classes} classes; "
           f"random weights (seed {seed}), BN stats calibrated so activations are O(1).")
    return b.model([("logits", [batch, num_classes])], doc, opset)
