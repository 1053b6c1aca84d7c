"""`sparsecc prune`: writes a smaller ONNX model onnxruntime runs; reports what it holds."""
import json

import numpy as np
import onnx
import pytest
from ort_check import ort_run
from prune_check import onnx_layer_counts
from typer.testing import CliRunner

from sparsecc import zoo
from sparsecc.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("prune") / "mv1.onnx"
    onnx.save(zoo.build("mobilenet_v1", input_size=32, width=0.25), p)
    return p


def test_prune_writes_onnx_that_onnxruntime_runs_with_the_reported_counts(model_path, tmp_path):
    out = tmp_path / "small.onnx"
    r = invoke("prune", model_path, "-o", out, "--ratio", "0.3", "--round-to", "4", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    pruned = onnx.load(out)
    onnx.checker.check_model(pruned, full_check=True)
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    got = ort_run(pruned, {"input": x})
    assert got["logits"].shape == (1, 1000)
    assert report["macs"][1] < report["macs"][0] and report["params"][1] < report["params"][0]
    assert report["removed_classes"] > 0
    counted = onnx_layer_counts(pruned)
    for layer in report["layers"]:
        assert counted[layer["name"]] == (layer["macs"][1], layer["params"][1]), layer["name"]
        assert layer["channels"][1] == layer["channels"][0] or layer["channels"][1] % 4 == 0, layer
    assert sum(m for m, _ in counted.values()) == report["macs"][1]


def test_prune_prints_a_table_per_layer(model_path, tmp_path):
    r = invoke("prune", model_path, "-o", tmp_path / "p.onnx", "--ratio", "0.5", "--global",
               "--criterion", "bn_scale", "--explain")
    assert r.exit_code == 0, r.output
    for text in ("channels", "MACs", "channel spaces", "removed", "wrote"):
        assert text in r.output, f"{text!r} missing from:\n{r.output}"


@pytest.mark.parametrize("args,message", [
    (["--ratio", "1.5"], "ratio"),
    (["--criterion", "magic"], "unknown pruning criterion"),
])
def test_prune_bad_options_are_one_line_errors(model_path, tmp_path, args, message):
    r = invoke("prune", model_path, "-o", tmp_path / "p.onnx", *args)
    assert r.exit_code == 1 and "error:" in r.output and message in r.output, r.output
    assert not (tmp_path / "p.onnx").exists()
