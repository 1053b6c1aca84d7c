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

``dynamic_batch=True`` writes axis 0 of every activation as the symbolic dim
``batch`` (the IR itself is static): allowed when every graph input has the
same leading dim and every op keeps axis 0 apart (element-wise ops, Conv,
pools, BN, Gemm, MatMul; Reshape keeping the leading dim, whose shape then
says 0 = "copy"; Transpose / Concat / Softmax not on axis 0); any other op is
reported by name.
"""
from __future__ import annotations

import os
from collections import defaultdict

import numpy as np
import onnx
from onnx import helper, numpy_helper

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


BATCH_SAFE = {"Conv", "ConvTranspose", "BatchNormalization", "Gemm", "MatMul", "GlobalAveragePool",
              "GlobalMaxPool", "AveragePool", "MaxPool", "Relu", "Sigmoid", "HardSwish", "Tanh", "Erf", "Sqrt",
              "Exp", "Log", "Neg", "Abs", "Reciprocal", "Softplus", "Clip", "LeakyRelu", "HardSigmoid", "Elu",
              "Gelu", "Identity", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "LayerNormalization"}


def _batch_blockers(graph: Graph) -> list[str]:
    """Nodes that would mix axis 0 (so the batch cannot stay symbolic), as readable strings."""
    bad = []
    b = graph.inputs[0].shape[0] if graph.inputs and graph.inputs[0].shape else None
    if b is None or any(not v.shape or v.shape[0] != b for v in graph.inputs):
        return ["graph inputs do not share a leading (batch) dim"]
    for n in graph.nodes:
        data = [v for v in n.inputs if v is not None and not v.is_const]
        if any(not v.shape or v.shape[0] != b for v in data + n.outputs):
            bad.append(f"{n.op} {n.name!r} (a value without the leading batch dim)")
        elif n.op in BATCH_SAFE or n.op == "Reshape":
            continue
        elif n.op == "Transpose" and list(n.attrs.get("perm", [0]))[:1] == [0]:
            continue
        elif n.op in ("Concat", "Softmax") and int(n.attrs.get("axis", 0)) % len(n.output.shape) != 0:
            continue
        else:
            bad.append(f"{n.op} {n.name!r}")
    return bad


def _make_batch_symbolic(model: onnx.ModelProto, graph: Graph) -> None:
    """Axis 0 of inputs, outputs and value_info -> ``batch``; Reshape shapes keep dim 0 (0 = copy)."""
    g = model.graph
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        dims = vi.type.tensor_type.shape.dim
        if len(dims):
            dims[0].Clear()
            dims[0].dim_param = "batch"
    reshapes = {n.name for n in graph.nodes if n.op == "Reshape"}
    inits = {t.name: t for t in g.initializer}
    for node in g.node:
        if node.op_type == "Reshape" and node.name in reshapes and node.input[1] in inits:
            t = inits[node.input[1]]
            arr = numpy_helper.to_array(t).copy()
            arr[0] = 0
            t.CopyFrom(numpy_helper.from_array(arr.astype(np.int64), t.name))


def export_onnx(graph: Graph, opset: int = DEFAULT_OPSET, producer: str = "sparsecc",
                check: bool = True, dynamic_batch: bool = False) -> onnx.ModelProto:
    """The IR graph as an ONNX ModelProto at ``opset`` (13–21; default 17).

    The graph is verified first and left unchanged. With ``check`` the model is
    passed through ``onnx.checker.check_model(full_check=True)``; a failure there
    is an exporter bug and is raised as CompileError. ``dynamic_batch``: see
    the module docstring.
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
    if dynamic_batch:
        bad = _batch_blockers(graph)
        if bad:
            raise CompileError(f"cannot export with a symbolic batch dim: {'; '.join(bad[:5])}"
                               f"{' ...' if len(bad) > 5 else ''}")

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
    if dynamic_batch:
        _make_batch_symbolic(model, graph)
    if graph.metadata:
        helper.set_model_props(model, {str(k): str(v) for k, v in graph.metadata.items()})
    if check:
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # ValidationError, InferenceError
            raise CompileError(f"exported ONNX model fails onnx.checker (an exporter bug): "
                               f"{type(e).__name__}: {str(e)[:500]}") from None
    return model


def save_onnx(graph: Graph, path: str | os.PathLike, opset: int = DEFAULT_OPSET, producer: str = "sparsecc",
              dynamic_batch: bool = False) -> None:
    """Export ``graph`` and write it to ``path`` atomically (the old file or the whole new one)."""
    from ..artifact import write_atomic

    model = export_onnx(graph, opset=opset, producer=producer, dynamic_batch=dynamic_batch)
    write_atomic(path, model.SerializeToString())
