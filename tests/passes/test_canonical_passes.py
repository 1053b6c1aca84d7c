"""Each canonical pass keeps the function of the graph and does its one job."""
import numpy as np
from model_builders import conv_bn_relu, two_branch
from ort_check import ort_run, rel_err

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir import verify
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes import (EliminateIdentity, FoldBatchNorm, FoldConstants, FuseActivation, PassManager,
                                      canonical_passes)


def _feeds(graph, seed=0):
    rng = np.random.default_rng(seed)
    return {v.name: rng.standard_normal(v.shape).astype(np.float32) for v in graph.inputs}


def _ops(graph):
    return [n.op for n in graph.nodes]


def test_eliminate_identity_removes_identities_and_keeps_output_names():
    g = import_onnx(conv_bn_relu())
    feeds = _feeds(g)
    before = run_graph(g, feeds)
    assert EliminateIdentity().run(g)
    verify(g)
    assert "Identity" not in _ops(g)
    assert [v.name for v in g.outputs] == ["output"]
    np.testing.assert_array_equal(run_graph(g, feeds)["output"], before["output"])


def test_eliminate_identity_keeps_identity_from_graph_input_to_output():
    from onnx import TensorProto, helper
    from ort_check import make_model

    vi = helper.make_tensor_value_info
    m = make_model([helper.make_node("Identity", ["x"], ["y"], name="id")],
                   [vi("x", TensorProto.FLOAT, [2, 3])], [vi("y", TensorProto.FLOAT, [2, 3])])
    g = import_onnx(m)
    EliminateIdentity().run(g)
    verify(g)
    assert _ops(g) == ["Identity"] and g.outputs[0].name == "y"


def test_fold_batchnorm_removes_bn_and_matches_onnxruntime():
    model = conv_bn_relu(with_identity=False)
    g = import_onnx(model)
    feeds = _feeds(g)
    assert FoldBatchNorm().run(g)
    verify(g)
    assert "BatchNormalization" not in _ops(g)
    err = rel_err(run_graph(g, feeds)["output"], ort_run(model, feeds)["output"])
    assert err < 1e-5, f"BN folding changed the output: rel_err {err}"


def test_fold_batchnorm_into_depthwise_and_conv_transpose():
    from onnx import TensorProto, helper, numpy_helper
    from ort_check import make_model

    rng = np.random.default_rng(1)
    c = 6
    inits = [numpy_helper.from_array(rng.standard_normal(s).astype(np.float32), n) for n, s in
             [("wd", (c, 1, 3, 3)), ("wt", (c, 2, 3, 3)), ("g1", (c,)), ("b1", (c,)), ("m1", (c,)),
              ("g2", (2 * 2,)), ("b2", (4,)), ("m2", (4,))]]
    inits += [numpy_helper.from_array(rng.uniform(0.5, 2, c).astype(np.float32), "v1"),
              numpy_helper.from_array(rng.uniform(0.5, 2, 4).astype(np.float32), "v2")]
    nodes = [helper.make_node("Conv", ["x", "wd"], ["d"], name="dw", group=c, pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["d", "g1", "b1", "m1", "v1"], ["bn1"], name="bn1"),
             helper.make_node("ConvTranspose", ["bn1", "wt"], ["t"], name="tconv", group=2, strides=[2, 2]),
             helper.make_node("BatchNormalization", ["t", "g2", "b2", "m2", "v2"], ["y"], name="bn2")]
    vi = helper.make_tensor_value_info
    model = make_model(nodes, [vi("x", TensorProto.FLOAT, [1, c, 5, 5])], [vi("y", TensorProto.FLOAT, [1, 4, 11, 11])], inits)
    g = import_onnx(model)
    feeds = _feeds(g)
    FoldBatchNorm().run(g)
    verify(g)
    assert _ops(g) == ["Conv", "ConvTranspose"]
    err = rel_err(run_graph(g, feeds)["y"], ort_run(model, feeds)["y"])
    assert err < 1e-5, f"rel_err {err}"


def test_fuse_activation_moves_relu_into_conv_epilogue():
    g = import_onnx(conv_bn_relu(with_identity=False))
    feeds = _feeds(g)
    before = run_graph(g, feeds)["output"]
    FoldBatchNorm().run(g)
    assert FuseActivation().run(g)
    verify(g)
    conv = [n for n in g.nodes if n.op == "Conv"][0]
    assert conv.attrs["activation"] == "relu" and "Relu" not in _ops(g)
    assert rel_err(run_graph(g, feeds)["output"], before) < 1e-5


def test_fuse_activation_leaves_shared_outputs_alone():
    g = import_onnx(two_branch())
    n = len(g.nodes)
    assert not FuseActivation().run(g)
    assert len(g.nodes) == n


def test_fold_constants_evaluates_constant_subgraphs():
    from onnx import TensorProto, helper, numpy_helper
    from ort_check import make_model

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    nodes = [helper.make_node("Relu", ["a"], ["ra"], name="relu_const"),
             helper.make_node("Transpose", ["ra"], ["ta"], name="t", perm=[1, 0]),
             helper.make_node("MatMul", ["x", "ta"], ["y"], name="mm")]
    vi = helper.make_tensor_value_info
    model = make_model(nodes, [vi("x", TensorProto.FLOAT, [4, 3])], [vi("y", TensorProto.FLOAT, [4, 2])],
                       [numpy_helper.from_array(a - 2, "a")])
    g = import_onnx(model)
    feeds = _feeds(g)
    FoldConstants().run(g)
    verify(g)
    assert _ops(g) == ["MatMul"]
    assert rel_err(run_graph(g, feeds)["y"], ort_run(model, feeds)["y"]) < 1e-6


def test_canonical_pipeline_dumps_ir_after_requested_pass():
    g = import_onnx(conv_bn_relu())
    dumps = []
    results = PassManager(canonical_passes(), dump_after={"fold_batchnorm"}, dump=dumps.append).run(g)
    assert [r.name for r in results][:5] == ["eliminate_identity", "fold_constants", "fold_batchnorm",
                                             "fuse_gelu", "fuse_activation"]
    assert len(dumps) == 1 and "after fold_batchnorm" in dumps[0] and "BatchNormalization" not in dumps[0]
    assert _ops(g) == ["Conv"]
