"""A small MobileNetV3-style network (after Howard et al. 2019, MobileNetV3-Small).

Stem 3x3 stride 2 -> BN -> HardSwish, then a few "bneck" blocks:
(1x1 expand -> BN -> act) -> depthwise 3x3 or 5x5 -> BN -> act ->
[squeeze-excite: GlobalAveragePool -> 1x1 conv -> Relu -> 1x1 conv -> HardSigmoid -> Mul]
-> 1x1 project -> BN (+ residual Add when stride 1 and channels match).
Head: 1x1 conv -> BN -> HardSwish -> GlobalAveragePool -> Flatten -> Gemm -> HardSwish -> Gemm.
Input ``input`` [1, 3, S, S], output ``logits``. HardSwish needs opset >= 14.
"""
from __future__ import annotations

import onnx

from .layers import NetBuilder, check_common, make_divisible

# kernel, expanded channels, output channels, squeeze-excite, activation, stride
BNECKS = [(3, 16, 16, True, "relu", 2),
          (3, 72, 24, False, "relu", 2),
          (3, 88, 24, False, "relu", 1),
          (5, 96, 40, True, "hardswish", 2),
          (5, 240, 40, True, "hardswish", 1),
          (5, 120, 48, True, "hardswish", 1)]


def squeeze_excite(b: NetBuilder, x: str, name: str) -> str:
    c = b.channels(x)
    s = b.global_avg_pool(x, f"{name}.pool")
    s = b.conv(s, make_divisible(c // 4), 1, f"{name}.fc1", bias=True)
    s = b.relu(s, f"{name}.relu")
    s = b.conv(s, c, 1, f"{name}.fc2", bias=True, gain=1.0)
    s = b.hardsigmoid(s, f"{name}.gate")
    return b.mul(x, s, f"{name}.scale")


def bneck(b: NetBuilder, x: str, k: int, exp: int, cout: int, se: bool, act: str, stride: int, name: str) -> str:
    cin = b.channels(x)
    y = x
    if exp != cin:
        y = b.conv_bn_act(y, exp, 1, f"{name}.expand", act=act)
    y = b.depthwise(y, k, f"{name}.dw", stride=stride, act=act)
    if se:
        y = squeeze_excite(b, y, f"{name}.se")
    y = b.conv_bn_act(y, cout, 1, f"{name}.project", act="none")
    if stride == 1 and cin == cout:
        y = b.add(x, y, f"{name}.add")
    return y


def build(input_size: int = 224, width: float = 1.0, num_classes: int = 1000, opset: int = 17,
          seed: int = 0, batch: int = 1, head_channels: int = 1024) -> onnx.ModelProto:
    """The network above; channel counts are scaled by ``width`` (rounded to multiples of 8)."""
    check_common("mobilenet_v3_block", opset, 14, input_size, 32, width)
    b = NetBuilder("mobilenet_v3_block", seed)
    x = b.input("input", [batch, 3, input_size, input_size], calib_batch=2)
    x = b.conv_bn_act(x, make_divisible(16 * width), 3, "stem", stride=2, act="hardswish")
    for i, (k, exp, c, se, act, s) in enumerate(BNECKS):
        x = bneck(b, x, k, make_divisible(exp * width), make_divisible(c * width), se, act, s, f"blocks.{i}")
    x = b.conv_bn_act(x, 6 * b.channels(x), 1, "last", act="hardswish")
    x = b.global_avg_pool(x, "head.pool")
    x = b.flatten(x, "head.flatten")
    x = b.gemm(x, head_channels, "head.fc1", gain=2.0)
    x = b.act(x, "hardswish", "head.act")
    b.gemm(x, num_classes, "head.fc2", out="logits")
    doc = (f"MobileNetV3-style network width {width}, input {input_size}x{input_size}, {num_classes} classes: "
           f"bnecks with HardSwish, squeeze-excite and 3x3/5x5 depthwise; random weights (seed {seed}), "
           "BN stats calibrated so activations are O(1).")
    return b.model([("logits", [batch, num_classes])], doc, opset)
