"""The sensitivity policy's allocation: optimal on convex curves (checked by brute force), meets the
budget, favours layers whose error curve stays flat."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from sparsecc.compiler.passes.sparsity_policy import Curve, allocate, grid


def convex_curve(rng, steps=5, step_groups=2, wpg=1.0) -> Curve:
    inc = np.sort(rng.random(steps))  # increasing increments -> convex
    return Curve([step_groups * i for i in range(steps + 1)], [0.0] + list(np.cumsum(inc)), wpg)


@pytest.mark.parametrize("seed", range(6))
def test_allocation_matches_brute_force_on_convex_curves(seed):
    rng = np.random.default_rng(seed)
    curves = {f"l{i}": convex_curve(rng) for i in range(3)}
    budget = 2 * int(rng.integers(1, 14))  # a sum of grid steps, so the optimum lies on grid points
    got = allocate(curves, budget)
    assert sum(got.values()) == budget, f"allocated {got}, budget {budget}"
    cost = sum(np.interp(got[n], c.groups, c.errors) for n, c in curves.items())
    best = min(sum(c.errors[j] for c, j in zip(curves.values(), combo))
               for combo in itertools.product(range(6), repeat=3)
               if sum(c.groups[j] for c, j in zip(curves.values(), combo)) == budget)
    assert cost <= best + 1e-12, f"seed {seed}: allocation {got} costs {cost}, brute force finds {best}"


def test_flat_layer_gets_the_sparsity():
    flat = Curve([0, 50, 80, 100], [0.0, 0.001, 0.01, 1.0], 1.0)      # knee at 80 %
    steep = Curve([0, 50, 80, 100], [0.0, 0.3, 0.6, 1.0], 1.0)
    got = allocate({"flat": flat, "steep": steep}, 100)  # global 50 %
    assert got == {"flat": 80, "steep": 20}, got


def test_budget_met_within_a_group_with_uneven_group_sizes():
    rng = np.random.default_rng(3)
    curves = {"a": convex_curve(rng, 5, 7, 9.0), "b": convex_curve(rng, 5, 3, 4.0)}
    total = 35 * 9.0 + 15 * 4.0
    for frac in (0.1, 0.33, 0.5, 0.77):
        got = allocate(curves, frac * total)
        zeroed = got["a"] * 9.0 + got["b"] * 4.0
        assert abs(zeroed - frac * total) <= 9.0, f"{frac}: {got} zeroes {zeroed} of budget {frac * total}"


def test_grid_is_increasing_and_reaches_the_cap():
    ks = grid(40, 0.95)
    assert ks == sorted(set(ks)) and ks[0] > 0 and ks[-1] == 38, ks
    assert grid(3, 0.95) == [1, 2, 3], grid(3, 0.95)  # 0.2·3 rounds to 1, 0.5·3 to 2, 0.9·3 to 3
