"""sparsecc compile with --sparsity/--pattern/--layer-sparsity/--calib/--export-onnx: the exported ONNX runs in
onnxruntime and matches the compiled model; bad values are one-line errors with exit code 1."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import sparsecc
from typer.testing import CliRunner

from sparsecc.cli.main import app

from ort_check import rel_err
from sparsity_check import MNIST, mnist_data


def test_compile_sparsity_exports_onnx_that_onnxruntime_matches(tmp_path):
    _, _, calib = mnist_data()
    np.savez(tmp_path / "calib.npz", image=calib[:32])
    out, exported = tmp_path / "m.scc", tmp_path / "sparse.onnx"
    r = CliRunner().invoke(app, ["compile", MNIST, "-o", str(out), "--sparsity", "0.7", "--pattern", "g8",
                                 "--calib", str(tmp_path / "calib.npz"), "--layer-sparsity", "pw/conv=0.5",
                                 "--export-onnx", str(exported), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    layers = {x["name"]: x for x in summary["sparsity"]["layers"]}
    assert layers["pw/conv"]["status"] == "sparse" and abs(layers["pw/conv"]["sparsity"] - 0.5) < 0.05, layers
    assert layers["block.0/conv"]["sparsity"] == pytest.approx(0.7, abs=0.02), layers
    assert layers["stem/conv"]["status"].startswith("dense"), layers
    assert summary["passes"][-1]["name"] == "group_sparsity"
    model = onnx.load(exported)
    onnx.checker.check_model(model)
    w = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    pw = next(v for k, v in w.items() if v.shape == (64, 32, 1, 1))
    groups = pw.reshape(8, 8, 32)  # g8: 8 blocks of 8 output channels x 32 input channels
    zero = np.all(groups == 0, axis=1)
    assert np.array_equal(groups == 0, np.repeat(zero[:, None, :], 8, axis=1)), "partly zero g8 group in ONNX"
    x = np.random.default_rng(0).random((1, 1, 28, 28), dtype=np.float32)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"image": x})[0]
    got = sparsecc.InferenceSession(str(out)).run(None, {"image": x})[0]
    assert rel_err(got, want) <= 1e-5, f"sparsecc vs onnxruntime on the exported model: {rel_err(got, want):.3g}"


@pytest.mark.parametrize("args, msg", [
    (["--sparsity", "1.0"], "sparsity must be in [0, 1), got 1.0"),
    (["--sparsity", "-0.2"], "sparsity must be in [0, 1)"),
    (["--sparsity", "0.5", "--pattern", "g16"], "unknown sparsity pattern 'g16'"),
    (["--sparsity", "0.5", "--layer-sparsity", "nope=0.5"], "unknown layer name(s) in layer sparsity: nope"),
    (["--layer-sparsity", "dw/conv=0.5"], "'dw/conv' cannot be group-sparsified: depthwise conv"),
    (["--layer-sparsity", "pw/conv"], "bad --layer-sparsity 'pw/conv'"),
    (["--layer-sparsity", "pw/conv=abc"], "'abc' is not a number"),
    (["--sparsity", "0.5", "--sparsity-policy", "knee"], "unknown sparsity policy 'knee'"),
    (["--sparsity", "0.5", "--sparsity-selection", "obs"], "needs calibration data"),
])
def test_bad_sparsity_options_are_one_line_errors(tmp_path, args, msg):
    out = tmp_path / "m.scc"
    r = CliRunner().invoke(app, ["compile", MNIST, "-o", str(out)] + args)
    assert r.exit_code == 1, r.output
    assert "error:" in r.output and msg in r.output.replace("\n", " "), r.output
    assert "Traceback" not in r.output and not out.exists()


def test_api_sparsity_matches_cli_selection():
    compiled = sparsecc.compile(MNIST, sparsity=0.5, pattern="g2", layer_sparsity=["head=0.3"])
    by = {n.name: n for n in compiled.graph.nodes}
    assert by["head"].attrs["sparsity_pattern"] == "g2" and by["head"].attrs["sparsity"] == pytest.approx(0.3, abs=0.02)
    assert by["down1/conv"].attrs["sparsity"] == pytest.approx(0.5, abs=0.01)
    assert [r.name for r in compiled.sparsity_report if r.status == "sparse"] == \
        ["down1/conv", "block.0/conv", "block.1/conv", "pw/conv", "head"]
