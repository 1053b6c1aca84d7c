"""Seed models for the frontend fuzzers (tests/reliability/test_frontend_fuzz.py and
tests/fuzz/fuzz_onnx_frontend.py): small zoo models, the test builders, and one graph
with the shape-subgraph and layout ops the zoo does not use. Small so that one
compile + run + onnxruntime comparison takes milliseconds."""
from __future__ import annotations

import functools

import numpy as np
import onnx
from model_builders import conv_bn_relu, two_branch
from onnx import TensorProto, helper, numpy_helper
from ort_check import make_model

from sparsecc import zoo


def shape_ops_model() -> onnx.ModelProto:
    """x [N,4,6,6] -> Pad -> MaxPool -> Resize x2 -> Split -> Concat -> Transpose -> Softmax
    -> ReduceMean, and a Shape->Gather->Unsqueeze->Concat->Reshape flatten: y [N, 36]."""
    c = numpy_helper.from_array
    inits = [c(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"),
             c(np.array([1, 1, 2, 2], np.float32), "scales"),
             c(np.array([2, 2], np.int64), "split"),
             c(np.array(0, np.int64), "i0"), c(np.array([0], np.int64), "ax0"),
             c(np.array([-1], np.int64), "m1")]
    n = helper.make_node
    nodes = [
        n("Pad", ["x", "pads"], ["p"], name="pad", mode="reflect"),
        n("MaxPool", ["p"], ["mp"], name="maxpool", kernel_shape=[3, 3], strides=[2, 2]),
        n("Resize", ["mp", "", "scales"], ["rs"], name="resize", mode="nearest"),
        n("Split", ["rs", "split"], ["s0", "s1"], name="split", axis=1),
        n("Concat", ["s1", "s0"], ["cat"], name="concat", axis=1),
        n("Transpose", ["cat"], ["tr"], name="transpose", perm=[0, 1, 3, 2]),
        n("Softmax", ["tr"], ["sm"], name="softmax", axis=-1),
        n("ReduceMean", ["sm"], ["rm"], name="reduce", axes=[1], keepdims=1),
        n("Shape", ["rm"], ["shp"], name="shape"),
        n("Gather", ["shp", "i0"], ["b"], name="gather", axis=0),
        n("Unsqueeze", ["b", "ax0"], ["b1"], name="unsqueeze"),
        n("Concat", ["b1", "m1"], ["target"], name="concat_shape", axis=0),
        n("Reshape", ["rm", "target"], ["y"], name="flatten"),
    ]
    vi = helper.make_tensor_value_info
    return make_model(nodes, [vi("x", TensorProto.FLOAT, ["N", 4, 6, 6])], [vi("y", TensorProto.FLOAT, ["N", 36])],
                      inits, opset=17, name="shape_ops")


@functools.lru_cache(maxsize=None)
def seed_models() -> tuple[tuple[str, bytes], ...]:
    """(name, serialized model) pairs; bytes so every fuzz example mutates a fresh copy."""
    models = {
        "conv_bn_relu": conv_bn_relu(cin=3, cout=4, size=6),
        "two_branch": two_branch(size=4),
        "shape_ops": shape_ops_model(),
        # sizes at which sparsecc and onnxruntime agree to ~1e-5 before mutation (mobilenet_v2 at 32x32,
        # width 0.25 is ill-conditioned: every float32 implementation is ~5e-4 from a float64 evaluation)
        "mobilenet_v1": zoo.build("mobilenet_v1", input_size=32, width=0.25, num_classes=10),
        "mobilenet_v2": zoo.build("mobilenet_v2", input_size=64, width=0.25, num_classes=10),
        "mobilenet_v3_block": zoo.build("mobilenet_v3_block", input_size=32, width=0.25, num_classes=10,
                                        head_channels=16),
        "resnet18": zoo.build("resnet18", input_size=32, width=0.125, num_classes=10),
        "transformer_block": zoo.build("transformer_block", seq=8, d_model=16, heads=2, mlp_ratio=2),
    }
    return tuple((k, m.SerializeToString()) for k, m in models.items())
