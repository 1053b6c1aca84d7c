"""Calibration data for the data-based pruning criteria: loading, checking, and activations.

``load_calibration(source, graph)`` accepts a path to an ``.npz`` (arrays keyed
by graph input name, or a single array for a one-input graph), a ``.npy``, a
dict ``{input name: array}`` or a single array. Every array must have the
graph input's shape except for the leading (batch) dim, and all inputs the same
number of samples; the error names the input and both shapes.

``activations(graph, feeds, values)`` runs the graph with the numpy references
and returns the requested intermediate values for all samples. The IR graph
has a fixed batch (often 1); running 256 samples one by one is slow, so the
graph is evaluated once at the calibration batch: every node gets the actual
arrays, and the few attributes that restate a batch-carrying output shape
(Reshape ``shape``, Slice / Resize ``sizes``) get the new batch. If an op
mixes the batch dim with others, evaluation falls back to chunks of the
graph's own batch.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Value
from ..ir.ops import evaluate_node
from ..ir.ops.activation import apply_activation
from ..ir.ops.conv import gather_taps, pad_hw

SHAPE_ATTRS = {"Reshape": "shape", "Slice": "sizes", "Resize": "sizes"}


def conv_f32(node, args) -> np.ndarray:
    """Conv in float32 with one BLAS product per group (the float64 reference is slow on big batches)."""
    x, w = np.asarray(args[0], np.float32), np.asarray(args[1], np.float32)
    a = node.attrs
    g = int(a.get("group", 1))
    m, cg, kh, kw = w.shape
    xp = pad_hw(x, a["pads"])
    sh, sw = a["strides"]
    dh, dw = a["dilations"]
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    cols = gather_taps(xp, (kh, kw), (sh, sw), (dh, dw), (oh, ow))
    n = x.shape[0]
    cols = cols.reshape(n, g, cg * kh * kw, oh * ow)
    wg = w.reshape(g, m // g, cg * kh * kw)
    if g == 1:
        y = np.einsum("mk,nkp->nmp", wg[0], cols[:, 0], optimize=True)
    elif m == g and cg == 1:  # depthwise
        y = np.einsum("gk,ngkp->ngp", wg[:, 0], cols, optimize=True)
    else:
        y = np.concatenate([np.einsum("mk,nkp->nmp", wg[k], cols[:, k], optimize=True) for k in range(g)], 1)
    y = y.reshape(n, m, oh, ow)
    if len(args) > 2 and args[2] is not None:
        y = y + np.asarray(args[2], np.float32).reshape(1, -1, 1, 1)
    return apply_activation(y, a.get("activation", "none"), a.get("activation_params", ()))


def load_calibration(source, graph: Graph) -> dict[str, np.ndarray]:
    """Calibration feeds ``{input name: float32 [N, ...]}`` checked against ``graph``'s inputs."""
    if source is None:
        raise CompileError("no calibration data given")
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise CompileError(f"calibration file {str(path)!r} does not exist")
        try:
            loaded = np.load(path, allow_pickle=False)
        except Exception as e:  # not an npz/npy, truncated, pickled objects
            raise CompileError(f"cannot read calibration file {str(path)!r}: {type(e).__name__}: {e}") from None
        source = {k: loaded[k] for k in loaded.files} if hasattr(loaded, "files") else loaded
    names = [v.name for v in graph.inputs]
    if isinstance(source, dict):
        arrays = dict(source)
        if len(arrays) == 1 and len(names) == 1 and names[0] not in arrays:
            arrays = {names[0]: next(iter(arrays.values()))}  # a single unnamed array ("arr_0", "x", ...)
    else:
        if len(names) != 1:
            raise CompileError(f"a single calibration array was given but the model has {len(names)} inputs "
                               f"({', '.join(names)}); give an .npz keyed by input name")
        arrays = {names[0]: source}
    unknown = sorted(set(arrays) - set(names))
    missing = [n for n in names if n not in arrays]
    if unknown or missing:
        raise CompileError(f"calibration arrays {unknown} do not match the model inputs {names}"
                           + (f" (missing: {missing})" if missing else ""))
    feeds, count = {}, None
    for v in graph.inputs:
        arr = np.asarray(arrays[v.name])
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise CompileError(f"calibration input {v.name!r}: dtype {arr.dtype} is not numeric")
        if arr.ndim != len(v.shape) or tuple(arr.shape[1:]) != tuple(v.shape[1:]):
            raise CompileError(f"calibration input {v.name!r}: shape {list(arr.shape)}, expected "
                               f"[N, {', '.join(str(d) for d in v.shape[1:])}] (model input {list(v.shape)})")
        if arr.shape[0] < 1:
            raise CompileError(f"calibration input {v.name!r} has no samples")
        if count is not None and arr.shape[0] != count:
            raise CompileError(f"calibration inputs have different sample counts ({count} and {arr.shape[0]} "
                               f"for {v.name!r})")
        count = arr.shape[0]
        arr = arr.astype(np.float32)
        if not np.isfinite(arr).all():
            raise CompileError(f"calibration input {v.name!r} holds NaN or infinite values")
        feeds[v.name] = arr
    return feeds


def _run(graph: Graph, feeds: dict[str, np.ndarray], want: set[int], batch: int | None) -> dict[int, np.ndarray]:
    """Evaluate every node; ``batch`` (when not None) replaces the IR batch in shape attributes."""
    env: dict[int, np.ndarray] = {id(v): feeds[v.name] for v in graph.inputs}
    out: dict[int, np.ndarray] = {k: env[k] for k in want if k in env}
    b0 = graph.inputs[0].shape[0] if graph.inputs and graph.inputs[0].shape else None
    for node in graph.nodes:
        args = [None if v is None else (v.const if v.is_const else env[id(v)]) for v in node.inputs]
        attrs = node.attrs
        key = SHAPE_ATTRS.get(node.op)
        if batch is not None and key in attrs and list(attrs[key]) == list(node.output.shape) \
                and node.output.shape and node.output.shape[0] == b0:
            attrs = {**attrs, key: [batch] + list(attrs[key])[1:]}
        saved = node.attrs
        node.attrs = attrs
        try:
            results = [conv_f32(node, args)] if node.op == "Conv" else evaluate_node(node, args)
        finally:
            node.attrs = saved
        for v, a in zip(node.outputs, results):
            a = np.asarray(a, dtype=np.float32)
            if batch is not None and (a.shape[1:] != tuple(v.shape[1:]) or a.shape[:1] != (batch,)):
                raise _Rebatch(node)
            env[id(v)] = a
            if id(v) in want:
                out[id(v)] = a
        if len(out) == len(want):
            break  # the rest of the graph is not needed
    return out


class _Rebatch(Exception):
    def __init__(self, node):
        self.node = node


def activations(graph: Graph, feeds: dict[str, np.ndarray], values: list[Value]) -> dict[int, np.ndarray]:
    """``{id(value): float32 [N, ...]}`` of ``values`` for the calibration ``feeds`` (from ``load_calibration``)."""
    want = {id(v) for v in values}
    n = next(iter(feeds.values())).shape[0]
    b0 = graph.inputs[0].shape[0]
    if all(v.shape and v.shape[0] == b0 for v in graph.inputs):
        try:
            with np.errstate(all="ignore"):
                return _run(graph, feeds, want, n)
        except (_Rebatch, ValueError, IndexError):
            pass  # an op mixes the batch dim: fall back to the graph's own batch
    parts: dict[int, list[np.ndarray]] = {k: [] for k in want}
    for i in range(0, n, b0):
        chunk = {k: a[i:i + b0] for k, a in feeds.items()}
        short = b0 - chunk[graph.inputs[0].name].shape[0]
        if short:  # pad the last chunk by repeating its first sample, then drop the padding
            chunk = {k: np.concatenate([a, np.repeat(a[:1], short, 0)]) for k, a in chunk.items()}
        with np.errstate(all="ignore"):
            got = _run(graph, chunk, want, None)
        for k in want:
            parts[k].append(got[k][:b0 - short])
    return {k: np.concatenate(p) for k, p in parts.items()}
