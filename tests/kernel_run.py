"""Helpers of the kernel end-to-end tests: seeded inputs for an ONNX model, and one
IR graph run with a chosen kernel on its node (or the reference kernels)."""
from __future__ import annotations

import numpy as np


def random_feeds(model, seed: int = 0) -> dict[str, np.ndarray]:
    """Standard-normal float32 data for the model's first input (unknown dims -> 1)."""
    x = model.graph.input[0]
    shape = [d.dim_value or 1 for d in x.type.tensor_type.shape.dim]
    return {x.name: np.random.default_rng(seed).standard_normal(shape).astype(np.float32)}


def pgemm_for(model, target: str = "host") -> str | None:
    """The pgemm kernel ``target`` runs the model's first Conv on, or None: ``pgemm-7x48``
    for a small output plane (``pgemm_applies``) on an AVX-512 target, ``pgemm-6x16`` for a
    k x k conv with K >= MIN_K (``pgemm_kxk_applies``) on an AVX2 target without AVX-512
    (where AVX-512 exists its column tiles are preferred); elsewhere pgemm has only its
    scalar rows."""
    from sparsecc.compiler.frontend.onnx import import_onnx
    from sparsecc.compiler.lower.kernel_specs.pgemm import pgemm_applies, pgemm_kxk_applies
    from sparsecc.compiler.lower.targets import get_target

    conv = next(n for n in import_onnx(model).nodes if n.op == "Conv")
    archs = get_target(target).archs
    if "avx512" in archs:
        return "pgemm-7x48" if pgemm_applies(conv) else None
    if "avx2" in archs and pgemm_kxk_applies(conv):
        return "pgemm-6x16"
    return None


def run_forced(graph, node: str, kernel: str, feeds: dict[str, np.ndarray]) -> np.ndarray:
    """Lower ``graph`` for the host with ``kernel`` forced on ``node`` ("ref": the
    reference kernels everywhere), check the plan took it, run it on 1 thread and
    return the first output."""
    from sparsecc import _runtime
    from sparsecc.compiler.artifact import serialize
    from sparsecc.compiler.lower.plan import lower

    plan = lower(graph, "host", kernels="ref") if kernel == "ref" else lower(graph, "host", force={node: kernel})
    got = next(n.kernel for n in plan.nodes if n.name == node)
    assert got == kernel, f"node {node!r} runs {got!r}, not the forced {kernel!r}"
    sess = _runtime.Session(_runtime.Model.from_bytes(serialize(plan)), 1)
    return next(iter(sess.run(feeds).values()))
