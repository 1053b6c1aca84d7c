"""IR -> ONNX: ``export_onnx(graph, opset)`` gives a standard ONNX model (opsets 13–21)
that onnxruntime runs with the same results as the IR.

Walks the IR nodes in order and looks each op up in the exporter table
(``onnx_ops``; one exporter per IR op, most are one ONNX node, the fused
activation adds its node(s) after the op). What is kept:

- graph input / output names, static shapes and order; node names (the ONNX node
  doing the op's work carries the IR node's name, the nodes of a fused activation
  or of a decomposition get ``<name>/<what>`` names);
- constants become initializers under their IR names; shapes, axes, pads, indices
  that the IR holds as attributes become int64 initializers named after the node;
- every intermediate IR value gets a ``value_info`` with its static shape, so
  ``onnx.checker.check_model(full_check=True)`` proves the shapes agree.

IR ops missing from the table are all reported at once; a node that has no form
at the requested opset raises ``CompileError`` naming it.
"""
from __future__ import annotations

import os
from collections import defaultdict

import onnx
from onnx import helper

from ..errors import CompileError
from ..ir import Graph, verify
from ..ir.ops import get as get_op
from .context import ExportContext
from .onnx_ops import EXPORTERS

MIN_OPSET, MAX_OPSET = 13, 21
DEFAULT_OPSET = 17


def _producer_version() -> str:
    try:
        from importlib.metadata import version

        return version("sparsecc")
    except Exception:  # not installed as a distribution (e.g. a source checkout on sys.path)
        return ""


def _value_info(name: str, v) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(v.dtype), list(v.shape))


def export_onnx(graph: Graph, opset: int = DEFAULT_OPSET, producer: str = "sparsecc",
                check: bool = True) -> onnx.ModelProto:
    """The IR graph as an ONNX ModelProto at ``opset`` (13–21; default 17).

    The graph is verified first and left unchanged. With ``check`` the model is
    passed through ``onnx.checker.check_model(full_check=True)``; a failure there
    is an exporter bug and is raised as CompileError.
    """
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= MAX_OPSET:
        raise CompileError(f"cannot export to ONNX opset {opset!r}: sparsecc exports opsets {MIN_OPSET}-{MAX_OPSET}")
    verify(graph)
    missing: dict[str, list[str]] = defaultdict(list)
    for node in graph.nodes:
        if node.op not in EXPORTERS:
            missing[node.op].append(node.name)
    if missing:
        parts = "; ".join(f"{op} [{', '.join(names[:5])}{', ...' if len(names) > 5 else ''}]"
                          for op, names in sorted(missing.items()))
        raise CompileError(f"cannot export IR ops to ONNX (no exporter): {parts}")

    ctx = ExportContext(graph, opset)
    out_names = [v.name for v in graph.outputs]
    dup = sorted({n for n in out_names if out_names.count(n) > 1})
    if dup:
        raise CompileError(f"graph outputs {dup} are listed more than once; ONNX output names must be unique")
    input_ids = {id(v) for v in graph.inputs}
    # a constant graph output: the initializer takes another name, an Identity writes the output
    const_outputs = [v for v in graph.outputs if v.is_const]
    for v in const_outputs:
        ctx.rename(v, ctx.fresh(f"{v.name}/value"))

    for node in graph.nodes:
        ctx.current = node
        try:
            EXPORTERS[node.op](ctx, node, get_op(node.op).full_attrs(node.attrs))
        except CompileError as e:
            msg = str(e)
            if node.name not in msg:
                msg = f"{node.op} node {node.name!r}: {msg}"
            raise CompileError(msg) from None
    ctx.current = None
    for v in const_outputs:
        ctx.add("Identity", [ctx.name(v)], [v.name], f"{v.name}/identity")

    output_ids = {id(v) for v in graph.outputs}
    value_info = [_value_info(v.name, v) for n in graph.nodes for v in n.outputs
                  if id(v) not in output_ids and id(v) not in input_ids]
    onnx_graph = helper.make_graph(
        ctx.nodes, graph.name or "model",
        [_value_info(v.name, v) for v in graph.inputs],
        [_value_info(v.name, v) for v in graph.outputs],
        initializer=ctx.initializers, value_info=value_info)
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(onnx_graph, opset_imports=opsets, producer_name=producer,
                              producer_version=_producer_version(),
                              ir_version=helper.find_min_ir_version_for(opsets))
    if graph.metadata:
        helper.set_model_props(model, {str(k): str(v) for k, v in graph.metadata.items()})
    if check:
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # ValidationError, InferenceError
            raise CompileError(f"exported ONNX model fails onnx.checker (an exporter bug): "
                               f"{type(e).__name__}: {str(e)[:500]}") from None
    return model


def save_onnx(graph: Graph, path: str | os.PathLike, opset: int = DEFAULT_OPSET, producer: str = "sparsecc") -> None:
    """Export ``graph`` and write it to ``path`` atomically (the old file or the whole new one)."""
    from ..artifact import write_atomic

    model = export_onnx(graph, opset=opset, producer=producer)
    write_atomic(path, model.SerializeToString())
