"""Data-based criteria (activation, taylor, obs), calibration input checks, and the MNIST accuracy regression."""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.passes.channel_space import analyze_channels
from sparsecc.compiler.passes.group_prune import GroupPrune
from sparsecc.compiler.passes.prune_calibration import load_calibration
from sparsecc.compiler.passes.prune_criteria import score

FIX = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
MODEL = os.path.join(FIX, "mnist_cnn.onnx")
BATCH = 250


def _data():
    d = np.load(os.path.join(FIX, "mnist_data.npz"))
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return prep(d["test_x"]), d["test_y"], prep(d["calib_x"])


def _top1(graph, x, y) -> float:
    sess = sparsecc.InferenceSession(sparsecc.compile(export_onnx(graph)))
    preds = np.concatenate([sess.run(None, {"image": x[i:i + BATCH]})[0].argmax(1) for i in range(0, len(x), BATCH)])
    return float((preds == y).mean())


@pytest.mark.parametrize("criterion", ["activation", "taylor", "obs"])
@pytest.mark.parametrize("calibrated", [False, True])
def test_data_criteria_score_every_prunable_class(criterion, calibrated):
    graph = import_onnx(MODEL)
    analysis = analyze_channels(graph)
    calib = {"image": _data()[2][:32]} if calibrated else None
    scores = score(analysis, graph, criterion, calib)
    assert sorted(scores) == sorted(analysis.prunable), criterion
    vals = np.array(list(scores.values()))
    assert np.isfinite(vals).all() and (vals >= 0).all() and vals.std() > 0, f"{criterion}: {vals[:8]}"


def test_taylor_ranks_a_channel_no_consumer_reads_lowest():
    graph = import_onnx(MODEL)
    analysis = analyze_channels(graph)
    head = next(n for n in graph.nodes if n.op == "Gemm")
    w = head.inputs[1].const.copy()
    w[:, 5] = 0  # the classifier ignores pooled channel 5 of the last conv
    head.inputs[1].const = w
    cid = int(analysis.class_of(head.inputs[0])[5])
    space = analysis.spaces[analysis.classes[cid].space]
    scores = score(analysis, graph, "taylor", {"image": _data()[2][:32]})
    assert min(space.prunable(analysis), key=scores.get) == cid


@pytest.mark.parametrize("source,message", [
    ({"pixels": np.zeros((4, 1, 28, 28), np.float32), "other": np.zeros(3)}, "do not match the model inputs"),
    ({"image": np.zeros((4, 28, 28), np.float32)}, "shape [4, 28, 28], expected [N, 1, 28, 28]"),
    ({"image": np.zeros((4, 1, 28, 27), np.float32)}, "expected [N, 1, 28, 28]"),
    ({"image": np.full((2, 1, 28, 28), np.nan, np.float32)}, "NaN"),
    ("/nonexistent/calib.npz", "does not exist"),
])
def test_bad_calibration_is_a_clear_error(source, message):
    graph = import_onnx(MODEL)
    with pytest.raises(CompileError, match=None) as e:
        load_calibration(source, graph)
    assert message in str(e.value) and ("image" in str(e.value) or "calib" in str(e.value)), str(e.value)


def test_calibration_npz_with_one_unnamed_array_is_accepted(tmp_path):
    graph = import_onnx(MODEL)
    p = tmp_path / "c.npz"
    np.savez(p, np.zeros((3, 1, 28, 28), np.uint8))
    feeds = load_calibration(p, graph)
    assert feeds["image"].shape == (3, 1, 28, 28) and feeds["image"].dtype == np.float32


def test_obs_compensated_with_calibration_beats_l2_at_30_percent_on_mnist():
    """The report's metric: top-1 on the 1,000 held-out images, no fine-tuning."""
    x, y, calib = _data()
    got = {}
    for name, kwargs in (("l2", dict(criterion="l2")),
                         ("obs+comp", dict(criterion="obs", calibration={"image": calib}, compensate=True))):
        graph = import_onnx(MODEL, input_shapes={"image": [BATCH, 1, 28, 28]})
        GroupPrune(0.3, **kwargs).run(graph)
        got[name] = _top1(graph, x, y)
    assert got["obs+comp"] >= got["l2"], got
    assert got["obs+comp"] >= 0.95, f"obs with calibrated compensation at 30%: {got}"


def test_compile_prune_channels_api_and_cli(tmp_path):
    x, y, calib = _data()
    dense = sparsecc.compile(MODEL, input_shapes={"image": [BATCH, 1, 28, 28]})
    pruned = sparsecc.compile(MODEL, input_shapes={"image": [BATCH, 1, 28, 28]}, prune_channels=0.3,
                              prune_criterion="obs")
    assert pruned.plan.weight_bytes < 0.8 * dense.plan.weight_bytes
    assert pruned.pass_results[0].name == "group_prune" and pruned.pass_results[0].modified
    out = sparsecc.InferenceSession(pruned).run(None, {"image": x[:BATCH]})[0]
    assert out.shape == (BATCH, 10) and np.isfinite(out).all()
    np.savez(tmp_path / "calib.npz", image=calib[:64])
    r = CliRunner().invoke(app, ["compile", MODEL, "-o", str(tmp_path / "m.scc"), "--prune-channels", "0.3",
                                 "--prune-criterion", "obs", "--calib", str(tmp_path / "calib.npz"), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["passes"][0]["name"] == "group_prune" and (tmp_path / "m.scc").exists()


def test_prune_cli_with_calibration_keeps_the_symbolic_batch(tmp_path):
    np.savez(tmp_path / "calib.npz", image=_data()[2][:64])
    out = tmp_path / "p.onnx"
    r = CliRunner().invoke(app, ["prune", MODEL, "-o", str(out), "--ratio", "0.3", "--criterion", "taylor",
                                 "--calib", str(tmp_path / "calib.npz"), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["compensated"], "with --calib compensation is on by default"
    model = onnx.load(out)
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert sess.run(None, {"image": _data()[0][:3]})[0].shape == (3, 10)


def test_prune_cli_bad_calibration_is_a_one_line_error(tmp_path):
    np.savez(tmp_path / "calib.npz", pixels=np.zeros((4, 1, 28, 28), np.float32), other=np.zeros(2))
    r = CliRunner().invoke(app, ["prune", MODEL, "-o", str(tmp_path / "p.onnx"), "--calib",
                                 str(tmp_path / "calib.npz")])
    assert r.exit_code == 1 and "error:" in r.output and "model inputs" in r.output, r.output
    assert not (tmp_path / "p.onnx").exists()
