"""Shared helpers of the rearrange tests: small zoo sizes, canonical graphs, seeded feeds,
random permutations of every permutable space, and an output comparison."""
from __future__ import annotations

import numpy as np

from sparsecc import zoo
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.ir.evaluate import run_graph
from sparsecc.compiler.passes import PassManager, canonical_passes
from sparsecc.compiler.passes.rearrange import apply_permutation, permutable_spaces

SMALL = {"mobilenet_v1": dict(input_size=32, width=0.25), "mobilenet_v2": dict(input_size=32, width=0.35),
         "resnet18": dict(input_size=32, width=0.25), "mobilenet_v3_block": dict(input_size=32, width=0.5),
         "transformer_block": dict(seq=8, d_model=32, heads=4)}
TOL = 1e-5   # float reassociation: a permuted reduction may round differently


def zoo_model(name: str):
    return zoo.build(name, **SMALL[name])


def graph_of(model, canonical: bool = True):
    graph = import_onnx(model)
    if canonical:
        PassManager(canonical_passes()).run(graph)
    return graph


def feeds_for(graph, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {v.name: rng.standard_normal(v.shape).astype(np.float32) for v in graph.inputs}


def assert_same_outputs(got: dict, want: dict, what: str, tol: float = TOL) -> None:
    assert got.keys() == want.keys(), f"{what}: outputs {sorted(got)} vs {sorted(want)}"
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=tol, atol=tol,
                                   err_msg=f"{what}: output {k!r} changed by the permutation")


def constants(graph) -> dict[str, np.ndarray]:
    """Copies of every constant, keyed by the reading node and input position (stable across rewrites)."""
    return {f"{n.name}[{i}]": v.const.copy() for n in graph.nodes for i, v in enumerate(n.inputs)
            if v is not None and v.is_const}


def random_permutation(graph, seed: int) -> int:
    """Shuffle every interchangeable class group of every permutable space; returns classes moved."""
    rng = np.random.default_rng(seed)
    _, spaces, _ = permutable_spaces(graph)
    moved = 0
    for ps in spaces:
        for cids in ps.groups:
            order = rng.permutation(len(cids))
            if len(cids) > 1 and np.array_equal(order, np.arange(len(cids))):
                order = np.roll(order, 1)
            apply_permutation(graph, [cids[o] for o in order], cids, ps.layouts)
            moved += int((order != np.arange(len(cids))).sum())
    return moved


def run(graph, feeds):
    return run_graph(graph, feeds)
