"""Per-op rules of the channel dependency analysis (see ``channel_space.py``).

Each rule reads the channel tracks of a node's inputs and writes its outputs'
tracks, unions, barriers and param slices into a ``ChannelBuilder``. An op with
no rule is a **barrier**: every channel element of its inputs is kept, its
outputs are untracked. A tracked input whose channel axes a rule cannot follow
is a barrier too (the reason names the node).
"""
from __future__ import annotations

from itertools import accumulate

import numpy as np

from ..ir import Node
from .channel_space import ChannelBuilder, Track

UNARY = {"Relu", "Sigmoid", "HardSwish", "Tanh", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
         "Softplus", "Clip", "LeakyRelu", "HardSigmoid", "Elu", "Gelu", "Identity"}
MERGE = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"}
CHANNEL_AXIS_1 = {"GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "Resize"}


def _prod(xs) -> int:
    return int(np.prod(list(xs), dtype=np.int64))


def _coords(t: Track) -> np.ndarray:
    """[n, len(axes)] coordinates of every element of ``t`` over its channel axes."""
    return np.stack(np.unravel_index(np.arange(t.n), t.sizes), axis=1) if t.n else np.zeros((0, len(t.axes)), int)


# ---- producers / consumers ------------------------------------------------------------
def _weights_const(b: ChannelBuilder, node: Node) -> bool:
    if all(v is None or v.is_const for v in node.inputs[1:]):
        return True
    b.barrier_inputs(node, "weights are not constant")
    return False


def _consumer_input(b: ChannelBuilder, node: Node, axis: int) -> Track | None:
    """The input track if its channel axes are exactly (axis,); else mark it a barrier."""
    t = b.track(node.inputs[0])
    if t is not None and t.axes != (axis,):
        b.mark_barrier(t, f"{node.op} {node.name!r}: input channel axes {list(t.axes)} are not [{axis}]")
        return None
    return t


def _bias(b: ChannelBuilder, node: Node, t: Track) -> None:
    if node.input(2) is not None:
        b.slice_track(t, node, 2, 0, "bias")


def rule_conv(b: ChannelBuilder, node: Node) -> None:
    if not _weights_const(b, node):
        return
    group = int(node.attrs.get("group", 1))
    tx = _consumer_input(b, node, 1)
    t = b.new_track(node.output, (1,))
    b.slice_track(t, node, 1, 0, "weight")
    _bias(b, node, t)
    if group == 1:
        if tx is not None:
            b.slice_track(tx, node, 1, 1, "weight")
        return
    # grouped / depthwise: input channels of group g and output channels of group g go together
    if tx is None:
        b.mark_barrier(t, f"Conv {node.name!r}: group={group} but the input channels cannot be removed")
        return
    cg, mg = node.inputs[0].shape[1] // group, node.output.shape[1] // group
    for g in range(group):
        first = t.base + g * mg
        for j in range(mg):
            b.union(first, t.base + g * mg + j)
        for j in range(cg):
            b.union(first, tx.base + g * cg + j)


def rule_conv_transpose(b: ChannelBuilder, node: Node) -> None:
    if not _weights_const(b, node):
        return
    t = b.new_track(node.output, (1,))
    if int(node.attrs.get("group", 1)) != 1:
        b.barrier_inputs(node, "grouped ConvTranspose is not pruned")
        b.mark_barrier(t, f"ConvTranspose {node.name!r}: grouped ConvTranspose is not pruned")
        return
    tx = _consumer_input(b, node, 1)
    if tx is not None:
        b.slice_track(tx, node, 1, 0, "weight")
    b.slice_track(t, node, 1, 1, "weight")
    _bias(b, node, t)


def rule_gemm(b: ChannelBuilder, node: Node) -> None:
    if not _weights_const(b, node):
        return
    tx = _consumer_input(b, node, 1)
    if tx is not None:
        b.slice_track(tx, node, 1, 1, "weight")
    t = b.new_track(node.output, (1,))
    b.slice_track(t, node, 1, 0, "weight")
    _bias(b, node, t)


def rule_matmul(b: ChannelBuilder, node: Node) -> None:
    a, w = node.inputs
    if w.is_const:
        if w.const.ndim != 2:
            b.barrier_inputs(node, f"constant B of rank {w.const.ndim} (only 2-D weights are pruned)")
            return
        ta = _consumer_input(b, node, len(a.shape) - 1)
        if ta is not None:
            b.slice_track(ta, node, 1, 0, "weight")
        t = b.new_track(node.output, (len(node.output.shape) - 1,))
        b.slice_track(t, node, 1, 1, "weight")
        return
    if a.is_const:
        b.barrier_inputs(node, "constant A operand")
        return
    _matmul_activations(b, node)


def _roles(t: Track, rank: int, out_rank: int, is_a: bool) -> list:
    roles = []
    for ax in t.axes:
        if ax < rank - 2:
            roles.append(("batch", ax + out_rank - rank))
        elif ax == rank - 2:
            roles.append("M" if is_a else "K")
        else:
            roles.append("K" if is_a else "N")
    return roles


def _matmul_activations(b: ChannelBuilder, node: Node) -> None:
    """Attention-style MatMul of two activations: heads (batch channel axes) go whole."""
    (a, bb), out = node.inputs, node.output
    ta, tb = b.track(a), b.track(bb)
    if ta is None and tb is None:
        return
    if ta is None or tb is None:
        b.barrier_inputs(node, "one operand has no channel space")
        return
    r = len(out.shape)
    ra, rb = _roles(ta, len(a.shape), r, True), _roles(tb, len(bb.shape), r, False)
    batch_a = [x[1] for x in ra if isinstance(x, tuple)]
    batch_b = [x[1] for x in rb if isinstance(x, tuple)]
    if batch_a or batch_b:
        if sorted(batch_a) != sorted(batch_b) or not all(
                a.shape[o - r + len(a.shape)] == bb.shape[o - r + len(bb.shape)] == out.shape[o] for o in batch_a):
            b.barrier_inputs(node, "channel batch axes of A and B do not line up")
            return
        out_axes = list(batch_a) + ([r - 2] if "M" in ra else []) + ([r - 1] if "N" in rb else [])
        t = b.new_track(out, out_axes)
        t_roles = [("batch", o) for o in batch_a] + ["other"] * (len(out_axes) - len(batch_a))
        reps: dict[tuple, int] = {}  # batch coordinates (a head) -> first element seen
        for tr, roles in ((ta, ra), (tb, rb), (t, t_roles)):
            cols = [j for j, x in enumerate(roles) if isinstance(x, tuple)]
            order = sorted(cols, key=lambda j: roles[j][1])
            for e, c in enumerate(_coords(tr)):
                key = tuple(int(c[j]) for j in order)
                b.union(reps.setdefault(key, tr.base + e), tr.base + e)
        return
    if ra == ["K"] and rb == ["K"]:
        b.union_tracks(ta, tb)  # contracted together; the output has no channel axis
    elif ra == ["M"] and rb == ["N"]:
        b.barrier_inputs(node, "both M and N are channel axes")
    elif ra == ["M"]:
        b.mark_barrier(tb, f"MatMul {node.name!r}: B's contracted axis is tracked but A's is not")
        b.alias(out, ta, (r - 2,))
    else:
        b.mark_barrier(ta, f"MatMul {node.name!r}: A's contracted axis is tracked but B's is not")
        if rb == ["N"]:
            b.alias(out, tb, (r - 1,))
        else:
            b.mark_barrier(tb, f"MatMul {node.name!r}: channel roles {ra} x {rb}")


# ---- pass-through ---------------------------------------------------------------------------
def rule_unary(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is not None:
        b.alias(node.output, t, t.axes)


def rule_channel_axis_1(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    if t.axes != (1,):
        b.mark_barrier(t, f"{node.op} {node.name!r}: channel axes {list(t.axes)} are not [1]")
        return
    b.alias(node.output, t, (1,))


def rule_batchnorm(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    if t.axes != (1,) or not all(v.is_const for v in node.inputs[1:]):
        b.mark_barrier(t, f"BatchNormalization {node.name!r}: channel axes {list(t.axes)} or non-constant params")
        return
    out = b.alias(node.output, t, (1,))
    for i, kind in enumerate(("bn_scale", "bn_bias", "bn_mean", "bn_var"), start=1):
        b.slice_track(out, node, i, 0, kind)


def rule_pad(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    pads, rank = list(node.attrs["pads"]), len(node.inputs[0].shape)
    if any(pads[a] or pads[a + rank] for a in t.axes):
        b.mark_barrier(t, f"Pad {node.name!r}: pads a channel axis")
        return
    b.alias(node.output, t, t.axes)


def rule_slice(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    x = node.inputs[0].shape
    st, sp, sz = node.attrs["starts"], node.attrs["steps"], node.attrs["sizes"]
    if any(st[a] != 0 or sp[a] != 1 or sz[a] != x[a] for a in t.axes):
        b.mark_barrier(t, f"Slice {node.name!r}: takes part of a channel axis")
        return
    b.alias(node.output, t, t.axes)


def _reduced_axes(node: Node, rank: int) -> list[int]:
    if node.op == "Softmax":
        return [int(node.attrs["axis"])]
    if node.op == "LayerNormalization":
        return list(range(int(node.attrs["axis"]), rank))
    return [int(a) for a in node.attrs.get("axes", [])] or list(range(rank))


def rule_reduce(b: ChannelBuilder, node: Node) -> None:
    """Softmax, LayerNormalization, ReduceMean/Sum/Max: fine unless they reduce over a channel axis."""
    t = b.track(node.inputs[0])
    if t is None:
        return
    axes = _reduced_axes(node, len(node.inputs[0].shape))
    if set(axes) & set(t.axes):
        b.mark_barrier(t, f"{node.op} {node.name!r}: reduces over channel axes {sorted(set(axes) & set(t.axes))}")
        return
    keep = node.op in ("Softmax", "LayerNormalization") or int(node.attrs.get("keepdims", 1))
    new_axes = t.axes if keep else tuple(a - sum(r < a for r in axes) for a in t.axes)
    b.alias(node.output, t, new_axes)


def rule_transpose(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is not None:
        perm = list(node.attrs["perm"])
        b.alias(node.output, t, tuple(perm.index(a) for a in t.axes))


def rule_reshape(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    x, y = node.inputs[0].shape, node.output.shape
    a0, a1 = t.axes[0], t.axes[-1] + 1
    if t.axes != tuple(range(a0, a1)):
        b.mark_barrier(t, f"Reshape {node.name!r}: channel axes {list(t.axes)} are not one contiguous block")
        return
    outer, c, inner = _prod(x[:a0]), _prod(x[a0:a1]), _prod(x[a1:])
    starts = [k for k in range(len(y)) if _prod(y[:k]) == outer]
    if starts:
        k0 = max(starts)  # skip leading size-1 axes
        for k1 in range(k0 + 1, len(y) + 1):  # (i) identity: channel block kept, maybe split/merged
            if _prod(y[k0:k1]) == c and _prod(y[k1:]) == inner:
                b.alias(node.output, t, tuple(range(k0, k1)))
                return
        if _prod(y[k0:]) == c * inner:  # (ii) stride: channel e -> features [e*inner, (e+1)*inner)
            out = b.new_track(node.output, tuple(range(k0, len(y))))
            for e in range(c):
                for k in range(inner):
                    b.union(t.base + e, out.base + e * inner + k)
            return
    b.mark_barrier(t, f"Reshape {node.name!r}: {list(x)} -> {list(y)} mixes channel axes {list(t.axes)}")


# ---- merges -------------------------------------------------------------------------------
def rule_merge(b: ChannelBuilder, node: Node) -> None:
    """Element-wise ops with broadcasting: full inputs share elements with the output."""
    out = node.output
    r = len(out.shape)
    tracked = [(i, v, b.track(v)) for i, v in enumerate(node.inputs) if b.track(v) is not None]
    if not tracked:
        return
    mapped = {tuple(a + r - len(v.shape) for a in t.axes) for _, v, t in tracked}
    if len(mapped) > 1:
        b.barrier_inputs(node, f"inputs have channel axes that do not line up: {sorted(mapped)}")
        return
    axes = mapped.pop()
    sizes = tuple(out.shape[a] for a in axes)
    full = [t for _, _, t in tracked if t.sizes == sizes]
    for _, v, t in tracked:
        if t.sizes != sizes:
            b.mark_barrier(t, f"{node.op} {node.name!r}: {v.name!r} is broadcast over the channels")
    if not full:
        return
    t_out = b.alias(out, full[0], axes)
    for t in full[1:]:
        b.union_tracks(t_out, t)
    for i, v in enumerate(node.inputs):
        if b.track(v) is not None:
            continue
        shift = r - len(v.shape)
        dims = [v.shape[a - shift] if a - shift >= 0 else 1 for a in axes]
        on = [j for j, (d, s) in enumerate(zip(dims, sizes)) if d == s and s > 1]
        if not on:
            continue
        if not v.is_const:
            b.mark_barrier(t_out, f"{node.op} {node.name!r}: combined with {v.name!r}, which has no channel space")
            continue
        const_axes = [axes[j] - shift for j in on]
        for e, c in enumerate(_coords(t_out)):
            b.add_slice(t_out.base + e, node, i, const_axes, [c[j] for j in on], "const")


def rule_concat(b: ChannelBuilder, node: Node) -> None:
    axis, out = int(node.attrs["axis"]), node.output
    ts = [b.track(v) for v in node.inputs]
    if all(t is None for t in ts):
        return
    if any(t is not None and axis in t.axes for t in ts):
        if any(t is not None and t.axes != (axis,) for t in ts):
            b.barrier_inputs(node, "inputs have several channel axes including the concat axis")
            return
        t_out = b.new_track(out, (axis,))
        offsets = [0] + list(accumulate(v.shape[axis] for v in node.inputs))
        for v, t, off in zip(node.inputs, ts, offsets):
            if t is None:
                for e in range(v.shape[axis]):
                    b.barrier.setdefault(t_out.base + off + e, f"Concat {node.name!r}: input {v.name!r} "
                                                                "has no channel space")
            else:
                for e in range(t.n):
                    b.union(t.base + e, t_out.base + off + e)
        return
    axes_set = {t.axes for t in ts if t is not None}
    if len(axes_set) > 1 or any(t is None for t in ts):
        b.barrier_inputs(node, "inputs do not share one channel space")
        return
    t_out = b.alias(out, ts[0], ts[0].axes)
    for t in ts[1:]:
        b.union_tracks(t_out, t)


def rule_split(b: ChannelBuilder, node: Node) -> None:
    t = b.track(node.inputs[0])
    if t is None:
        return
    axis = int(node.attrs["axis"])
    if axis not in t.axes:
        for o in node.outputs:
            b.alias(o, t, t.axes)
        return
    if t.axes != (axis,):
        b.mark_barrier(t, f"Split {node.name!r}: splits one of several channel axes")
        return
    off = 0
    for o in node.outputs:
        to = b.new_track(o, (axis,))
        for e in range(to.n):
            b.union(t.base + off + e, to.base + e)
        off += to.n


RULES = {"Conv": rule_conv, "ConvTranspose": rule_conv_transpose, "Gemm": rule_gemm, "MatMul": rule_matmul,
         "BatchNormalization": rule_batchnorm, "Pad": rule_pad, "Slice": rule_slice, "Softmax": rule_reduce,
         "LayerNormalization": rule_reduce, "ReduceMean": rule_reduce, "ReduceSum": rule_reduce,
         "ReduceMax": rule_reduce, "Transpose": rule_transpose, "Reshape": rule_reshape, "Concat": rule_concat,
         "Split": rule_split}
RULES.update({op: rule_unary for op in UNARY})
RULES.update({op: rule_merge for op in MERGE})
RULES.update({op: rule_channel_axis_1 for op in CHANNEL_AXIS_1})


def apply_rule(b: ChannelBuilder, node: Node) -> None:
    rule = RULES.get(node.op)
    if rule is None:  # unknown op (Gather, custom, ...): never guess
        b.barrier_inputs(node, "no channel rule for this op")
        return
    rule(b, node)
