"""Check an ONNX graph's text fields, and each node against its operator schema,
before anything converts it.

ONNX is proto2: protobuf does not validate UTF-8, and hands back ``bytes`` for a
name that is not valid UTF-8. ``check_text`` refuses those up front, naming where.

Converters and the constant folder may then rely on what the schema promises:
the number of inputs and outputs, required inputs present (not ""), required
attributes present, and every attribute of the type the schema declares. A node
that breaks its schema is a CompileError naming the node; onnxruntime refuses the
same models. Ops without a schema (unknown or custom) are left to the converter
table, which lists them as unsupported.
"""
from __future__ import annotations

import onnx
from onnx import defs

from ..errors import CompileError

_SINGLE = defs.OpSchema.FormalParameterOption.Single
_TYPE_NAMES = {int(v): k for k, v in onnx.AttributeProto.AttributeType.items()}


def _schema(node: onnx.NodeProto, opset: int):
    try:
        return defs.get_schema(node.op_type, opset, node.domain or "")
    except defs.SchemaError:
        return None


def _bad_text(value) -> bool:
    return isinstance(value, bytes)


def check_text(graph: onnx.GraphProto) -> None:
    """Every name the frontend reads is valid UTF-8 text (CompileError naming the place otherwise)."""
    for kind, items in (("graph input", graph.input), ("graph output", graph.output),
                        ("value_info", graph.value_info), ("initializer", graph.initializer)):
        for i, item in enumerate(items):
            if _bad_text(item.name):
                raise CompileError(f"{kind} {i}: name {item.name!r} is not valid UTF-8")
    for i, node in enumerate(graph.node):
        fields = [("name", node.name), ("op_type", node.op_type), ("domain", node.domain)]
        fields += [(f"input {j}", x) for j, x in enumerate(node.input)]
        fields += [(f"output {j}", x) for j, x in enumerate(node.output)]
        fields += [(f"attribute {j} name", a.name) for j, a in enumerate(node.attribute)]
        for what, value in fields:
            if _bad_text(value):
                raise CompileError(f"node {i} ({node.op_type!r}): {what} {value!r} is not valid UTF-8")
        for a in node.attribute:
            for text in ([a.s] if a.type == onnx.AttributeProto.STRING else list(a.strings)):
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError:
                    raise CompileError(f"node {i} ({node.name!r}): attribute {a.name!r} value {text!r} is not "
                                       "valid UTF-8") from None


def check_node(node: onnx.NodeProto, label: str, opset: int) -> None:
    schema = _schema(node, opset)
    if schema is None:
        return
    where = f"{node.op_type} node {label!r}"
    n_in, n_out = len(node.input), len(node.output)
    if not schema.min_input <= n_in <= schema.max_input:
        raise CompileError(f"{where}: has {n_in} inputs; opset {opset} {node.op_type} takes "
                           f"{_range(schema.min_input, schema.max_input)}")
    if not schema.min_output <= n_out <= schema.max_output:
        raise CompileError(f"{where}: has {n_out} outputs; opset {opset} {node.op_type} has "
                           f"{_range(schema.min_output, schema.max_output)}")
    for i, formal in enumerate(schema.inputs):
        if formal.option == _SINGLE and i < n_in and not node.input[i]:
            raise CompileError(f"{where}: required input {i} ({formal.name}) is empty")
    given = {}
    for a in node.attribute:
        if a.name in given:
            raise CompileError(f"{where}: attribute {a.name!r} is given twice")
        given[a.name] = a
    for name, a in given.items():
        spec = schema.attributes.get(name)
        if spec is None:
            raise CompileError(f"{where}: unknown attribute {name!r} for opset {opset} {node.op_type}")
        if int(a.type) != int(spec.type):
            raise CompileError(f"{where}: attribute {name!r} is {_TYPE_NAMES.get(int(a.type), a.type)}, "
                               f"expected {_TYPE_NAMES.get(int(spec.type), spec.type)}")
    missing = [name for name, spec in schema.attributes.items() if spec.required and name not in given]
    if missing:
        raise CompileError(f"{where}: missing required attribute(s) {missing}")


def _range(lo: int, hi: int) -> str:
    if lo == hi:
        return str(lo)
    return f"at least {lo}" if hi >= 2 ** 31 - 1 else f"{lo} to {hi}"
