"""Fold ONNX nodes at import time: Shape/Size of static shapes, and any node whose
inputs are all constants (evaluated with onnx's reference implementation, so
shape subgraphs fold whatever ops they use)."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from ..errors import CompileError
from .context import ConvertContext
from .limits import check_size

# never evaluated at compile time: random, or with sub-graphs
NOT_FOLDABLE = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial",
                "Bernoulli", "If", "Loop", "Scan"}


def _fold_shape(ctx: ConvertContext, node: onnx.NodeProto) -> bool:
    v = ctx.input(node, 0)
    shape = np.array(v.shape, dtype=np.int64)
    if node.op_type == "Size":
        ctx.bind_const(node.output[0], np.array(int(np.prod(shape)), dtype=np.int64))
        return True
    attrs = ctx.attrs(node)
    start, end = attrs.get("start", 0), attrs.get("end", None)
    ctx.bind_const(node.output[0], shape[start:end])
    return True


def evaluate_onnx_node(node: onnx.NodeProto, inputs: list, opset: int) -> list[np.ndarray]:
    """Run one ONNX node on numpy inputs with onnx's reference evaluator."""
    names = [f"in{i}" if n else "" for i, n in enumerate(node.input)]
    outs = [f"out{i}" for i in range(len(node.output))]
    n = helper.make_node(node.op_type, names, outs, domain=node.domain)
    n.attribute.extend(node.attribute)
    g_inputs = [helper.make_tensor_value_info(nm, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
                for nm, a in zip(names, inputs) if nm]
    g_outputs = [helper.make_empty_tensor_value_info(o) for o in outs]
    model = helper.make_model(helper.make_graph([n], "fold", g_inputs, g_outputs),
                              opset_imports=[helper.make_opsetid("", opset)])
    feeds = {nm: a for nm, a in zip(names, inputs) if nm}
    return ReferenceEvaluator(model).run(None, feeds)


def _check_output_sizes(node: onnx.NodeProto, inputs: list, opset: int) -> None:
    """Refuse to evaluate a node whose outputs onnx's shape inference says are too large.

    Small inputs (shape-like values) are given as initializers so that inference sees
    their values (ConstantOfShape, Expand, Tile, Range, Resize ...); large ones by type
    and shape only. A node inference cannot size is evaluated as before.
    """
    names = [f"in{i}" if n else "" for i, n in enumerate(node.input)]
    outs = [f"out{i}" for i in range(len(node.output))]
    try:
        n = helper.make_node(node.op_type, names, outs, domain=node.domain)
        n.attribute.extend(node.attribute)
        inits, g_inputs = [], []
        for nm, a in zip(names, inputs):
            if not nm:
                continue
            a = np.asarray(a)
            if a.size <= 1024:
                inits.append(numpy_helper.from_array(a, nm))
            else:
                g_inputs.append(helper.make_tensor_value_info(nm, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape))
        model = helper.make_model(helper.make_graph([n], "fold", g_inputs, [helper.make_empty_tensor_value_info(o)
                                                                            for o in outs], initializer=inits),
                                  opset_imports=[helper.make_opsetid("", opset)])
        inferred = onnx.shape_inference.infer_shapes(model).graph.output
    except Exception:  # inference cannot size this node: evaluation will tell
        return
    for name, vi in zip(node.output, inferred):
        tt = vi.type.tensor_type
        if not tt.HasField("shape") or not all(d.HasField("dim_value") for d in tt.shape.dim):
            continue
        try:
            itemsize = helper.tensor_dtype_to_np_dtype(tt.elem_type).itemsize
        except Exception:
            itemsize = 8
        check_size([d.dim_value for d in tt.shape.dim], itemsize,
                   f"{node.op_type} node {node.name!r}: constant output {name!r}")


def fold_node(ctx: ConvertContext, node: onnx.NodeProto) -> bool:
    """Fold ``node`` into constants if it can be; True when it was folded."""
    if node.op_type in ("Shape", "Size") and node.input and ctx.input(node, 0) is not None:
        return _fold_shape(ctx, node)
    if node.op_type in NOT_FOLDABLE or any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                                           for a in node.attribute):
        return False
    ins = ctx.inputs(node)
    if any(v is not None and not v.is_const for v in ins):
        return False
    if node.op_type == "Dropout" and len(node.output) > 1:
        return False  # the converter handles its mask output
    _check_output_sizes(node, [v.const if v is not None else None for v in ins], ctx.opset)
    try:
        outs = evaluate_onnx_node(node, [v.const if v is not None else None for v in ins], ctx.opset)
    except Exception as e:
        raise CompileError(f"{node.op_type} node {node.name!r}: cannot evaluate its constant inputs "
                           f"({type(e).__name__}: {str(e)[:200]})") from None
    for name, arr in zip(node.output, outs):
        if name:
            ctx.bind_const(name, np.asarray(arr))
    return True
