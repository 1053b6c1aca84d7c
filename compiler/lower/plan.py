"""Lowering: IR graph -> Plan (what the model file stores).

Per node it chooses a kernel the target has (``kernel_select``: the first
applicable fast kernel, packing its weights, else "ref"; dense vs sparse by
the cost model, or measured with ``tune``), gives every tensor an id, puts
constants in the weight blob (64-byte aligned) and activations in the arena
(``memory_plan``), and types every attribute from the op's schema.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Value
from ..ir.ops import get as get_op
from ..ir.ops.registry import FLOAT, FLOATS, INT, INTS, STRING
from .memory_plan import align, plan_memory
from .kernel_select import select_kernel_explained
from .targets import get_target

ACTIVATION, CONSTANT = 0, 1


@dataclass
class PlanTensor:
    name: str
    shape: tuple[int, ...]
    kind: int                       # ACTIVATION or CONSTANT
    offset: int                     # arena offset or blob offset
    nbytes: int
    data: np.ndarray | None = None  # constants only


@dataclass
class PlanNode:
    name: str
    op: str
    kernel: str
    inputs: list[int | None]
    outputs: list[int]
    attrs: list[tuple[str, str, object]]   # (key, type, value) with type in ints/floats/string
    reason: str = ""                        # why this kernel (dense/sparse decisions); also attr kernel_reason


@dataclass
class Plan:
    target: str
    tensors: list[PlanTensor] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    nodes: list[PlanNode] = field(default_factory=list)
    arena_size: int = 0
    naive_arena_size: int = 0
    blob_size: int = 0

    @property
    def weight_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors if t.kind == CONSTANT)


# Informational attributes (docs/model-format.md): written with a fixed type
# whatever the op's schema says; every runtime kernel ignores them.
INFO_ATTR_TYPES = {"sparsity": FLOAT, "sparsity_pattern": STRING, "kernel_reason": STRING}


def _typed_attrs(node) -> list[tuple[str, str, object]]:
    schema = get_op(node.op).attrs
    out = []
    for key in sorted(node.attrs):
        typ = INFO_ATTR_TYPES[key] if key in INFO_ATTR_TYPES else schema[key][0]
        val = node.attrs[key]
        if typ == INT:
            out.append((key, INTS, [int(val)]))
        elif typ == FLOAT:
            out.append((key, FLOATS, [float(val)]))
        elif typ == INTS:
            out.append((key, INTS, [int(x) for x in val]))
        elif typ == FLOATS:
            out.append((key, FLOATS, [float(x) for x in val]))
        elif typ == STRING:
            out.append((key, STRING, str(val)))
        else:  # pragma: no cover - schema types are fixed
            raise CompileError(f"{node.name}: attribute {key} has unknown type {typ}")
    return out


def _packed_attrs(node, extra: dict) -> list[tuple[str, str, object]]:
    out = [a for a in _typed_attrs(node) if a[0] not in extra]
    for key in sorted(extra):
        typ, val = extra[key]
        if typ not in (INTS, FLOATS, STRING):
            raise CompileError(f"{node.name}: packed attribute {key} has unknown type {typ!r}")
        out.append((key, typ, val))
    return sorted(out, key=lambda a: a[0])


def lower(graph: Graph, target: str = "host", kernels: str | None = None, tune: bool = False,
          force: dict[str, str] | None = None) -> Plan:
    """``kernels``: "fast" (default, or ``$SPARSECC_KERNELS``) or "ref".

    ``tune``: where dense and sparse kernels both apply, time them on this
    machine and keep the faster (target "host" only; elsewhere the cost model
    decides). ``force``: {node name: kernel spec name}, bypassing the choice
    (used by tuning). A node whose kernel was chosen between dense and sparse
    gets the attribute ``kernel_reason`` (the plan node's ``reason``)."""
    tgt = get_target(target)
    if tune and target != "host":
        raise CompileError(f"tune measures kernels on this machine; it needs target 'host', not {target!r}")
    plan = Plan(target=target)
    mem = plan_memory(graph)
    plan.arena_size, plan.naive_arena_size = mem.arena_size, mem.naive_size
    ids: dict[int, int] = {}
    keep_alive: list = []
    blob = 0

    def tensor_id(v: Value) -> int:
        nonlocal blob
        if id(v) in ids:
            return ids[id(v)]
        if v.is_const:
            if v.dtype != np.float32:
                data = v.const.astype(np.float32)
                if not np.array_equal(data.astype(v.dtype), v.const):
                    raise CompileError(f"constant {v.name!r} of dtype {v.dtype.name} is read at run time "
                                       "and cannot be represented as float32")
            else:
                data = v.const
            data = np.ascontiguousarray(data, dtype="<f4")
            t = PlanTensor(v.name, v.shape, CONSTANT, blob, data.nbytes, data)
            blob = align(blob + max(data.nbytes, 1))
        else:
            t = PlanTensor(v.name, v.shape, ACTIVATION, mem.offsets[id(v)], v.nbytes)
        if any(d < 1 for d in v.shape):
            raise CompileError(f"tensor {v.name!r} has a zero-size dim {list(v.shape)}; not supported")
        ids[id(v)] = len(plan.tensors)
        plan.tensors.append(t)
        return ids[id(v)]

    plan.inputs = [tensor_id(v) for v in graph.inputs]
    for node in graph.nodes:
        kernel, packed, reason = select_kernel_explained(node, graph, tgt, kernels, tune=tune, force=force)
        if packed is not None:
            keep_alive.append(packed)  # ids[] is keyed by id(): packed Values must outlive lowering
        inputs = node.inputs if packed is None else packed.inputs
        attrs = _typed_attrs(node) if packed is None else _packed_attrs(node, packed.attrs)
        if reason and reason != "forced":
            attrs = sorted([a for a in attrs if a[0] != "kernel_reason"] + [("kernel_reason", STRING, reason)],
                           key=lambda a: a[0])
        plan.nodes.append(PlanNode(node.name, node.op, kernel,
                                   [None if v is None else tensor_id(v) for v in inputs],
                                   [tensor_id(v) for v in node.outputs], attrs, reason))
    plan.outputs = [tensor_id(v) for v in graph.outputs]
    plan.blob_size = blob
    return plan
