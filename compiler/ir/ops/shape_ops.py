"""Data-movement IR ops: Reshape, Transpose, Concat, Split, Slice, Gather.

None of them computes: the numpy references copy (keeping the input dtype).
``infer`` proves every read in range (Slice, Gather) and every size consistent
(Reshape element count, Split sizes summing to the dim, Concat's other dims).
Semantics: docs/ir-ops.md.
"""
from __future__ import annotations

import numpy as np

from .registry import INT, INTS, REQUIRED, ShapeError, op


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def int_attr(attrs: dict, key: str) -> int:
    v = attrs[key]
    if not _is_int(v):
        raise ShapeError(f"attribute {key!r} must be an int, got {v!r}")
    return int(v)


def ints_attr(attrs: dict, key: str) -> list[int]:
    v = attrs[key]
    if not isinstance(v, (list, tuple)) or not all(_is_int(x) for x in v):
        raise ShapeError(f"attribute {key!r} must be a list of ints, got {v!r}")
    return [int(x) for x in v]


def check_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not 0 <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for rank {rank} (must be normalised to 0..{rank - 1})")
    return axis


def numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


@op("Reshape", attrs={"shape": (INTS, REQUIRED)})
class Reshape:
    @staticmethod
    def infer(in_shapes, attrs):
        shape = ints_attr(attrs, "shape")
        if any(d < 1 for d in shape):
            raise ShapeError(f"shape {shape} must have every dim >= 1 (no 0 or -1 left)")
        if numel(shape) != numel(in_shapes[0]):
            raise ShapeError(f"cannot reshape {list(in_shapes[0])} ({numel(in_shapes[0])} elements) "
                             f"to {shape} ({numel(shape)} elements)")
        return [tuple(shape)]

    @staticmethod
    def evaluate(inputs, attrs):
        return [np.reshape(inputs[0], attrs["shape"]).copy()]


@op("Transpose", attrs={"perm": (INTS, REQUIRED)})
class Transpose:
    @staticmethod
    def infer(in_shapes, attrs):
        perm = ints_attr(attrs, "perm")
        x = in_shapes[0]
        if sorted(perm) != list(range(len(x))):
            raise ShapeError(f"perm {perm} is not a permutation of the {len(x)} axes of {list(x)}")
        return [tuple(x[p] for p in perm)]

    @staticmethod
    def evaluate(inputs, attrs):
        return [np.array(np.transpose(inputs[0], attrs["perm"]), order="C")]


@op("Concat", attrs={"axis": (INT, REQUIRED)}, n_inputs=(1, -1))
class Concat:
    @staticmethod
    def infer(in_shapes, attrs):
        if any(s is None for s in in_shapes):
            raise ShapeError("every input must be present")
        first = in_shapes[0]
        axis = check_axis(int_attr(attrs, "axis"), len(first))
        total = 0
        for i, s in enumerate(in_shapes):
            if len(s) != len(first) or any(a != b for k, (a, b) in enumerate(zip(s, first)) if k != axis):
                raise ShapeError(f"input {i} has shape {list(s)}; all inputs must match {list(first)} "
                                 f"except on axis {axis}")
            total += s[axis]
        out = list(first)
        out[axis] = total
        return [tuple(out)]

    @staticmethod
    def evaluate(inputs, attrs):
        return [np.concatenate(inputs, axis=attrs["axis"])]


@op("Split", attrs={"axis": (INT, REQUIRED), "split": (INTS, REQUIRED)})
class Split:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        axis = check_axis(int_attr(attrs, "axis"), len(x))
        split = ints_attr(attrs, "split")
        if not split or any(s < 1 for s in split):
            raise ShapeError(f"split {split} must list at least one size, each >= 1")
        if sum(split) != x[axis]:
            raise ShapeError(f"split sizes {split} sum to {sum(split)}, but axis {axis} of {list(x)} is {x[axis]}")
        outs = []
        for s in split:
            o = list(x)
            o[axis] = s
            outs.append(tuple(o))
        return outs

    @staticmethod
    def evaluate(inputs, attrs):
        bounds = np.cumsum(attrs["split"])[:-1]
        return [p.copy() for p in np.split(inputs[0], bounds, axis=attrs["axis"])]


@op("Slice", attrs={"starts": (INTS, REQUIRED), "steps": (INTS, REQUIRED), "sizes": (INTS, REQUIRED)})
class Slice:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        starts, steps, sizes = (ints_attr(attrs, k) for k in ("starts", "steps", "sizes"))
        for key, v in (("starts", starts), ("steps", steps), ("sizes", sizes)):
            if len(v) != len(x):
                raise ShapeError(f"{key} has {len(v)} entries, the input {list(x)} has rank {len(x)}")
        for axis, (d, st, sp, n) in enumerate(zip(x, starts, steps, sizes)):
            if sp == 0:
                raise ShapeError(f"step of axis {axis} is 0")
            if n < 1:
                raise ShapeError(f"size of axis {axis} is {n}; must be >= 1")
            last = st + (n - 1) * sp
            if not (0 <= st < d and 0 <= last < d):
                raise ShapeError(f"axis {axis} (dim {d}): start {st}, step {sp}, size {n} reads index "
                                 f"{st if not 0 <= st < d else last}, out of range")
        return [tuple(sizes)]

    @staticmethod
    def evaluate(inputs, attrs):
        idx = []
        for st, sp, n in zip(attrs["starts"], attrs["steps"], attrs["sizes"]):
            stop = st + n * sp
            idx.append(slice(st, stop if stop >= 0 else None, sp))
        return [np.array(inputs[0][tuple(idx)], order="C")]


@op("Gather", attrs={"axis": (INT, REQUIRED), "indices": (INTS, REQUIRED), "indices_shape": (INTS, REQUIRED)})
class Gather:
    @staticmethod
    def infer(in_shapes, attrs):
        x = in_shapes[0]
        if len(x) == 0:
            raise ShapeError("cannot gather from a scalar")
        axis = check_axis(int_attr(attrs, "axis"), len(x))
        indices = ints_attr(attrs, "indices")
        ishape = ints_attr(attrs, "indices_shape")
        if any(d < 1 for d in ishape):
            raise ShapeError(f"indices_shape {ishape} must have every dim >= 1")
        if numel(ishape) != len(indices):
            raise ShapeError(f"indices_shape {ishape} holds {numel(ishape)} indices, got {len(indices)}")
        bad = [i for i in indices if not 0 <= i < x[axis]]
        if bad:
            raise ShapeError(f"indices {bad[:5]} out of range for axis {axis} of {list(x)} (dim {x[axis]})")
        return [tuple(x[:axis]) + tuple(ishape) + tuple(x[axis + 1:])]

    @staticmethod
    def evaluate(inputs, attrs):
        idx = np.array(attrs["indices"], dtype=np.int64).reshape(attrs["indices_shape"])
        return [np.array(np.take(inputs[0], idx, axis=attrs["axis"]), order="C")]
