"""ONNX -> IR.

Walks the ONNX graph in order. For each node:

1. ``Shape``/``Size`` of a value are folded from its static shape;
2. a node whose inputs are all constants is evaluated now (onnx's reference
   implementation), so shape-computing subgraphs (Shape→Gather→Concat→Reshape)
   disappear whatever ops they use;
3. otherwise the converter table (``onnx_ops``) turns it into IR nodes.

Unsupported ops are not fatal on first sight: the walk goes on and the error at
the end lists every unsupported op type with all its node names.

Malformed models are refused before anything is converted or allocated, each
with a CompileError naming the place: names that are not UTF-8 and nodes that
break their ONNX schema (``node_checks``), tensors defined twice and cycles
(``toposort``; a graph merely out of order is sorted, as onnxruntime does), and
sizes over the per-tensor limit (``limits``: inputs, initializer claims, folded
and emitted nodes). A converter failing in an unforeseen way still surfaces as a
CompileError naming the node (``FrontendInternalError``, which the fuzz tests
treat as a bug).
"""
from __future__ import annotations

import os
import warnings
from collections import defaultdict

import numpy as np
import onnx
from onnx import external_data_helper, helper, numpy_helper

from ..errors import CompileError, UnsupportedOpsError
from ..ir import Graph
from .context import ConvertContext, make_const
from .fold_onnx import fold_node
from .limits import check_size
from .node_checks import check_node, check_text
from .onnx_ops import CONVERTERS, Unsupported
from .toposort import topological_order

MIN_OPSET, MAX_OPSET = 11, 21
DEFAULT_DOMAINS = ("", "ai.onnx")


class FrontendInternalError(CompileError):
    """A converter failed on a node in a way no check foresaw. Still a CompileError naming the
    node (the user sees one line), but a bug to fix: the fuzz tests fail on it."""


def load_model(model) -> onnx.ModelProto:
    """A ModelProto from a path, bytes or a ModelProto, with a clear error on garbage."""
    if isinstance(model, onnx.ModelProto):
        return model
    what = "the given bytes"
    try:
        if isinstance(model, (bytes, bytearray)):
            proto = onnx.load_from_string(bytes(model))
        else:
            path = what = os.fspath(model)
            if not os.path.isfile(path):
                raise CompileError(f"{'not a file' if os.path.exists(path) else 'no such file'}: {path}")
            proto = onnx.load(path)
    except CompileError:
        raise
    except Exception as e:  # protobuf's DecodeError, a path of the wrong type, and friends
        raise CompileError(f"not a valid ONNX model ({type(e).__name__}: {str(e)[:200]})") from None
    # protobuf happily decodes many short byte strings into an empty message
    if not proto.graph.node and not proto.graph.output:
        raise CompileError(f"{what}: not an ONNX model (no graph)")
    return proto


def _opset_of(model: onnx.ModelProto) -> int:
    for imp in model.opset_import:
        if imp.domain in DEFAULT_DOMAINS:
            return int(imp.version)
    raise CompileError("the model imports no version of the default ONNX domain")


def _input_shape(vi: onnx.ValueInfoProto, given: dict, default_batch: int) -> tuple[int, ...]:
    name = vi.name
    if name in given:
        shape = tuple(int(d) for d in given[name])
        declared = vi.type.tensor_type.shape.dim if vi.type.tensor_type.HasField("shape") else []
        if declared and len(declared) != len(shape):
            raise CompileError(f"--input-shape {name}: rank {len(shape)} but the model declares rank {len(declared)}")
        for axis, (d, g) in enumerate(zip(declared, shape)):
            if d.HasField("dim_value") and d.dim_value > 0 and d.dim_value != g:
                raise CompileError(f"--input-shape {name}: axis {axis} is {g} but the model fixes it to {d.dim_value}")
    else:
        if not vi.type.tensor_type.HasField("shape"):
            raise CompileError(f"input {name!r} has no declared shape; pass --input-shape {name}:d0,d1,...")
        dims = []
        for axis, d in enumerate(vi.type.tensor_type.shape.dim):
            if d.HasField("dim_value") and d.dim_value > 0:
                dims.append(int(d.dim_value))
            elif d.HasField("dim_value"):
                raise CompileError(f"input {name!r} declares dim {d.dim_value} at axis {axis}; every dim must be "
                                   ">= 1 (empty tensors are not supported)")
            elif axis == 0:
                dims.append(default_batch)
            else:
                label = d.dim_param or "?"
                raise CompileError(f"input {name!r} has a dynamic dim {label!r} at axis {axis}; "
                                   f"fix it with --input-shape {name}:d0,d1,... (e.g. {name}:1,3,224,224)")
        shape = tuple(dims)
    if any(d <= 0 for d in shape):
        raise CompileError(f"input {name!r}: every dim must be >= 1, got {list(shape)}")
    check_size(shape, 4, f"input {name!r}")
    return shape


def _check_initializer_claim(init: onnx.TensorProto) -> None:
    """Refuse an initializer by what it claims, before reading (and allocating) its data."""
    what = f"initializer {init.name!r}"
    if external_data_helper.uses_external_data(init):
        raise CompileError(f"{what} keeps its data in an external file that was not loaded; "
                           "compile the model from its path (next to its data files)")
    try:
        itemsize = np.dtype(helper.tensor_dtype_to_np_dtype(init.data_type)).itemsize
    except Exception:
        raise CompileError(f"{what} has an unknown data type {init.data_type}") from None
    check_size(init.dims, itemsize, what)


def import_onnx(model, input_shapes: dict | None = None, default_batch: int = 1) -> Graph:
    """Convert an ONNX model (path, bytes or ModelProto) into a verified IR graph.

    Unnamed nodes are named ``<OpType>_<index>`` while converting (converters and
    error messages use node names); the caller's ModelProto is left unchanged.
    """
    proto = load_model(model)
    unnamed = [n for n in proto.graph.node if not n.name]
    try:
        return _convert(proto, input_shapes, default_batch)
    finally:
        for n in unnamed:
            n.name = ""


def _convert(proto: onnx.ModelProto, input_shapes: dict | None, default_batch: int) -> Graph:
    opset = _opset_of(proto)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise CompileError(f"unsupported opset {opset}: sparsecc supports ONNX opsets {MIN_OPSET}-{MAX_OPSET} "
                           "(convert with onnx.version_converter)")
    g = proto.graph
    check_text(g)
    graph = Graph(g.name if isinstance(g.name, str) and g.name else "model")
    ctx = ConvertContext(graph, opset)
    ctx.used_names = {n for node in g.node for n in node.input if n} | {vi.name for vi in g.output}
    input_shapes = dict(input_shapes or {})

    for init in g.initializer:
        graph.reserve(init.name)
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        graph.reserve(vi.name)
    for n in g.node:
        for name in list(n.output) + list(n.input):
            if name:
                graph.reserve(name)

    for init in g.initializer:
        _check_initializer_claim(init)
        try:
            arr = numpy_helper.to_array(init)
        except Exception as e:
            raise CompileError(f"initializer {init.name!r} cannot be read: {e}") from None
        if arr.dtype == np.float64 or arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        if arr.dtype == np.float32 and not np.all(np.isfinite(arr)):
            warnings.warn(f"initializer {init.name!r} contains NaN or Inf", stacklevel=2)
        v = make_const(graph, init.name, arr)
        v.name = init.name
        ctx.bind(init.name, v)

    init_names = {i.name for i in g.initializer}
    unknown = set(input_shapes) - {vi.name for vi in g.input}
    if unknown:
        raise CompileError(f"--input-shape names unknown inputs {sorted(unknown)}; "
                           f"the model's inputs are {[vi.name for vi in g.input if vi.name not in init_names]}")
    for vi in g.input:
        if vi.name in init_names:
            continue
        elem = vi.type.tensor_type.elem_type
        if elem != onnx.TensorProto.FLOAT:
            dtype = onnx.TensorProto.DataType.Name(elem) if elem else "unknown"
            raise CompileError(f"input {vi.name!r} has dtype {dtype}; sparsecc model inputs must be float32")
        ctx.bind(vi.name, graph.add_input(vi.name, _input_shape(vi, input_shapes, default_batch)))

    unsupported: dict[str, list[str]] = defaultdict(list)
    poisoned: set[str] = set()
    for i in topological_order(g):  # unnamed nodes are labelled by their position in the file
        node = g.node[i]
        label = node.name or f"{node.op_type}_{i}"
        if not node.name:
            node.name = label
        if node.domain not in DEFAULT_DOMAINS:
            unsupported[f"{node.domain}.{node.op_type}"].append(label)
            poisoned.update(node.output)
            continue
        if any(n in poisoned for n in node.input):
            if node.op_type not in CONVERTERS:
                unsupported[node.op_type].append(label)
            poisoned.update(node.output)
            continue
        try:
            check_node(node, label, opset)
            if fold_node(ctx, node):
                continue
            conv = CONVERTERS.get(node.op_type)
            if conv is None:
                unsupported[node.op_type].append(label)
                poisoned.update(node.output)
                continue
            conv(ctx, node)
        except Unsupported as e:
            unsupported[f"{node.op_type} ({e})"].append(label)
            poisoned.update(node.output)
            continue
        except CompileError as e:
            msg = str(e)
            if label not in msg:
                msg = f"{node.op_type} node {label!r}: {msg}"
            raise CompileError(msg) from None
        except Exception as e:  # a converter bug, or a malformed node no check catches yet
            raise FrontendInternalError(f"{node.op_type} node {label!r}: internal error while converting it "
                                        f"({type(e).__name__}: {str(e)[:200]}); please report this model") from e
        missing = [o for o in node.output if o and o not in ctx.env]
        if missing:
            raise CompileError(f"converter for {node.op_type} did not define outputs {missing} (node {label!r})")
    if unsupported:
        raise UnsupportedOpsError(unsupported)

    for vi in g.output:
        if vi.name not in ctx.env:
            raise CompileError(f"graph output {vi.name!r} is not produced by any node, graph input or initializer")
        v = ctx.value(vi.name)
        if v.dtype != np.float32:
            raise CompileError(f"output {vi.name!r} has dtype {v.dtype.name}; sparsecc model outputs must be float32")
        if v.name != vi.name:  # an output that is another name's value: give it its own name
            v = ctx.emit("Identity", [v], name=f"{vi.name}_identity", out_names=[vi.name])[0]
        graph.outputs.append(v)
    graph.remove_unused()
    from ..ir import verify
    verify(graph)
    return graph
