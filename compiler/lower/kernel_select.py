"""Per-node kernel choice for a target: the first applicable fast kernel, else "ref".

Order of preference: specs are tried in registration order
(``kernel_specs``); a spec whose micro-kernels all have a row for the target's
SIMD arch wins over one that only has scalar rows (e.g. on x86-64 the 6x16
AVX2 tile beats an 8x8 tile that exists here only as its scalar fallback), and
among SIMD archs the target's preference order decides (``host`` on an AVX-512
CPU: the 12x32 AVX-512 tile before the 6x16 AVX2 one).

``mode`` (or ``$SPARSECC_KERNELS``): "fast" (default) or "ref" (reference
kernels everywhere, for comparisons and debugging).

Sparse kernels (families ``spmm`` and ``spmv``) are never picked by that order: where one
applies, ``cost_model.decide`` compares it with the dense choice (estimated
times from the node's actual zero groups), or with ``tune`` on the host both
are timed (``tune.py``). ``select_kernel_explained`` also returns the reason.
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
    # rank 0..len(simd)-1: all micro-kernels have a row for that SIMD arch (or a
    # better one); len(simd): only scalar rows for some. Lowest rank wins, then
    # registration order.
    simd = target.simd_archs
    best, best_rank = None, len(simd) + 1
    for spec in specs_for_op(node.op):
        if _is_sparse(spec) or not spec.available_on(target.archs):
            continue
        if not _applies(spec, node):
            continue
        rank = next((i for i in range(len(simd)) if spec.available_on(simd[:i + 1])), len(simd))
        if rank < best_rank:
            best, best_rank = spec, rank
        if rank == 0:
            break
    return best


def _is_sparse(spec: KernelSpec) -> bool:
    from .kernel_specs.spmm import is_sparse_spec

    return is_sparse_spec(spec)


def _kernel_arch(spec: KernelSpec, target: Target) -> str:
    """The first of the target's archs (SIMD preferred) that has every micro-kernel of ``spec``."""
    return next((a for a in target.archs if spec.available_on((a,))), "scalar")


def _sparse_candidates(node: Node, target: Target) -> dict[int, KernelSpec]:
    from .kernel_specs.spmm import pattern_of

    return {pattern_of(s): s for s in specs_for_op(node.op)
            if _is_sparse(s) and s.available_on(target.archs) and _applies(s, node)}


def select_kernel_explained(node: Node, graph: Graph, target: Target, mode: str | None = None,
                            tune: bool = False, force: dict | None = None
                            ) -> tuple[str, Packed | None, str]:
    """(kernel name, packed inputs/attrs or None, reason) for ``node``. The reason
    is "" unless a dense/sparse decision was made (then e.g. "sparse: 70% g4, est
    0.31 ms vs dense 0.92 ms"). ``force`` maps node names to spec names (tuning)."""
    if force and node.name in force:
        spec = next((s for s in specs_for_op(node.op) if s.name == force[node.name]), None)
        if spec is None:
            raise CompileError(f"node {node.name!r}: no kernel spec {force[node.name]!r} for {node.op}")
        return (*_pack(spec, node, graph), "forced")
    spec = choose_spec(node, target, mode)
    reason = ""
    if kernel_mode(mode) == "fast":
        sparse = _sparse_candidates(node, target)
        if sparse:
            from .cost_model import decide

            arch = _kernel_arch(next(iter(sparse.values())), target)
            d = decide(node, spec.name if spec else None, {g: s.name for g, s in sparse.items()}, arch, target.name)
            if d is not None:
                reason = d.reason
                if tune and target.name == "host" and len(d.estimates) > 1:
                    from .tune import tune_choice

                    name, reason = tune_choice(node, graph, [e.kernel for e in d.estimates], d.reason)
                else:
                    name = d.kernel
                spec = next((s for s in specs_for_op(node.op) if s.name == name), None)
    if spec is None:
        return "ref", None, reason
    return (*_pack(spec, node, graph), reason)


def select_kernel(node: Node, graph: Graph, target: Target,
                  mode: str | None = None) -> tuple[str, Packed | None]:
    """(kernel name, packed inputs/attrs or None) for ``node``."""
    name, packed, _ = select_kernel_explained(node, graph, target, mode)
    return name, packed


def _pack(spec: KernelSpec, node: Node, graph: Graph) -> tuple[str, Packed | None]:
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
