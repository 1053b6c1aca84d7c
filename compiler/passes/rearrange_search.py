"""Permutation search of the ``rearrange`` pass: order the rows of a channel space so that the
g-pattern (G consecutive output rows x 1 input channel x kernel) keeps more weight energy.

Input: ``F`` [N, D] = per unit (one channel class of the space, one row in every scoring
producer layer) the squared weights per input channel of every producer, side by side
(``D`` = sum of the producers' input channels), and ``tau`` [D] = per column the energy a
group needs to survive at the target sparsity (the k-th smallest group energy of the
layer in its current order). A block of G units keeps, per column, the group energy if
it is above ``tau`` (the *proxy*); the search maximises the proxy summed over blocks:

1. **greedy clustering**: blocks are filled in order; a block starts from the
   remaining unit with the most energy and takes, one at a time, the unit whose
   energy pattern adds most to the block's proxy (units whose large weights sit on
   the same input channels end up together);
2. **bounded swap refinement**: a random unit is tried against up to CANDIDATES units of
   other blocks and the best swap that raises the two blocks' proxy is made, until
   ``max_swaps`` steps or the deadline; then, while the budget lasts, up to RESTARTS - 1
   restarts from greedy clusterings with random block seeds. The best order by exact score wins.

Exact scoring (``kept_energy``) zeroes the lowest-energy groups of every layer at the
target like ``group_sparsity`` with magnitude selection; the caller keeps the identity
order when the search does not beat it exactly. Everything is deterministic under ``seed``.
"""
from __future__ import annotations

import math
import time

import numpy as np

CANDIDATES = 256   # candidate units scored per greedy / swap step (a seeded sample when more remain)
ROUNDS = 4         # refinement rounds, each with survival thresholds from the current order
RESTARTS = 8       # greedy + refinement restarts (random block seeds) while the budget lasts


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


def _proxy(s: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Proxy kept energy of block sums ``s`` [..., D]."""
    return np.where(s > tau, s, 0.0).sum(axis=-1)


def greedy(F: np.ndarray, tau: np.ndarray, sizes: list[int], rng: np.random.Generator,
           deadline: float, random_seeds: bool = False) -> list[int] | None:
    """Greedy clustering; returns the unit order (blocks concatenated) or None past the deadline.

    Each block starts from the remaining unit with the most energy, or a random one (``random_seeds``,
    for restarts)."""
    n = F.shape[0]
    remaining = np.ones(n, bool)
    total = F.sum(axis=1)
    order: list[int] = []
    for size in sizes:
        if time.monotonic() > deadline:
            return None
        free = np.flatnonzero(remaining)
        seed_unit = int(rng.choice(free)) if random_seeds else int(free[np.argmax(total[free])])
        block, acc = [seed_unit], F[seed_unit].copy()
        remaining[seed_unit] = False
        for _ in range(size - 1):
            free = np.flatnonzero(remaining)
            cand = free if free.size <= CANDIDATES else np.sort(rng.choice(free, CANDIDATES, replace=False))
            gain = _proxy(acc[None, :] + F[cand], tau)
            pick = int(cand[int(np.argmax(gain))])
            block.append(pick)
            acc += F[pick]
            remaining[pick] = False
        order += block
    return order


def refine(F: np.ndarray, tau: np.ndarray, order: list[int], sizes: list[int], rng: np.random.Generator,
           deadline: float, max_steps: int) -> tuple[list[int], int]:
    """Bounded swap refinement; returns (order, accepted swaps).

    Each step takes a random unit and scores, in one vectorised pass, swapping it with up to
    CANDIDATES random units of other blocks (the change of the two blocks' proxy); the best
    strictly improving swap is made. Stops after ``max_steps`` steps or at ``deadline``.
    """
    order = np.array(order)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    if len(sizes) < 2:
        return list(order), 0
    block_of = np.repeat(np.arange(len(sizes)), sizes)
    sums = np.stack([F[order[a:b]].sum(axis=0) for a, b in zip(starts[:-1], starts[1:])])
    score = _proxy(sums, tau)
    accepted, n = 0, len(order)
    for step in range(max_steps):
        if step % 16 == 0 and time.monotonic() > deadline:
            break
        i = int(rng.integers(0, n))
        a = block_of[i]
        cand = rng.choice(n, min(n, CANDIDATES), replace=False)
        cand = cand[block_of[cand] != a]
        if cand.size == 0:
            continue
        d = F[order[cand]] - F[order[i]]                  # what block a gains, block b loses
        b = block_of[cand]
        gain = _proxy(sums[a] + d, tau) + _proxy(sums[b] - d, tau) - score[a] - score[b]
        k = int(np.argmax(gain))
        if gain[k] <= 1e-12 * (score[a] + score[b[k]] + 1e-30):
            continue
        j, bk = int(cand[k]), int(b[k])
        sums[a] += d[k]
        sums[bk] -= d[k]
        score[a], score[bk] = _proxy(sums[a], tau), _proxy(sums[bk], tau)
        order[i], order[j] = order[j], order[i]
        accepted += 1
    return [int(o) for o in order], accepted


def search(layers: list[np.ndarray], g: int, sparsity: float, offset: int = 0, seed: int = 0,
           budget_s: float = 10.0, max_swaps: int | None = None,
           greedy_budget_s: float | None = None) -> tuple[list[int], dict]:
    """Best unit order for producer row-energy matrices ``layers`` ([N, C_l] each, rows = units).

    Returns ``(order, info)``: ``order[j]`` = the unit placed at slot j (identity if the
    search does not raise the exact kept energy); ``info`` has the kept energies before and
    after and the work done. ``budget_s`` bounds the refinement; the greedy clustering (whose
    cost is bounded by N x CANDIDATES x D) may run until ``greedy_budget_s`` (default: the same).
    """
    n = layers[0].shape[0]
    identity = list(range(n))
    t0 = time.monotonic()
    deadline = t0 + max(0.0, budget_s)
    greedy_deadline = t0 + max(0.0, budget_s if greedy_budget_s is None else greedy_budget_s)

    def exact(order):
        return sum(kept_energy(e[order], g, sparsity) for e in layers)

    before = exact(identity)
    info = {"units": n, "kept_before": before, "kept_after": before, "swaps": 0, "status": "identity"}
    if n <= 1 or sparsity <= 0:
        return identity, info
    F = np.hstack(layers)
    rng = np.random.default_rng(seed)
    sizes = block_sizes(n, g, offset)
    best, best_kept, accepted = identity, before, 0
    steps = max_swaps if max_swaps is not None else 4 * n * max(1, int(math.log2(n)))
    for restart in range(RESTARTS):  # restarts (random block seeds) only while the budget lasts
        if restart and time.monotonic() > deadline:
            break
        tau = np.concatenate([np.full(e.shape[1], threshold(e, g, sparsity)) for e in layers])
        order = greedy(F, tau, sizes, rng, greedy_deadline if restart == 0 else deadline, restart > 0)
        if order is None:
            if restart == 0:
                info["status"] = "budget exhausted during greedy clustering"
                return identity, info
            break
        kept = exact(order)
        if kept > best_kept:
            best, best_kept = list(order), kept
        elif restart == 0:  # the greedy start is worse than the given order: refine that instead
            order = identity
        for _ in range(ROUNDS):  # re-estimate the survival thresholds on the current order between rounds
            tau = np.concatenate([np.full(e.shape[1], threshold(e[order], g, sparsity)) for e in layers])
            order, acc = refine(F, tau, order, sizes, rng, deadline, steps // ROUNDS)
            accepted += acc
            kept = exact(order)
            if kept > best_kept:  # the proxy is approximate: keep the best order by the exact score
                best, best_kept = list(order), kept
    order, after = best, best_kept
    info.update(swaps=accepted, seconds=round(time.monotonic() - t0, 3))
    if after > before:
        info.update(kept_after=after, status="permuted")
        return order, info
    return identity, info
