"""Calibration-based (OBS) selection: the refit is the least-squares solution, the layer output error
is below magnitude's, groups stay whole and exact, a bias-free conv gets a bias for the refit."""
from __future__ import annotations

import numpy as np
import pytest

from sparsecc.compiler.passes.group_sparsity import GroupSparsity
from sparsecc.compiler.passes.prune_calibration import activations
from sparsecc.compiler.passes.sparsity_groups import Layer
from sparsecc.compiler.passes.sparsity_obs import Moments, ObsSelector

from sparsity_check import MNIST, as_rows, canonical, mixed_model, mnist_data, zero_group_mask

LAYERS = ["down1/conv", "block.0/conv", "block.1/conv", "pw/conv"]


def test_refit_is_the_least_squares_fit_per_row_block():
    graph = canonical(mixed_model())
    rng = np.random.default_rng(1)
    calib = rng.standard_normal((40, 6, 9, 9)).astype(np.float32)
    fc = next(n for n in graph.nodes if n.name == "fc")
    x = activations(graph, {"x": calib}, [fc.inputs[0]])[id(fc.inputs[0])]
    lay = Layer.of(fc, 4)
    w = lay.weights()
    wa = np.concatenate([w, lay.con.bias()[:, None]], axis=1)
    sel = ObsSelector(lay, wa, Moments(lay, x), damp=1e-10)
    mask = rng.random((lay.blocks, lay.channels)) < 0.5
    new, _ = sel.refit(mask)
    z = np.concatenate([x.astype(np.float64), np.ones((len(x), 1))], axis=1)  # features + bias
    y = z @ wa.T
    for b in range(lay.blocks):
        keep = np.append(np.nonzero(~mask[b])[0], lay.channels)
        rows = slice(4 * b, 4 * b + 4)
        sol = np.linalg.lstsq(z[:, keep], y[:, rows], rcond=None)[0].T
        # the moments are float32 products summed in float64: agreement to ~1e-4 of the weights' scale
        err = np.max(np.abs(new[rows][:, keep] - sol)) / np.max(np.abs(sol))
        assert err < 1e-3, f"block {b}: refit differs from lstsq by {err:.2g} (relative)"
        assert np.all(new[rows][:, np.nonzero(mask[b])[0]] == 0.0), f"block {b}: removed weights not zero"


def _layer_error(model_graph, name, feeds, dense_out):
    node = next(n for n in model_graph.nodes if n.name == name)
    got = activations(model_graph, feeds, [node.output])[id(node.output)]
    return float(np.sum((got - dense_out) ** 2) / np.sum(dense_out ** 2))


@pytest.mark.parametrize("name", LAYERS)
def test_obs_layer_error_below_magnitude(name):
    _, _, calib = mnist_data()
    feeds = {"image": calib[:128]}
    dense = canonical(MNIST, {"image": [1, 1, 28, 28]})
    node = next(n for n in dense.nodes if n.name == name)
    dense_out = activations(dense, feeds, [node.output])[id(node.output)]
    errs = {}
    for sel in ("magnitude", "obs"):
        g = canonical(MNIST, {"image": [1, 1, 28, 28]})
        GroupSparsity(0.0, "g4", calibration=feeds, layer_sparsity={name: 0.7}, selection=sel).run(g)
        errs[sel] = _layer_error(g, name, feeds, dense_out)
    assert errs["obs"] < errs["magnitude"], f"{name} at 70% g4: obs error {errs['obs']:.4f} >= magnitude " \
                                            f"{errs['magnitude']:.4f}"


def test_obs_groups_whole_and_exact_and_bias_added():
    graph = canonical(mixed_model())
    rng = np.random.default_rng(2)
    calib = rng.standard_normal((24, 6, 9, 9)).astype(np.float32)
    p = GroupSparsity(0.6, "g4", calibration={"x": calib}, layer_sparsity={"conv2": 0.6, "fc": 0.6})
    p.run(graph)
    by = {n.name: n for n in graph.nodes}
    assert by["conv2"].input(2) is not None, "the bias-free conv got a bias for the refit"
    for name in ("conv2", "fc"):
        zero = zero_group_mask(by[name], 4)
        w3 = as_rows(by[name])
        whole = np.repeat(np.repeat(zero, 4, axis=0)[:w3.shape[0]][:, :, None], w3.shape[2], axis=2)
        assert np.array_equal(w3 == 0.0, whole), f"{name}: zeros outside whole groups after the refit"
        assert by[name].attrs["sparsity"] == pytest.approx(zero.mean())
        assert abs(zero.mean() - 0.6) <= 0.5 / zero.size + 1e-9, f"{name}: {zero.mean()}"
    assert all(r.error is not None and r.error >= 0 for r in p.report if r.status == "sparse")
