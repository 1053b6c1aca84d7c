"""Data-movement ops: Reshape, Transpose, Concat, Split, Slice, Gather.

- Reshape: the IR's explicit ``shape`` becomes a constant int64 input.
- Split: the sizes become the ``split`` input (an input since opset 13).
- Slice: the IR's (start, step, size) per axis becomes ONNX's starts/ends/axes/
  steps, listing only the axes that are not copied whole. ``end = start +
  size·step``; when a backward slice runs down to index 0 that end is negative,
  which ONNX would read as counted from the back, so it is written as INT64_MIN
  ("before the first element").
- Gather: the IR's ``indices`` become an int64 constant of ``indices_shape``.
"""
from __future__ import annotations

import numpy as np

from .registry import exporter

INT64_MIN = int(np.iinfo(np.int64).min)


@exporter("Reshape")
def export_reshape(ctx, node, attrs):
    shape = ctx.ints(f"{node.name}/shape", attrs["shape"])
    ctx.add("Reshape", [ctx.name(node.inputs[0]), shape], [ctx.name(node.output)], node.name)


@exporter("Transpose")
def export_transpose(ctx, node, attrs):
    ctx.add("Transpose", [ctx.name(node.inputs[0])], [ctx.name(node.output)], node.name,
            perm=[int(p) for p in attrs["perm"]])


@exporter("Concat")
def export_concat(ctx, node, attrs):
    ctx.add("Concat", [ctx.name(v) for v in node.inputs], [ctx.name(node.output)], node.name,
            axis=int(attrs["axis"]))


@exporter("Split")
def export_split(ctx, node, attrs):
    split = ctx.ints(f"{node.name}/split", attrs["split"])
    ctx.add("Split", [ctx.name(node.inputs[0]), split], [ctx.name(v) for v in node.outputs], node.name,
            axis=int(attrs["axis"]))


def slice_inputs(in_shape, starts, steps, sizes) -> tuple[list[int], list[int], list[int], list[int]]:
    """(starts, ends, axes, steps) of an ONNX Slice equal to the IR slice."""
    out = ([], [], [], [])
    for axis, (dim, st, sp, n) in enumerate(zip(in_shape, starts, steps, sizes)):
        if st == 0 and sp == 1 and n == dim:
            continue  # the whole axis
        end = st + n * sp
        if end < 0:
            end = INT64_MIN
        for lst, v in zip(out, (st, end, axis, sp)):
            lst.append(int(v))
    if not out[2]:  # nothing is cut: still a valid Slice (axis 0, whole)
        out = ([0], [int(in_shape[0])], [0], [1])
    return out


@exporter("Slice")
def export_slice(ctx, node, attrs):
    starts, ends, axes, steps = slice_inputs(node.inputs[0].shape, attrs["starts"], attrs["steps"], attrs["sizes"])
    names = [ctx.ints(f"{node.name}/{what}", vals)
             for what, vals in (("starts", starts), ("ends", ends), ("axes", axes), ("steps", steps))]
    ctx.add("Slice", [ctx.name(node.inputs[0]), *names], [ctx.name(node.output)], node.name)


@exporter("Gather")
def export_gather(ctx, node, attrs):
    indices = np.asarray(attrs["indices"], dtype=np.int64).reshape([int(d) for d in attrs["indices_shape"]])
    ctx.add("Gather", [ctx.name(node.inputs[0]), ctx.const(f"{node.name}/indices", indices)],
            [ctx.name(node.output)], node.name, axis=int(attrs["axis"]))
