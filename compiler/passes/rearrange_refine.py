"""Building blocks of the ``rearrange`` permutation search: the hinge objective, greedy
clustering and the swap refinement (driven by ``rearrange_search.search``).

Objective (the *hinge*): per column (input channel of a producer), ``max(block energy - tau, 0)``
summed over the G-unit blocks, with ``tau`` the layer's survival threshold in the current order.
The exact score of a layer (the sum of its ``m`` largest group energies) equals
``min over t of m*t + sum(max(s - t, 0))``, attained at t = the threshold, so at fixed ``tau``
a small move changes the exact score by about the hinge's change (envelope theorem). The
first version counted a group's whole energy once it crossed ``tau``; that over-rewards a move
whose gain the exact score takes back (the group it pushes out of the kept set is not counted),
and at equal work the hinge closes about 1.5x as much of the g4-g1 gap (docs/rearrange.md).

Everything here is bounded by step counts and draws every choice from the seeded generator, so
the result depends on the seed and the data, not on the machine's speed; a CPU-time
``deadline`` is only a safety net (``search`` reports when it cut).
"""
from __future__ import annotations

import time

import numpy as np

CANDIDATES = 64    # partner units scored per refinement step (a seeded sample when more exist)
GREEDY_CANDIDATES = 256   # units scored per greedy pick
# the safety-net clock: CPU time of the compiling thread, so a loaded machine does not cut the search
clock = time.thread_time
EPS = 1e-6         # a swap must raise the two blocks' hinge by more than EPS x their value (float32 noise)


def hinge(s: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Hinge score of block sums ``s`` [..., D] at thresholds ``tau`` [D]."""
    return np.maximum(s - tau, 0.0).sum(axis=-1)


def norm_order(F: np.ndarray) -> np.ndarray:
    """Units by decreasing total energy (ties by index): blocks of similar-norm units, a cheap start."""
    return np.argsort(-F.astype(np.float64).sum(axis=1), kind="stable")


def greedy(F: np.ndarray, tau: np.ndarray, sizes: list[int], rng: np.random.Generator,
           deadline: float) -> np.ndarray | None:
    """Greedy clustering; the unit order (blocks concatenated), or None past the deadline.

    Blocks are filled in order: each starts from the remaining unit with the most energy and
    takes, one at a time, the unit that raises the block's hinge most (out of up to
    GREEDY_CANDIDATES, a seeded sample), so units whose large weights share input channels group.
    """
    n = F.shape[0]
    remaining = np.ones(n, bool)
    total = F.sum(axis=1)
    order: list[int] = []
    for size in sizes:
        if clock() > deadline:
            return None
        free = np.flatnonzero(remaining)
        first = int(free[np.argmax(total[free])])
        block, acc = [first], F[first].copy()
        remaining[first] = False
        for _ in range(size - 1):
            free = np.flatnonzero(remaining)
            cand = free if free.size <= GREEDY_CANDIDATES else \
                np.sort(rng.choice(free, GREEDY_CANDIDATES, replace=False))
            pick = int(cand[int(np.argmax(hinge(acc[None, :] + F[cand], tau)))])
            block.append(pick)
            acc += F[pick]
            remaining[pick] = False
        order += block
    return np.array(order)


def refine(F: np.ndarray, tau: np.ndarray, order: np.ndarray, sizes: list[int], rng: np.random.Generator,
           steps: int, deadline: float) -> tuple[np.ndarray, int, bool]:
    """Swap refinement; returns (order, accepted swaps, cut by the deadline).

    Each step takes a random unit and scores, in one vectorised pass, swapping it with up to
    CANDIDATES random units of other blocks: the exact change of the two affected blocks' hinge.
    The best swap is made if it gains more than EPS (relative). ``steps`` steps, or the deadline.
    """
    order = np.array(order)
    if len(sizes) < 2:
        return order, 0, False
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    block_of = np.repeat(np.arange(len(sizes)), sizes)
    sums = np.stack([F[order[a:b]].sum(axis=0) for a, b in zip(starts[:-1], starts[1:])])
    score = hinge(sums, tau)
    accepted, n = 0, len(order)
    for step in range(steps):
        if step % 64 == 0 and clock() > deadline:
            return order, accepted, True
        i = int(rng.integers(0, n))
        a = block_of[i]
        cand = rng.choice(n, min(n, CANDIDATES), replace=False)
        cand = cand[block_of[cand] != a]
        if cand.size == 0:
            continue
        d = F[order[cand]] - F[order[i]]                  # what block a gains, block b loses
        b = block_of[cand]
        gain = hinge(sums[a] + d, tau) + hinge(sums[b] - d, tau) - score[a] - score[b]
        k = int(np.argmax(gain))
        if gain[k] <= EPS * (score[a] + score[b[k]]) + 1e-30:
            continue
        j, bk = int(cand[k]), int(b[k])
        sums[a] += d[k]
        sums[bk] -= d[k]
        score[a], score[bk] = hinge(sums[a], tau), hinge(sums[bk], tau)
        order[i], order[j] = order[j], order[i]
        accepted += 1
    return order, accepted, False
