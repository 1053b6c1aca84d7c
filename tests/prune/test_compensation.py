"""OBS closed form and consumer compensation: exact on small cases, and it reduces the error it targets."""
import os

import numpy as np
import pytest

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.passes.channel_space import analyze_channels
from sparsecc.compiler.passes.group_prune import select
from sparsecc.compiler.passes.prune_calibration import activations
from sparsecc.compiler.passes.prune_compensate import add_zero_biases, compensate, zero_classes
from sparsecc.compiler.passes.prune_consumers import ChannelStats, find_consumers
from sparsecc.compiler.passes.prune_criteria import l2
from sparsecc.compiler.passes.prune_moments import channel_moments
from sparsecc.compiler.passes.prune_obs import channel_update, obs_update, ridge_update

FIX = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")


def _random_case(seed, m=5, d=9, n=400):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)) @ rng.standard_normal((d, d))  # correlated features
    w = rng.standard_normal((m, d))
    return w, x, x.T @ x / n


@pytest.mark.parametrize("seed,q", [(0, [1]), (1, [0, 4, 5]), (2, [8, 2])])
def test_obs_closed_form_equals_least_squares_refit_of_the_kept_columns(seed, q):
    w, x, h = _random_case(seed)
    keep = np.setdiff1d(np.arange(w.shape[1]), q)
    got = obs_update(w, h, q, damp=0.0)
    assert np.abs(got[:, q]).max() < 1e-8, f"removed columns {q} not zeroed"
    lsq = np.linalg.lstsq(x[:, keep], x @ w.T, rcond=None)[0].T  # min ||X Wᵀ - X_K W_Kᵀ||
    np.testing.assert_allclose(got[:, keep], lsq, rtol=1e-6, atol=1e-8, err_msg=f"seed {seed}, Q={q}")
    # damped: the closed form equals the ridge fit shrunk towards W
    for damp in (1e-3, 0.1):
        np.testing.assert_allclose(obs_update(w, h, q, damp), ridge_update(w, h, h, keep, damp),
                                   rtol=1e-9, atol=1e-10, err_msg=f"seed {seed}, Q={q}, damp {damp}")


def test_obs_update_with_no_removed_columns_changes_nothing():
    w, _, h = _random_case(3)
    assert np.array_equal(obs_update(w, h, []), w)


def test_data_free_update_keeps_weights_and_moves_the_removed_mean_into_the_bias():
    rng = np.random.default_rng(4)
    c, taps, m = 6, 4, 3
    stats = ChannelStats.from_moments(rng.uniform(0.1, 1.0, c), rng.uniform(0.2, 2.0, c))
    w, b = rng.standard_normal((m, c * taps)), rng.standard_normal(m)
    keep = np.array([0, 2, 3, 5])
    new_w, new_b = channel_update(w, b, taps, stats, stats, stats.cov, keep)
    w3, n3 = w.reshape(m, c, taps), new_w.reshape(m, c, taps)
    np.testing.assert_allclose(n3[:, keep], w3[:, keep], rtol=1e-12)
    assert np.abs(n3[:, [1, 4]]).max() == 0
    mean_out = w3.sum(2) @ stats.mean + b  # E[y] of the dense layer is preserved
    np.testing.assert_allclose(n3.sum(2)[:, keep] @ stats.mean[keep] + new_b, mean_out, rtol=1e-10)


def test_data_free_second_moment_is_symmetric_psd_on_the_mnist_fixture():
    graph = import_onnx(os.path.join(FIX, "mnist_cnn.onnx"))
    moments = channel_moments(graph)
    cons = find_consumers(analyze_channels(graph), graph)
    assert len(cons) >= 4
    for con in cons:
        assert id(con.x) in moments, f"no BN statistics reach consumer {con.node.name}"
        h = ChannelStats.from_moments(*moments[id(con.x)]).second_moment(con.taps)
        assert np.array_equal(h, h.T), con.node.name
        assert np.linalg.eigvalsh(h).min() > -1e-9 * np.abs(h).max(), f"H of {con.node.name} is not PSD"


@pytest.fixture(scope="module")
def mnist():
    d = np.load(os.path.join(FIX, "mnist_data.npz"))
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return {"image": prep(d["calib_x"][:128])}, {"image": prep(d["test_x"][:128])}


def _pruned_dense(calibration):
    """The fixture with 30% (l2) of every layer's classes zeroed, compensated or not; consumer output errors."""
    graph = import_onnx(os.path.join(FIX, "mnist_cnn.onnx"))
    add_zero_biases(graph)
    analysis = analyze_channels(graph)
    removed = select(analysis, l2(analysis, graph), 0.3)
    cons = find_consumers(analysis, graph)
    return graph, analysis, removed, [c.node.output for c in cons]


@pytest.mark.parametrize("which", ["calibration", "held-out"])
def test_compensation_reduces_every_consumers_output_error(mnist, which):
    calib, test = mnist
    feeds = calib if which == "calibration" else test
    errors = {}
    for comp in (False, True):
        graph, analysis, removed, outs = _pruned_dense(calib)
        dense = activations(graph, feeds, outs)
        if comp:
            compensate(graph, analysis, removed, calib)
        else:
            zero_classes(analysis, removed)
        got = activations(graph, feeds, outs)
        errors[comp] = {v.producer.name: float(np.mean((got[id(v)] - dense[id(v)]) ** 2) / np.mean(dense[id(v)] ** 2))
                        for v in outs}
    for name in errors[True]:
        assert errors[True][name] < errors[False][name], \
            f"{which}: consumer {name} error {errors[True][name]:.4f} with compensation vs {errors[False][name]:.4f}"


def test_compensation_with_nothing_removed_changes_no_weight(mnist):
    graph, analysis, _, _ = _pruned_dense(mnist[0])
    before = {id(n): [v.const.copy() for v in n.inputs if v is not None and v.is_const] for n in graph.nodes}
    assert compensate(graph, analysis, [], mnist[0]) == []
    for n in graph.nodes:
        after = [v.const for v in n.inputs if v is not None and v.is_const]
        assert all(np.array_equal(a, b) for a, b in zip(after, before[id(n)])), n.name
