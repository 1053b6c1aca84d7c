"""Shared checks for the pruning tests: zeroing classes in a dense graph, random selections,
and an independent MAC / parameter count on an exported ONNX model."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.passes.channel_space import analyze_channels
from sparsecc.compiler.passes.group_prune import select


def analysed(model):
    graph = import_onnx(model)
    return graph, analyze_channels(graph)


def feeds_for(graph, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {v.name: rng.standard_normal(v.shape).astype(np.float32) for v in graph.inputs}


def zero_classes(analysis, class_ids) -> None:
    """Set every parameter slice of the given classes to zero, in the (dense) graph's constants."""
    for cid in class_ids:
        for s in analysis.classes[cid].params:
            arr = s.value.const.copy()
            idx = [slice(None)] * arr.ndim
            for a, i in zip(s.axes, s.index):
                idx[a] = i
            arr[tuple(idx)] = 0
            s.value.const = arr


def random_selection(analysis, seed: int, ratio: float = 0.5, round_to: int = 1) -> list[int]:
    """Remove ``ratio`` of every space's prunable classes, chosen by random scores."""
    rng = np.random.default_rng(seed)
    scores = {c: float(rng.random()) for c in analysis.prunable}
    return select(analysis, scores, ratio, round_to=round_to)


def onnx_layer_counts(model: onnx.ModelProto) -> dict[str, tuple[int, int]]:
    """{node name: (MACs, parameters)} of Conv/ConvTranspose/Gemm/MatMul, from ONNX shapes and initializers."""
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output)}
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    shapes.update({k: list(v.shape) for k, v in inits.items()})
    out = {}
    for n in model.graph.node:
        if n.op_type not in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            continue
        x, w, y = shapes[n.input[0]], shapes[n.input[1]], shapes[n.output[0]]
        if n.op_type == "Conv":
            macs = int(np.prod(y)) * int(np.prod(w[1:]))
        elif n.op_type == "ConvTranspose":
            macs = int(np.prod(x)) * int(np.prod(w[1:]))
        elif n.op_type == "Gemm":
            trans_a = next((a.i for a in n.attribute if a.name == "transA"), 0)
            macs = int(np.prod(y)) * (x[0] if trans_a else x[1])
        else:
            macs = int(np.prod(y)) * x[-1]
        params = sum(int(inits[i].size) for i in n.input if i in inits)
        out[n.name] = (macs, params)
    return out
