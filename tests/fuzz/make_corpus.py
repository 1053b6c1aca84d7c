"""Seed corpus for the loader fuzzers: small valid `.scc` files.

    python3 tests/fuzz/make_corpus.py OUT_DIR

Compiles, with ``sparsecc.compile``, tiny versions of the zoo models and one
single-op model per operator family (seeded weights, a few hundred bytes to a
few tens of KiB each), so that mutations start from files that pass every check
and reach the graph checks and the kernels. Fails (exit 1) naming the model if
one no longer compiles. Nothing here is committed: scripts/fuzz.sh regenerates
the corpus into build/fuzz/seeds/.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import sparsecc
from sparsecc import zoo

OPSET = 17


def _model(name, nodes, inputs, outputs, inits=()):
    vi = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, name,
        [vi(n, TensorProto.FLOAT, s) for n, s in inputs],
        [vi(n, TensorProto.FLOAT, None) for n in outputs],
        list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def _init(rng, name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def _ints(name, values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), name)


def single_op_models(rng) -> dict[str, onnx.ModelProto]:
    """One small graph per operator family of docs/ir-ops.md."""
    mk = helper.make_node
    x4 = [("x", [1, 4, 6, 6])]
    m = {
        "conv_group_dilation": _model(
            "conv", [mk("Conv", ["x", "w", "b"], ["y"], name="conv", group=2, dilations=[2, 1],
                        pads=[1, 0, 2, 1], strides=[1, 2])],
            x4, ["y"], [_init(rng, "w", [6, 2, 2, 3]), _init(rng, "b", [6])]),
        "conv_transpose": _model(
            "convt", [mk("ConvTranspose", ["x", "w"], ["y"], name="convt", strides=[2, 2], pads=[1, 1, 0, 0],
                         output_padding=[1, 0])],
            x4, ["y"], [_init(rng, "w", [4, 3, 3, 3])]),
        "pools": _model(
            "pools", [mk("MaxPool", ["x"], ["a"], name="maxpool", kernel_shape=[3, 2], strides=[2, 1], pads=[1, 1, 1, 0],
                         ceil_mode=1, dilations=[1, 2]),
                      mk("AveragePool", ["x"], ["b"], name="avgpool", kernel_shape=[2, 3], pads=[1, 1, 0, 1],
                         count_include_pad=1),
                      mk("GlobalAveragePool", ["x"], ["c"], name="gap"),
                      mk("GlobalMaxPool", ["x"], ["d"], name="gmp")],
            x4, ["a", "b", "c", "d"]),
        "gemm_matmul": _model(
            "gemm", [mk("Gemm", ["x", "w", "b"], ["g"], name="gemm", transB=1, alpha=0.5, beta=2.0),
                     mk("MatMul", ["g", "v"], ["y"], name="matmul")],
            [("x", [3, 5])], ["y"], [_init(rng, "w", [4, 5]), _init(rng, "b", [4]), _init(rng, "v", [4, 2])]),
        "resize_modes": _model(
            "resize", [mk("Resize", ["x", "", "s"], ["a"], name="nearest", mode="nearest"),
                       mk("Resize", ["x", "", "s"], ["b"], name="linear", mode="linear",
                          coordinate_transformation_mode="align_corners"),
                       mk("Resize", ["x", "", "", "sz"], ["c"], name="sizes", mode="nearest",
                          coordinate_transformation_mode="tf_half_pixel_for_nearest", nearest_mode="ceil")],
            x4, ["a", "b", "c"],
            [numpy_helper.from_array(np.array([1, 1, 2, 1.5], np.float32), "s"), _ints("sz", [1, 4, 4, 9])]),
        "pad_slice_gather": _model(
            "shape1", [mk("Pad", ["x", "p"], ["a"], name="pad", mode="reflect"),
                       mk("Slice", ["a", "st", "en", "ax", "sp"], ["b"], name="slice"),
                       mk("Gather", ["b", "idx"], ["c"], name="gather", axis=1)],
            x4, ["c"], [_ints("p", [0, 0, 1, 2, 0, 0, 2, 1]), _ints("st", [5, 1]), _ints("en", [0, 9]),
                        _ints("ax", [2, 3]), _ints("sp", [-2, 3]), _ints("idx", [[3, 0], [1, 1]])]),
        "concat_split_transpose_reshape": _model(
            "shape2", [mk("Split", ["x", "sp"], ["a", "b"], name="split", axis=1),
                       mk("Transpose", ["a"], ["t"], name="transpose", perm=[0, 2, 3, 1]),
                       mk("Reshape", ["t", "shp"], ["r"], name="reshape"),
                       mk("Reshape", ["b", "shp2"], ["r2"], name="reshape2"),
                       mk("Concat", ["r", "r2"], ["y"], name="concat", axis=1)],
            x4, ["y"], [_ints("sp", [1, 3]), _ints("shp", [1, -1]), _ints("shp2", [1, 108])]),
        "norms_softmax_reduce": _model(
            "norms", [mk("BatchNormalization", ["x", "g", "bb", "mu", "var"], ["a"], name="bn"),
                      mk("LayerNormalization", ["a", "lg", "lb"], ["b"], name="ln", axis=-1, epsilon=1e-3),
                      mk("Softmax", ["b"], ["c"], name="softmax", axis=2),
                      mk("ReduceMean", ["c"], ["d"], name="reduce", axes=[1, 3], keepdims=1),
                      mk("ReduceMax", ["b"], ["e"], name="reducemax", keepdims=0)],
            x4, ["d", "e"], [_init(rng, "g", [4]), _init(rng, "bb", [4]), _init(rng, "mu", [4]),
                             numpy_helper.from_array(rng.uniform(0.5, 2, 4).astype(np.float32), "var"),
                             _init(rng, "lg", [6]), _init(rng, "lb", [6])]),
        "elementwise_chain": _model(
            "elementwise", [mk("Sigmoid", ["x"], ["a"], name="sigmoid"),
                            mk("Mul", ["x", "a"], ["b"], name="mul"),
                            mk("Sub", ["b", "c"], ["d"], name="sub"),
                            mk("Div", ["d", "c2"], ["e"], name="div"),
                            mk("Clip", ["e", "lo", "hi"], ["f"], name="clip"),
                            mk("LeakyRelu", ["f"], ["g"], name="leaky", alpha=0.2),
                            mk("Elu", ["g"], ["h"], name="elu"),
                            mk("HardSigmoid", ["h"], ["i"], name="hsig"),
                            mk("Pow", ["i", "two"], ["j"], name="pow"),
                            mk("Erf", ["j"], ["k"], name="erf"),
                            mk("Tanh", ["k"], ["l"], name="tanh"),
                            mk("Max", ["l", "x"], ["y"], name="max")],
            x4, ["y"], [_init(rng, "c", [4, 1, 1]), numpy_helper.from_array(np.full([6], 2, np.float32), "c2"),
                        numpy_helper.from_array(np.array(-1, np.float32), "lo"),
                        numpy_helper.from_array(np.array(1, np.float32), "hi"),
                        numpy_helper.from_array(np.array(2, np.float32), "two")]),
    }
    return m


def zoo_models() -> dict[str, onnx.ModelProto]:
    return {
        "mobilenet_v3_block": zoo.build("mobilenet_v3_block", input_size=32, width=0.25, num_classes=10,
                                        head_channels=16),
        "transformer_block": zoo.build("transformer_block", seq=4, d_model=16, heads=2, mlp_ratio=2),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240601)
    models = {**single_op_models(rng), **zoo_models()}
    for name, proto in models.items():
        try:
            data = sparsecc.compile(proto).to_bytes()
        except Exception as e:  # noqa: BLE001 - report which seed broke, then stop
            print(f"make_corpus: model '{name}' does not compile: {e}", file=sys.stderr)
            return 1
        (out / f"{name}.scc").write_bytes(data)
        print(f"  {name}.scc  {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
