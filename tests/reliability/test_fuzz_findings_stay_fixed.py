"""Regression tests for what the frontend fuzzers found: each model used to escape as a
raw Python exception (ValueError, TypeError, AttributeError) and is now a CompileError
naming the node or tensor at fault."""
from __future__ import annotations

import numpy as np
import pytest
from malformed_onnx import raw_model, vi
from onnx import AttributeProto, helper, numpy_helper

import sparsecc
from sparsecc import CompileError
from sparsecc.compiler.frontend.onnx import FrontendInternalError


def _compile_error(model) -> str:
    with pytest.raises(CompileError) as e:
        sparsecc.compile(model)
    assert not isinstance(e.value, FrontendInternalError), f"a converter crashed: {e.value}"
    return str(e.value)


def test_add_with_one_input_is_refused_by_its_schema():
    """Found: a node with too few inputs reached the converter (ValueError: unpacking)."""
    model = raw_model([helper.make_node("Add", ["x"], ["y"], name="lonely_add")], [vi("x", [2])], [vi("y", [2])])
    msg = _compile_error(model)
    assert "lonely_add" in msg and "1 inputs" in msg, msg


def test_attribute_of_the_wrong_type_is_refused():
    node = helper.make_node("Softmax", ["x"], ["y"], name="softmax")
    node.attribute.append(helper.make_attribute("axis", 1.5))
    msg = _compile_error(raw_model([node], [vi("x", [2, 3])], [vi("y", [2, 3])]))
    assert "softmax" in msg and "'axis' is FLOAT, expected INT" in msg, msg


def test_unknown_and_duplicated_attributes_are_refused():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu", flavour=3)
    assert "unknown attribute 'flavour'" in _compile_error(raw_model([node], [vi("x", [2])], [vi("y", [2])]))
    node = helper.make_node("Softmax", ["x"], ["y"], name="softmax2", axis=1)
    node.attribute.append(helper.make_attribute("axis", 0))
    assert "'axis' is given twice" in _compile_error(raw_model([node], [vi("x", [2, 3])], [vi("y", [2, 3])]))


def test_missing_required_attribute_and_empty_required_input_are_refused():
    node = helper.make_node("Cast", ["x"], ["y"], name="cast_without_to")
    msg = _compile_error(raw_model([node], [vi("x", [2])], [vi("y", [2])]))
    assert "cast_without_to" in msg and "['to']" in msg, msg
    node = helper.make_node("Conv", ["x", ""], ["y"], name="conv_no_weight")
    msg = _compile_error(raw_model([node], [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])]))
    assert "conv_no_weight" in msg and "required input 1 (W) is empty" in msg, msg


def test_resize_scales_that_are_not_1d_are_refused():
    """Found: a 0-d scales constant (an initializer renamed onto another) gave TypeError: len()."""
    scales = numpy_helper.from_array(np.array(2.0, np.float32), "scales")
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], name="resize0d", mode="nearest")
    msg = _compile_error(raw_model([node], [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])], [scales]))
    assert "resize0d" in msg and "1-D" in msg, msg


def test_initializer_defined_twice_is_refused():
    a = numpy_helper.from_array(np.ones(2, np.float32), "c")
    b = numpy_helper.from_array(np.zeros(2, np.float32), "c")
    model = raw_model([helper.make_node("Add", ["x", "c"], ["y"], name="add")], [vi("x", [2])], [vi("y", [2])], [a, b])
    assert "initializer 'c' is defined twice" in _compile_error(model)


def test_name_that_is_not_utf8_is_refused():
    """Found: a flipped byte in a node name; protobuf returned bytes and the writer crashed."""
    model = raw_model([helper.make_node("Relu", ["x"], ["y"], name="relu_node")], [vi("x", [2])], [vi("y", [2])])
    data = model.SerializeToString().replace(b"relu_node", b"relu\xa5node")
    msg = _compile_error(data)
    assert "not valid UTF-8" in msg and "node 0" in msg, msg


def test_string_attribute_that_is_not_utf8_is_refused():
    node = helper.make_node("Pad", ["x", "pads"], ["y"], name="pad")
    node.attribute.append(AttributeProto(name="mode", type=AttributeProto.STRING, s=b"refl\xffect"))
    model = raw_model([node], [vi("x", [4])], [vi("y", [6])], [numpy_helper.from_array(np.array([1, 1]), "pads")])
    msg = _compile_error(model)
    assert "'mode'" in msg and "not valid UTF-8" in msg, msg


def test_unexpected_converter_failure_is_a_compile_error_naming_the_node(monkeypatch):
    """The safety net: a converter bug still reaches the user as one line naming the node."""
    from sparsecc.compiler.frontend.onnx_ops import CONVERTERS

    def broken(ctx, node):
        raise IndexError("list index out of range")

    monkeypatch.setitem(CONVERTERS, "Relu", broken)
    model = raw_model([helper.make_node("Relu", ["x"], ["y"], name="the_relu")], [vi("x", [2])], [vi("y", [2])])
    with pytest.raises(FrontendInternalError, match="Relu node 'the_relu': internal error.*IndexError"):
        sparsecc.compile(model)

