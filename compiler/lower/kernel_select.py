"""Per-node kernel choice for a target: the first applicable fast kernel, else "ref".

Order of preference: specs are tried in registration order
(``kernel_specs``); a spec whose micro-kernels all have a row for the target's
SIMD arch wins over one that only has scalar rows (e.g. on x86-64 the 6x16
AVX2 tile beats an 8x8 tile that exists here only as its scalar fallback).

``mode`` (or ``$SPARSECC_KERNELS``): "fast" (default) or "ref" (reference
kernels everywhere, for comparisons and debugging).
"""
from __future__ import annotations

import os

from ..errors import CompileError
from ..ir import Graph, Node
from .kernel_specs import KernelSpec, Packed, specs_for_op
from .targets import Target

MODES = ("fast", "ref")


def kernel_mode(mode: str | None = None) -> str:
    mode = mode or os.environ.get("SPARSECC_KERNELS") or "fast"
    if mode not in MODES:
        raise CompileError(f"unknown kernel mode {mode!r} (from argument or SPARSECC_KERNELS); "
                           f"known: {', '.join(MODES)}")
    return mode


def _applies(spec: KernelSpec, node: Node) -> bool:
    try:
        return bool(spec.applies(node))
    except Exception as e:  # a spec must answer, not crash: report which one
        raise CompileError(f"node {node.name!r} ({node.op}): kernel spec {spec.name!r} failed "
                           f"to decide applicability: {type(e).__name__}: {e}") from e


def choose_spec(node: Node, target: Target, mode: str | None = None) -> KernelSpec | None:
    """The spec chosen for ``node`` on ``target`` (None = reference kernel)."""
    if kernel_mode(mode) == "ref":
        return None
    fallback = None
    for spec in specs_for_op(node.op):
        if not spec.available_on(target.archs):
            continue
        if not _applies(spec, node):
            continue
        if target.simd is None or spec.available_on((target.simd,)):
            return spec
        if fallback is None:
            fallback = spec
    return fallback


def select_kernel(node: Node, graph: Graph, target: Target,
                  mode: str | None = None) -> tuple[str, Packed | None]:
    """(kernel name, packed inputs/attrs or None) for ``node``."""
    spec = choose_spec(node, target, mode)
    if spec is None:
        return "ref", None
    if spec.pack is None:
        return spec.name, None
    try:
        packed = spec.pack(node, graph)
    except CompileError:
        raise
    except Exception as e:
        raise CompileError(f"node {node.name!r} ({node.op}): packing for kernel {spec.name!r} failed: "
                           f"{type(e).__name__}: {e}") from e
    if not isinstance(packed, Packed):
        raise CompileError(f"node {node.name!r} ({node.op}): kernel spec {spec.name!r} pack returned "
                           f"{type(packed).__name__}, not Packed")
    return spec.name, packed
