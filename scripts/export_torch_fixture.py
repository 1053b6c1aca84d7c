"""Export a tiny MobileNetV2-like network with PyTorch's own ONNX exporter (a test fixture).

Why: the zoo models are written by hand with onnx.helper; this one is what a framework
exporter really emits (shape subgraphs from ``x.view(x.size(0), -1)``, Identity nodes,
Clip with constant inputs, unfused BatchNormalization, a dynamic batch axis), so the
frontend is tested on real-world graph idioms without downloading anything at test time.

Made with torch 2.13.0+cpu (CPU wheel; no torchvision), legacy TorchScript exporter:

    pip install torch==2.13.0
    python scripts/export_torch_fixture.py            # writes the two files below

``torch.onnx.export(..., dynamo=False, opset_version=13, do_constant_folding=False)``
with ``dynamic_axes`` on the batch axis of ``input`` and ``output``. Outputs:

* ``tests/fixtures/torch_mobilenetv2_tiny.onnx`` — the exported model (width 0.35, 96x96);
* ``tests/fixtures/torch_mobilenetv2_tiny.npz`` — ``input`` (seeded normal, [2, 3, 96, 96])
  and ``output``, torch's own result on it, so tests compare against the framework.

Weights are seeded (``torch.manual_seed(0)``); BatchNorm is in eval mode with non-trivial
running statistics (measured on a seeded random batch, then perturbed) and random affine
parameters. The script prints the op-type counts of the exported graph.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
NAME = "torch_mobilenetv2_tiny"


def divisible(v: float, d: int = 8) -> int:
    new_v = max(d, int(v + d / 2) // d * d)
    return new_v + d if new_v < 0.9 * v else new_v


class ConvBNReLU6(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: bool = True):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU6(inplace=True))
        super().__init__(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = cin * expand
        layers = [ConvBNReLU6(cin, hidden, 1)] if expand != 1 else []
        layers += [ConvBNReLU6(hidden, hidden, 3, stride, groups=hidden), ConvBNReLU6(hidden, cout, 1, act=False)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class TinyMobileNetV2(nn.Module):
    """MobileNetV2 layout, shortened (5 stages) and thinned by ``width``."""

    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 2, 2), (6, 64, 2, 2), (6, 96, 1, 1)]

    def __init__(self, width: float = 0.35, num_classes: int = 10, last: int = 256):
        super().__init__()
        cin = divisible(32 * width)
        layers = [ConvBNReLU6(3, cin, 3, 2)]
        for t, c, n, s in self.SETTINGS:
            cout = divisible(c * width)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(ConvBNReLU6(cin, last, 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)  # exported as nothing/Identity in eval mode
        self.classifier = nn.Linear(last, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        x = x.view(x.size(0), -1)  # the exporter turns this into Shape -> Gather -> Unsqueeze -> Concat -> Reshape
        return self.classifier(self.dropout(x))


def calibrate_bn(model: nn.Module, size: int) -> None:
    """Give every BatchNorm non-trivial running stats and affine params (deterministic)."""
    gen = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average: one batch gives exactly its stats
            with torch.no_grad():
                m.weight.uniform_(0.7, 1.3, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
    model.train()
    with torch.no_grad():
        model(torch.randn(8, 3, size, size, generator=gen))
    model.eval()
    with torch.no_grad():  # perturb so the stats are not exactly those of any test batch
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.add_(0.05 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.mul_(torch.empty(m.running_var.shape).uniform_(0.9, 1.1, generator=gen))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=FIXTURES)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--width", type=float, default=0.35)
    args = ap.parse_args(argv)

    torch.manual_seed(0)
    model = TinyMobileNetV2(width=args.width)
    calibrate_bn(model, args.size)
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 3, args.size, args.size)).astype(np.float32))
    with torch.no_grad():
        y = model(x)

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, NAME + ".onnx")
    torch.onnx.export(model, (x,), onnx_path, dynamo=False, opset_version=13, do_constant_folding=False,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    np.savez(os.path.join(args.out_dir, NAME + ".npz"), input=x.numpy(), output=y.numpy())

    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto, full_check=True)
    counts = collections.Counter(n.op_type for n in proto.graph.node)
    print(f"torch {torch.__version__}: wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB)")
    print("op types:", dict(sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
