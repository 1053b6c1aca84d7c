"""The trained MNIST CNN fixture (scripts/train_mnist_fixture.py): sparsecc gives the
same predictions as onnxruntime on the 1,000 held-out images."""
import os

import numpy as np
import onnx
from ort_check import ort_run, rel_err

import sparsecc

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def test_mnist_cnn_top1_matches_onnxruntime():
    model = onnx.load(os.path.join(FIXTURES, "mnist_cnn.onnx"))
    data = np.load(os.path.join(FIXTURES, "mnist_data.npz"))
    x = data["test_x"].astype(np.float32)[:, None] / 255.0
    y = data["test_y"]
    batch = 250
    sess = sparsecc.InferenceSession(sparsecc.compile(model, input_shapes={"image": [batch, 1, 28, 28]}))
    ours, theirs = [], []
    for i in range(0, len(x), batch):
        feeds = {"image": x[i:i + batch]}
        ours.append(sess.run(None, feeds)[0])
        theirs.append(ort_run(model, feeds)["logits"])
    ours, theirs = np.concatenate(ours), np.concatenate(theirs)
    assert rel_err(ours, theirs) < 1e-4
    top1_ours = float((ours.argmax(1) == y).mean())
    top1_ort = float((theirs.argmax(1) == y).mean())
    assert top1_ours == top1_ort, (top1_ours, top1_ort)
    assert top1_ours >= 0.95, f"the trained fixture should be a real classifier, top-1 {top1_ours}"
