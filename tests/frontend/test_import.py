"""The ONNX frontend driver's promises (compiler/frontend/onnx.py):

1. every unsupported op is reported at once, by op type with all its node names;
2. dynamic dims: the batch dim defaults to 1, any other needs --input-shape;
3. only opsets 11-21;  4. only float32 graph inputs;
5. shape subgraphs (Shape->Gather->Unsqueeze->Concat->Reshape) fold away;
6. a node reading an undefined tensor is a CompileError naming it;
7. garbage bytes / a missing path are a CompileError, not a crash.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from ort_check import assert_matches_ort, make_model
from single_op import TOL, randn
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError
from sparsecc.compiler.frontend.onnx import import_onnx

F = onnx.TensorProto.FLOAT


def _vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def _raw_model(nodes, inputs, outputs, inits=(), opset=13, extra_domains=()):
    """A model built without onnx.checker (to hold what the checker would refuse)."""
    graph = helper.make_graph(nodes, "t", inputs, outputs, initializer=list(inits))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in extra_domains]
    return helper.make_model(graph, opset_imports=imports)


# ---- 1. unsupported ops ------------------------------------------------------------------

def test_every_unsupported_op_is_listed_once_with_all_its_nodes():
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="relu0"),
        helper.make_node("MyOp", ["a"], ["b"], name="custom1", domain="com.example"),
        helper.make_node("Hardmax", ["a"], ["c"], name="hm1"),
        helper.make_node("Hardmax", ["c"], ["d"], name="hm2"),            # downstream of an unsupported node
        helper.make_node("Det", ["b"], ["e"], name="det_after_custom"),   # downstream of the custom op
        helper.make_node("Add", ["d", "e"], ["f"], name="add_poisoned"),  # known op, poisoned inputs: not listed
        helper.make_node("LpNormalization", ["x"], ["g"], name="lp1"),
        helper.make_node("Cast", ["x"], ["h"], to=onnx.TensorProto.INT64, name="cast_int"),
        helper.make_node("Add", ["f", "g"], ["y"], name="add_out"),
    ]
    model = _raw_model(nodes, [_vi("x", [2, 3])], [_vi("y", [2, 3]), _vi("h", [2, 3], onnx.TensorProto.INT64)],
                       extra_domains=["com.example"])
    with pytest.raises(UnsupportedOpsError) as e:
        import_onnx(model)
    assert e.value.ops == {
        "com.example.MyOp": ["custom1"],
        "Hardmax": ["hm1", "hm2"],
        "Det": ["det_after_custom"],
        "LpNormalization": ["lp1"],
        "Cast (Cast to INT64 of a run-time tensor)": ["cast_int"],
    }, e.value.ops
    for text in ["com.example.MyOp [custom1]", "Hardmax [hm1, hm2]", "lp1"]:
        assert text in str(e.value), str(e.value)


# ---- 2. dynamic dims ------------------------------------------------------------------------

def _relu_model(shape, opset=13):
    return make_model([helper.make_node("Relu", ["x"], ["y"])], [_vi("x", shape)], [_vi("y", shape)], opset=opset)


def test_dynamic_non_batch_dim_asks_for_input_shape():
    with pytest.raises(CompileError, match=r"dynamic dim 'H' at axis 2.*--input-shape x:") as e:
        import_onnx(_relu_model(["N", 3, "H", 4]))
    assert not isinstance(e.value, UnsupportedOpsError)


def test_dynamic_batch_dim_defaults_to_one():
    graph = import_onnx(_relu_model(["N", 3, 4]))
    assert graph.inputs[0].shape == (1, 3, 4), graph.inputs[0].shape


def test_input_shapes_fix_dynamic_dims_and_results_match_onnxruntime():
    model = _relu_model(["N", 3, "H", 4])
    graph = import_onnx(model, input_shapes={"x": (2, 3, 5, 4)})
    assert graph.inputs[0].shape == (2, 3, 5, 4) and graph.outputs[0].shape == (2, 3, 5, 4)
    feeds = {"x": randn(np.random.default_rng(50), (2, 3, 5, 4))}
    assert_matches_ort(model, feeds, tol=TOL, input_shapes={"x": (2, 3, 5, 4)})


@pytest.mark.parametrize("given,reason", [
    ({"x": (1, 4, 5, 4)}, "axis 1 is 4 but the model fixes it to 3"),
    ({"x": (1, 3, 5)}, "rank 3 but the model declares rank 4"),
    ({"z": (1, 3, 5, 4)}, "unknown inputs"),
])
def test_input_shapes_that_contradict_the_model_are_rejected(given, reason):
    with pytest.raises(CompileError, match=reason):
        import_onnx(_relu_model(["N", 3, "H", 4]), input_shapes=given)


# ---- 3. opsets, 4. input dtype ------------------------------------------------------------------

@pytest.mark.parametrize("opset", [10, 22])
def test_opsets_outside_11_to_21_are_rejected(opset):
    with pytest.raises(CompileError, match=f"unsupported opset {opset}.*11-21"):
        import_onnx(_relu_model([2, 3], opset=opset))


def test_int64_graph_input_is_rejected():
    model = make_model([helper.make_node("Identity", ["i"], ["y"])], [_vi("i", [3], onnx.TensorProto.INT64)],
                       [_vi("y", [3], onnx.TensorProto.INT64)])
    with pytest.raises(CompileError, match="input 'i' has dtype INT64.*float32"):
        import_onnx(model)


# ---- 5. shape subgraphs fold --------------------------------------------------------------------

def _view_batch_minus_one(opset: int) -> onnx.ModelProto:
    """x.view(x.size(0), -1) as PyTorch exports it, after a Relu, with a dynamic batch."""
    if opset >= 13:
        unsqueeze = helper.make_node("Unsqueeze", ["n", "zero_axes"], ["n1"], name="unsq")
    else:
        unsqueeze = helper.make_node("Unsqueeze", ["n"], ["n1"], axes=[0], name="unsq")
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Shape", ["r"], ["s"], name="shape"),
        helper.make_node("Constant", [], ["i0"], value=numpy_helper.from_array(np.array(0, np.int64)), name="c0"),
        helper.make_node("Gather", ["s", "i0"], ["n"], axis=0, name="gather"),
        unsqueeze,
        helper.make_node("Constant", [], ["m1"], value=numpy_helper.from_array(np.array([-1], np.int64)), name="c1"),
        helper.make_node("Concat", ["n1", "m1"], ["target"], axis=0, name="concat"),
        helper.make_node("Reshape", ["r", "target"], ["y"], name="reshape"),
    ]
    inits = [numpy_helper.from_array(np.array([0], np.int64), "zero_axes")] if opset >= 13 else []
    return make_model(nodes, [_vi("x", ["N", 3, 4, 4])], [_vi("y", ["N", 48])], inits, opset=opset)


@pytest.mark.parametrize("opset", [11, 13, 17, 21])
def test_shape_gather_unsqueeze_concat_reshape_folds_to_one_reshape(opset):
    model = _view_batch_minus_one(opset)
    graph = import_onnx(model, input_shapes={"x": (2, 3, 4, 4)})
    assert [n.op for n in graph.nodes] == ["Relu", "Reshape"], [n.op for n in graph.nodes]
    assert graph.nodes[1].attrs == {"shape": [2, 48]}, graph.nodes[1].attrs
    feeds = {"x": randn(np.random.default_rng(51), (2, 3, 4, 4))}
    assert_matches_ort(model, feeds, tol=TOL, input_shapes={"x": (2, 3, 4, 4)})


# ---- 6. undefined tensors, 7. garbage ---------------------------------------------------------------

def test_node_reading_an_undefined_tensor_is_a_compile_error_naming_it():
    model = _raw_model([helper.make_node("Add", ["x", "ghost"], ["y"], name="adder")],
                       [_vi("x", [2])], [_vi("y", [2])])
    with pytest.raises(CompileError, match="adder.*'ghost'"):
        import_onnx(model)


def test_graph_output_never_produced_is_a_compile_error_naming_it():
    model = _raw_model([helper.make_node("Relu", ["x"], ["y"], name="r")], [_vi("x", [2])],
                       [_vi("y", [2]), _vi("nowhere", [2])])
    with pytest.raises(CompileError, match="'nowhere'"):
        import_onnx(model)


@pytest.mark.parametrize("data", [b"", b"\x08\x01", b"garbage\xff\x00 not a protobuf", bytes(range(256)) * 4])
def test_garbage_bytes_are_a_compile_error(data):
    with pytest.raises(CompileError, match="not a valid ONNX model|not an ONNX model"):
        import_onnx(data)


def test_missing_path_garbage_file_and_directory_are_compile_errors(tmp_path):
    with pytest.raises(CompileError, match="no such file"):
        import_onnx(tmp_path / "missing.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\xff\xfe definitely not onnx")
    with pytest.raises(CompileError, match="not a valid ONNX model|not an ONNX model"):
        import_onnx(bad)
    with pytest.raises(CompileError, match="not a file"):
        import_onnx(tmp_path)


def test_model_from_path_and_bytes_imports_like_the_proto(tmp_path):
    model = _relu_model([2, 3])
    path = tmp_path / "relu.onnx"
    onnx.save(model, path)
    for source in (model, str(path), path, model.SerializeToString()):
        graph = import_onnx(source)
        assert [n.op for n in graph.nodes] == ["Relu"] and graph.inputs[0].shape == (2, 3), type(source)


def test_import_does_not_rename_the_callers_nodes():
    model = _relu_model([2, 3])
    assert model.graph.node[0].name == ""
    import_onnx(model)
    assert model.graph.node[0].name == "", model.graph.node[0].name
