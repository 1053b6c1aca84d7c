"""Accuracy on the trained MNIST fixture (1,000 test images): calibration-based (OBS + refit) selection is
not worse than magnitude at 70 % g4, and the sensitivity policy meets the global target."""
from __future__ import annotations

import pytest

from bench.sparsity_accuracy import evaluate, load_data

MARGIN = 0.005  # top-1 points (5 of 1,000 images)


@pytest.fixture(scope="module")
def data():
    return load_data()


def test_calibration_selection_not_worse_than_magnitude_at_70(data):
    mag = evaluate(0.7, "magnitude", "uniform", data=data)
    obs = evaluate(0.7, "obs", "uniform", data=data)
    assert obs["top1"] >= mag["top1"] - MARGIN, f"70% g4: obs top-1 {obs['top1']:.3f} < magnitude {mag['top1']:.3f}"
    dense = evaluate(0.0, "magnitude", "uniform", data=data)
    assert dense["top1"] >= 0.97, f"the dense fixture should be at ~0.978 top-1, got {dense['top1']:.3f}"


@pytest.mark.parametrize("selection", ["magnitude", "obs"])
def test_sensitivity_policy_meets_global_target(data, selection):
    row = evaluate(0.7, selection, "sensitivity", data=data)
    assert row["achieved"] == pytest.approx(0.7, abs=0.01), f"{selection}: achieved {row['achieved']:.4f}"
    assert len(set(row["layers"].values())) > 1, f"{selection}: sensitivity gave every layer the same sparsity"
