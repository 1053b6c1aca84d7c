"""Permutation search of the ``rearrange`` pass: order the rows of a channel space so that the
g-pattern (G consecutive output rows x 1 input channel x kernel) keeps more weight energy.

Input: per producer layer of the space, ``[N, C]`` squared weights per (unit, input channel);
a unit is one channel class = one row in every producer. Stacked side by side they form
``F`` [N, D]. The search (building blocks in ``rearrange_refine``):

1. **starts**: the given order, the units sorted by total energy, and (when N x 256 x D is
   small) a greedy clustering under the hinge objective; the best by exact score is refined;
2. **swap refinement**: ROUNDS rounds of STEPS_PER_UNIT x N / ROUNDS steps; each step tries
   one seeded-random unit against CANDIDATES units of other blocks, scoring the exact hinge
   change of the two affected blocks, and makes the best improving swap; the survival
   thresholds are re-estimated between rounds; the best order by exact score wins.

The work is fixed by the shape (steps, candidates) and every choice comes from the seeded
generator: the same seed gives the same permutation on any machine. ``budget_s`` is only a
CPU-time safety net (seconds of this thread, so a loaded machine does not trigger it); when it
cuts, ``info["cut"]`` says so (the result may then depend on the machine's speed).

Exact scoring (``kept_energy``) zeroes the lowest-energy groups of every layer at the
target like ``group_sparsity`` with magnitude selection; the identity order is returned
unless the search beats it exactly.
"""
from __future__ import annotations

import math

import numpy as np

from .rearrange_refine import CANDIDATES, GREEDY_CANDIDATES, clock, greedy, norm_order, refine

ROUNDS = 4           # refinement rounds, each with survival thresholds from the current order
STEPS_PER_UNIT = 8   # refinement steps per unit (deterministic bound; measured in docs/rearrange.md) ...
MAX_WORK = 2 ** 25   # ... but at most this many candidate x column evaluations per search (big layers)
MODEL_WORK = 4e8     # and per pass (all searches of a model): about 2 s on one core of the dev machine
STEP_OVERHEAD = 16384   # a step's fixed cost (numpy calls) in candidate x column evaluations
GREEDY_WORK = 2e7    # greedy clustering as a start only when N x candidates x D is at most this


def block_sizes(n: int, g: int, offset: int = 0) -> list[int]:
    """Sizes of the row blocks covering ``n`` consecutive rows that start at row ``offset`` (mod G)."""
    sizes, first = [], (g - offset % g) % g
    if first:
        sizes.append(min(first, n))
    rest = n - sum(sizes)
    sizes += [g] * (rest // g) + ([rest % g] if rest % g else [])
    return sizes


def group_energy(e: np.ndarray, g: int) -> np.ndarray:
    """``e`` [M, C] row energies per input channel -> group energies [ceil(M/G), C] (consecutive rows)."""
    m = e.shape[0]
    pad = -m % g
    if pad:
        e = np.concatenate([e, np.zeros((pad, e.shape[1]), e.dtype)])
    return e.reshape(-1, g, e.shape[1]).sum(axis=1)


def n_zero_groups(n_groups: int, sparsity: float) -> int:
    """Groups zeroed per layer at ``sparsity`` (as ``sparsity_policy.uniform``)."""
    return int(round(sparsity * n_groups))


def kept_energy(e: np.ndarray, g: int, sparsity: float) -> float:
    """Energy kept when the ``sparsity`` share of lowest-energy groups of ``e`` [M, C] is zeroed."""
    ge = group_energy(e, g).ravel()
    k = n_zero_groups(ge.size, sparsity)
    if k <= 0:
        return float(ge.sum())
    return float(ge.sum() - np.partition(ge, k - 1)[:k].sum())


def threshold(e: np.ndarray, g: int, sparsity: float) -> float:
    """The energy a group of ``e`` must exceed to be kept (the k-th smallest group energy)."""
    ge = group_energy(e, g).ravel()
    k = n_zero_groups(ge.size, sparsity)
    return float(np.partition(ge, k - 1)[k - 1]) if k > 0 else -1.0


def thresholds(layers: list[np.ndarray], order, g: int, sparsity: float) -> np.ndarray:
    """Per column of ``np.hstack(layers)``, its layer's survival threshold with the units in ``order``."""
    return np.concatenate([np.full(e.shape[1], threshold(e[order], g, sparsity), np.float32) for e in layers])


def default_steps(n: int, d: int) -> int:
    """Refinement steps for ``n`` units and ``d`` columns: STEPS_PER_UNIT per unit, at most MAX_WORK
    candidate x column evaluations (a step scores CANDIDATES x D); a function of the shape only."""
    return max(n, min(STEPS_PER_UNIT * n, MAX_WORK // (min(n, CANDIDATES) * d)))


def step_plan(shapes: list[tuple[int, int]]) -> list[int]:
    """Refinement steps per search of one pass, for searches of ``(N, D)`` units x columns.

    ``default_steps`` each, scaled down together so the work (steps x (CANDIDATES x D +
    STEP_OVERHEAD)) stays within MODEL_WORK; at least N / 4 steps each. A function of the
    shapes only, so a model always gets the same plan.
    """
    steps = [default_steps(n, d) for n, d in shapes]
    work = sum(s * (min(n, CANDIDATES) * d + STEP_OVERHEAD) for s, (n, d) in zip(steps, shapes))
    scale = min(1.0, MODEL_WORK / work) if work else 1.0
    return [max(n // 4, int(s * scale)) for s, (n, _) in zip(steps, shapes)]


def search(layers: list[np.ndarray], g: int, sparsity: float, offset: int = 0, seed: int = 0,
           steps: int | None = None, budget_s: float = math.inf) -> tuple[list[int], dict]:
    """Best unit order for producer row-energy matrices ``layers`` ([N, C_l] each, rows = units).

    Returns ``(order, info)``: ``order[j]`` = the unit placed at slot j (identity if the search
    does not raise the exact kept energy); ``info``: kept energies before/after, swaps made, the
    start that won, seconds, and ``cut`` = True if the ``budget_s`` safety net stopped the search
    before its ``steps`` (default ``default_steps(N, D)``) -- only then can the result depend on speed.
    """
    n = layers[0].shape[0]
    identity = np.arange(n)
    t0 = clock()
    deadline = t0 + max(0.0, budget_s)

    def exact(order):
        return sum(kept_energy(e[order], g, sparsity) for e in layers)

    before = exact(identity)
    info = {"units": n, "kept_before": before, "kept_after": before, "swaps": 0, "status": "identity",
            "cut": False, "start": "identity"}
    if n <= 1 or sparsity <= 0 or g <= 1:
        return list(identity), info
    F = np.hstack(layers).astype(np.float32)
    rng = np.random.default_rng(seed)
    sizes = block_sizes(n, g, offset)
    steps = default_steps(n, F.shape[1]) if steps is None else int(steps)
    starts = {"identity": identity, "norm": norm_order(F)}
    if n * min(n, GREEDY_CANDIDATES) * F.shape[1] <= GREEDY_WORK:
        order = greedy(F, thresholds(layers, identity, g, sparsity), sizes, rng, deadline)
        if order is None:
            info.update(cut=True, status="the time budget cut the search")
        else:
            starts["greedy"] = order
    scored = {k: exact(o) for k, o in starts.items()}
    info["start"] = max(scored, key=lambda k: (scored[k], k == "identity"))   # ties: keep the identity
    order, best_kept = starts[info["start"]].copy(), scored[info["start"]]
    best, accepted = order.copy(), 0
    for r in range(ROUNDS):  # re-estimate the survival thresholds on the current order between rounds
        share = steps // ROUNDS + (1 if r < steps % ROUNDS else 0)
        order, acc, cut = refine(F, thresholds(layers, order, g, sparsity), order, sizes, rng, share, deadline)
        accepted += acc
        kept = exact(order)
        if kept > best_kept:  # the hinge is a local estimate: keep the best order by the exact score
            best, best_kept = order.copy(), kept
        if cut:
            info.update(cut=True, status="the time budget cut the search")
            break
    info.update(swaps=accepted, seconds=round(clock() - t0, 3))
    if best_kept > before:
        info.update(kept_after=best_kept, status="permuted")
        return [int(o) for o in best], info
    return list(identity), info
