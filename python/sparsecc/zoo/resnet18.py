"""ResNet-18 (He et al. 2015): 7x7 stem, MaxPool, four stages of two BasicBlocks.

BasicBlock: 3x3 conv -> BN -> Relu -> 3x3 conv -> BN, plus the shortcut (identity, or
1x1 conv stride s -> BN when the shape changes), Add, Relu. Head: GlobalAveragePool ->
Flatten -> Gemm. Input ``input`` [1, 3, S, S], output ``logits``.
"""
from __future__ import annotations

import onnx

from .layers import NetBuilder, check_common, make_divisible

STAGES = [(64, 1), (128, 2), (256, 2), (512, 2)]  # (channels, stride of the first block)


def basic_block(b: NetBuilder, x: str, cout: int, stride: int, name: str) -> str:
    y = b.conv_bn_act(x, cout, 3, f"{name}.conv1", stride=stride, act="relu")
    y = b.conv_bn_act(y, cout, 3, f"{name}.conv2", act="none")
    shortcut = x
    if stride != 1 or b.channels(x) != cout:
        shortcut = b.conv_bn_act(x, cout, 1, f"{name}.downsample", stride=stride, act="none")
    return b.relu(b.add(y, shortcut, f"{name}.add"), f"{name}.relu")


def build(input_size: int = 224, width: float = 1.0, num_classes: int = 1000, opset: int = 17,
          seed: int = 0, batch: int = 1) -> onnx.ModelProto:
    """ResNet-18 with every channel count scaled by ``width`` (rounded to multiples of 8)."""
    check_common("resnet18", opset, 11, input_size, 32, width)
    b = NetBuilder("resnet18", seed)
    x = b.input("input", [batch, 3, input_size, input_size], calib_batch=2)
    x = b.conv_bn_act(x, make_divisible(64 * width), 7, "stem", stride=2, act="relu")
    x = b.maxpool(x, 3, 2, "stem.maxpool")
    for si, (c, s) in enumerate(STAGES):
        for r in range(2):
            x = basic_block(b, x, make_divisible(c * width), s if r == 0 else 1, f"layer{si + 1}.{r}")
    b.classifier(x, num_classes)
    doc = (f"ResNet-18 width {width}, input {input_size}x{input_size}, {num_classes} classes; "
           f"random weights (seed {seed}), BN stats calibrated so activations are O(1).")
    return b.model([("logits", [batch, num_classes])], doc, opset)
