"""ONNX converters for shape and data-movement ops (opsets 11-21).

Flatten, Reshape, Squeeze and Unsqueeze all become IR ``Reshape`` with the full
static output shape. Transpose/Concat/Split/Slice/Gather map to their IR ops
with every axis and index normalised (non-negative, in range) and Slice's
start/end clamped exactly as ONNX does. Expand to a constant shape becomes a
``Mul`` by a constant of ones (exact, and only as large as the new dims need).
Shape-typed inputs (Reshape's shape, Slice's starts, ...) must be constants:
the driver has already folded the shape subgraphs that compute them.
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from ...ir.ops import ShapeError
from ...ir.ops.elementwise import broadcast_shapes
from ..limits import check_size
from .elementwise import float_inputs
from .registry import converter


def _fail(node, msg: str):
    raise CompileError(f"{node.op_type} node {node.name!r}: {msg}")


def normalize_axis(node, axis: int, rank: int, what: str = "axis") -> int:
    """ONNX axis in [-rank, rank) -> [0, rank); anything else is a CompileError naming the node."""
    axis = int(axis)
    if not -rank <= axis < rank:
        _fail(node, f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


def normalize_axes(node, axes, rank: int) -> list[int]:
    out = [normalize_axis(node, a, rank) for a in axes]
    if len(set(out)) != len(out):
        _fail(node, f"axes {list(axes)} repeat an axis (rank {rank})")
    return sorted(out)


def _ints(ctx, node, i: int, what: str, optional: bool = False) -> list[int] | None:
    arr = ctx.const(node, i, what, optional=optional)
    if arr is None:
        return None
    arr = np.asarray(arr)
    if arr.dtype.kind not in "iu":
        _fail(node, f"{what} must be an integer tensor, got {arr.dtype.name}")
    return [int(v) for v in arr.reshape(-1)]


def _input(ctx, node, i: int = 0):
    v = ctx.input(node, i)
    if v is None:
        _fail(node, f"input {i} is missing")
    return v


def emit_reshape(ctx, node, x, shape) -> None:
    shape = [int(d) for d in shape]
    if any(d < 1 for d in shape):
        _fail(node, f"output shape {shape} has a zero-size dim (sparsecc needs every dim >= 1)")
    ctx.emit_for(node, "Reshape", [x], {"shape": shape})


# ---- Reshape family ------------------------------------------------------------------

@converter("Reshape")
def convert_reshape(ctx, node):
    x = _input(ctx, node)
    target = _ints(ctx, node, 1, "shape")
    allowzero = int(ctx.attrs(node).get("allowzero", 0))
    if allowzero and 0 in target:
        _fail(node, f"shape {target} with allowzero=1 gives a zero-size tensor (not supported)")
    out, infer_at = [], None
    for i, d in enumerate(target):
        if d == 0 and not allowzero:
            if i >= len(x.shape):
                _fail(node, f"shape {target}: 0 at index {i} copies a dim the input {list(x.shape)} lacks")
            d = x.shape[i]
        elif d == -1:
            if infer_at is not None:
                _fail(node, f"shape {target} has more than one -1")
            infer_at = i
        elif d < -1:
            _fail(node, f"shape {target} has a negative dim {d}")
        out.append(d)
    total = int(np.prod(x.shape, dtype=np.int64))
    if infer_at is not None:
        known = int(np.prod([d for i, d in enumerate(out) if i != infer_at], dtype=np.int64))
        if known == 0 or total % known:
            _fail(node, f"cannot infer the -1 of shape {target} for input {list(x.shape)}")
        out[infer_at] = total // known
    if int(np.prod(out, dtype=np.int64)) != total:
        _fail(node, f"cannot reshape {list(x.shape)} to {target} (resolved {out}): element counts differ")
    emit_reshape(ctx, node, x, out)


@converter("Flatten")
def convert_flatten(ctx, node):
    x = _input(ctx, node)
    rank = len(x.shape)
    axis = int(ctx.attrs(node).get("axis", 1))
    if not -rank <= axis <= rank:
        _fail(node, f"axis {axis} is out of range for rank {rank}")
    axis = axis + rank if axis < 0 else axis
    emit_reshape(ctx, node, x, [int(np.prod(x.shape[:axis], dtype=np.int64)),
                                int(np.prod(x.shape[axis:], dtype=np.int64))])


def _axes(ctx, node, required: bool) -> list[int] | None:
    """Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13."""
    if ctx.opset >= 13:
        axes = _ints(ctx, node, 1, "axes", optional=True)
    else:
        axes = ctx.attrs(node).get("axes")
        axes = None if axes is None else [int(a) for a in axes]
    if axes is None and required:
        _fail(node, "axes are required")
    return axes


@converter("Squeeze")
def convert_squeeze(ctx, node):
    x = _input(ctx, node)
    axes = _axes(ctx, node, required=False)
    if axes is None:
        keep = [d for d in x.shape if d != 1]
    else:
        axes = normalize_axes(node, axes, len(x.shape))
        bad = [a for a in axes if x.shape[a] != 1]
        if bad:
            _fail(node, f"cannot squeeze axes {bad} of {list(x.shape)}: their dims are not 1")
        keep = [d for i, d in enumerate(x.shape) if i not in axes]
    emit_reshape(ctx, node, x, keep)


@converter("Unsqueeze")
def convert_unsqueeze(ctx, node):
    x = _input(ctx, node)
    axes = _axes(ctx, node, required=True)
    out_rank = len(x.shape) + len(axes)
    axes = normalize_axes(node, axes, out_rank)
    dims = iter(x.shape)
    emit_reshape(ctx, node, x, [1 if i in axes else next(dims) for i in range(out_rank)])


# ---- Transpose, Concat, Split ----------------------------------------------------------

@converter("Transpose")
def convert_transpose(ctx, node):
    x = _input(ctx, node)
    rank = len(x.shape)
    perm = ctx.attrs(node).get("perm")
    perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
    if sorted(perm) != list(range(rank)):
        _fail(node, f"perm {perm} is not a permutation of the {rank} axes of {list(x.shape)}")
    ctx.emit_for(node, "Transpose", [x], {"perm": perm})


@converter("Concat")
def convert_concat(ctx, node):
    values = [v for v in float_inputs(ctx, node) if not (v.is_const and v.size == 0)]
    if not values:
        _fail(node, "every input is empty")
    axis = normalize_axis(node, ctx.attrs(node).get("axis", 0), len(values[0].shape))
    ctx.emit_for(node, "Concat", values, {"axis": axis})


@converter("Split")
def convert_split(ctx, node):
    x = _input(ctx, node)
    a = ctx.attrs(node)
    axis = normalize_axis(node, a.get("axis", 0), len(x.shape))
    dim, n = x.shape[axis], len(node.output)
    if ctx.opset >= 13:
        split = _ints(ctx, node, 1, "split", optional=True)
    else:
        split = [int(s) for s in a["split"]] if "split" in a else None
    if split is None and "num_outputs" in a:
        n_out = int(a["num_outputs"])
        if n_out != n:
            _fail(node, f"num_outputs is {n_out} but the node has {n} outputs")
        chunk = -(-dim // n)  # ceil: the last chunk is smaller when dim is not divisible
        split = [chunk] * (n - 1) + [dim - chunk * (n - 1)]
    elif split is None:
        if dim % n:
            _fail(node, f"axis {axis} of {list(x.shape)} (dim {dim}) does not split evenly into {n} outputs")
        split = [dim // n] * n
    if len(split) != n:
        _fail(node, f"split {split} has {len(split)} sizes but the node has {n} outputs")
    if any(s < 1 for s in split) or sum(split) != dim:
        _fail(node, f"split {split} must be sizes >= 1 summing to dim {dim} (axis {axis} of {list(x.shape)})")
    ctx.emit("Split", [x], {"axis": axis, "split": split}, node=node, out_names=list(node.output))


# ---- Slice, Gather, Expand --------------------------------------------------------------

def slice_range(dim: int, start: int, end: int, step: int) -> tuple[int, int]:
    """(first index, element count) of ONNX Slice on one axis, with ONNX's clamping."""
    if start < 0:
        start += dim
    if end < 0:
        end += dim
    if step > 0:
        start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        count = max(0, -(-(end - start) // step))
    else:
        start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        count = max(0, -(-(start - end) // -step))
    return start, count


@converter("Slice")
def convert_slice(ctx, node):
    x = _input(ctx, node)
    rank = len(x.shape)
    starts = _ints(ctx, node, 1, "starts")
    ends = _ints(ctx, node, 2, "ends")
    axes = _ints(ctx, node, 3, "axes", optional=True)
    steps = _ints(ctx, node, 4, "steps", optional=True)
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        _fail(node, f"starts/ends/axes/steps have different lengths "
                    f"({len(starts)}, {len(ends)}, {len(axes)}, {len(steps)})")
    norm = [normalize_axis(node, ax, rank) for ax in axes]
    if len(set(norm)) != len(norm):
        _fail(node, f"axes {axes} repeat an axis")
    ir_starts, ir_steps, sizes = [0] * rank, [1] * rank, list(x.shape)
    for ax, st, en, sp in zip(norm, starts, ends, steps):
        if sp == 0:
            _fail(node, f"step of axis {ax} is 0")
        first, count = slice_range(x.shape[ax], st, en, sp)
        if count < 1:
            _fail(node, f"axis {ax} (dim {x.shape[ax]}): start {st}, end {en}, step {sp} selects no element "
                        "(zero-size tensors are not supported)")
        ir_starts[ax], ir_steps[ax], sizes[ax] = first, sp, count
    ctx.emit_for(node, "Slice", [x], {"starts": ir_starts, "steps": ir_steps, "sizes": sizes})


@converter("Gather")
def convert_gather(ctx, node):
    x = _input(ctx, node)
    if len(x.shape) == 0:
        _fail(node, "cannot gather from a scalar")
    axis = normalize_axis(node, ctx.attrs(node).get("axis", 0), len(x.shape))
    idx = ctx.const(node, 1, "indices")  # a run-time index tensor raises Unsupported
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        _fail(node, f"indices must be integers, got {idx.dtype.name}")
    if idx.size == 0:
        _fail(node, "indices are empty (zero-size tensors are not supported)")
    dim = x.shape[axis]
    flat = idx.reshape(-1).astype(np.int64)
    bad = flat[(flat < -dim) | (flat >= dim)]
    if bad.size:
        _fail(node, f"indices {bad[:5].tolist()} are out of range for axis {axis} (dim {dim})")
    flat = np.where(flat < 0, flat + dim, flat)
    ctx.emit_for(node, "Gather", [x], {"axis": axis, "indices": [int(i) for i in flat],
                                       "indices_shape": [int(d) for d in idx.shape]})


@converter("Expand")
def convert_expand(ctx, node):
    x = _input(ctx, node)
    target = _ints(ctx, node, 1, "shape")
    try:
        out = broadcast_shapes(x.shape, target)
    except ShapeError as e:
        _fail(node, f"cannot expand {list(x.shape)} to {target}: {e}")
    if any(d < 1 for d in out):
        _fail(node, f"output shape {list(out)} has a zero-size dim")
    check_size(out, 4, f"{node.op_type} node {node.name!r} output")  # before building the ones below
    if tuple(out) == tuple(x.shape):
        ctx.emit_for(node, "Identity", [x])
        return
    padded = (1,) * (len(out) - len(x.shape)) + tuple(x.shape)
    ones = np.ones([o if p != o else 1 for o, p in zip(out, padded)], dtype=np.float32)
    ctx.emit_for(node, "Mul", [x, ctx.new_const(f"{node.name}_ones", ones)])
