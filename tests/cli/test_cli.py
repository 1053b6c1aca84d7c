"""The sparsecc command: compile, run, inspect, zoo; errors are one line and exit 1."""
import json

import numpy as np
import onnx
import pytest
from model_builders import conv_bn_relu
from onnx import TensorProto, helper
from ort_check import make_model, ort_run, rel_err
from typer.testing import CliRunner

from sparsecc.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def onnx_path(tmp_path):
    p = tmp_path / "m.onnx"
    onnx.save(conv_bn_relu(), p)
    return p


def test_compile_then_run_agrees_with_onnxruntime(onnx_path, tmp_path):
    out = tmp_path / "m.scc"
    r = invoke("compile", onnx_path, "-o", out)
    assert r.exit_code == 0, r.output
    assert out.exists() and "arena" in r.output
    x = np.random.default_rng(0).standard_normal((1, 3, 10, 10)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = invoke("run", out, "--input", f"input={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "outs")
    assert r.exit_code == 0, r.output
    got = np.load(tmp_path / "outs" / "output.npy")
    expected = ort_run(conv_bn_relu(), {"input": x})["output"]
    assert rel_err(got, expected) < 1e-5


def test_compile_json_reports_arena_and_passes(onnx_path, tmp_path):
    r = invoke("compile", onnx_path, "-o", tmp_path / "m.scc", "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["nodes"] == 1 and info["arena_bytes"] <= info["arena_bytes_without_reuse"]
    assert [p["name"] for p in info["passes"]][:3] == ["eliminate_identity", "fold_constants", "fold_batchnorm"]


def test_run_with_random_inputs_prints_summary(onnx_path, tmp_path):
    invoke("compile", onnx_path, "-o", tmp_path / "m.scc")
    r = invoke("run", tmp_path / "m.scc", "--repeat", "3")
    assert r.exit_code == 0, r.output
    assert "output" in r.output and "median" in r.output


def test_inspect_lists_layers(onnx_path, tmp_path, monkeypatch):
    monkeypatch.setenv("SPARSECC_KERNELS", "ref")  # unpacked weights: their byte count is exact
    invoke("compile", onnx_path, "-o", tmp_path / "m.scc")
    r = invoke("inspect", tmp_path / "m.scc", "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert [(x["op"], x["kernel"]) for x in info["layers"]] == [("Conv", "ref")]
    assert info["layers"][0]["attrs"]["activation"] == "relu"
    assert info["layers"][0]["weight_bytes"] == (8 * 3 * 3 * 3 + 8) * 4
    r = invoke("inspect", tmp_path / "m.scc")
    assert r.exit_code == 0 and "Conv" in r.output and "arena" in r.output


def test_unsupported_ops_listed_in_one_line(tmp_path):
    vi = helper.make_tensor_value_info
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="r"),
             helper.make_node("Det", ["a"], ["b"], name="det_1"),
             helper.make_node("Hardmax", ["a"], ["c"], name="hardmax_1"),
             helper.make_node("Add", ["b", "c"], ["y"], name="add")]
    m = make_model(nodes, [vi("x", TensorProto.FLOAT, [3, 3])], [vi("y", TensorProto.FLOAT, [3, 3])])
    p = tmp_path / "u.onnx"
    onnx.save(m, p)
    r = invoke("compile", p, "-o", tmp_path / "u.scc")
    assert r.exit_code == 1
    assert "Det [det_1]" in r.output and "Hardmax [hardmax_1]" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "u.scc").exists()


@pytest.mark.parametrize("content,pattern", [(b"", "truncat|short"), (b"garbage" * 20, "magic")])
def test_bad_model_files_give_one_line_errors(tmp_path, content, pattern):
    import re

    p = tmp_path / "bad.scc"
    p.write_bytes(content)
    for cmd in ("run", "inspect"):
        r = invoke(cmd, p)
        assert r.exit_code == 1, r.output
        assert re.search(pattern, r.output, re.I), r.output
        assert "Traceback" not in r.output


def test_missing_file_and_bad_input_shape_spec(tmp_path, onnx_path):
    r = invoke("compile", tmp_path / "absent.onnx")
    assert r.exit_code == 1 and "no such file" in r.output
    r = invoke("compile", onnx_path, "--input-shape", "input=1,3,10,10")
    assert r.exit_code == 1 and "NAME:D0,D1" in r.output


def test_zoo_build_then_compile(tmp_path):
    r = invoke("zoo", "list")
    assert r.exit_code == 0 and "mobilenet_v1" in r.output
    r = invoke("zoo", "build", "mobilenet_v3_block", "-o", tmp_path / "v3.onnx")
    assert r.exit_code == 0, r.output
    r = invoke("compile", tmp_path / "v3.onnx", "-o", tmp_path / "v3.scc")
    assert r.exit_code == 0, r.output


def test_every_command_has_help_with_an_example():
    for cmd in (["compile"], ["run"], ["inspect"], ["demo"], ["zoo", "build"]):
        r = invoke(*cmd, "--help")
        assert r.exit_code == 0 and "Example" in r.output, cmd


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v2", "resnet18", "mobilenet_v3_block",
                                  "transformer_block"])
def test_cli_compile_and_run_agree_with_onnxruntime_on_zoo(tmp_path, name):
    from sparsecc import zoo

    kw = {} if name == "transformer_block" else {"input_size": 64}
    model = zoo.build(name, **kw)
    onnx.save(model, tmp_path / "m.onnx")
    assert invoke("compile", tmp_path / "m.onnx", "-o", tmp_path / "m.scc").exit_code == 0
    inp = model.graph.input[0]
    x = np.random.default_rng(3).standard_normal(
        [d.dim_value for d in inp.type.tensor_type.shape.dim]).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = invoke("run", tmp_path / "m.scc", "--input", f"{inp.name}={tmp_path / 'x.npy'}", "--output-dir", tmp_path)
    assert r.exit_code == 0, r.output
    out = model.graph.output[0].name
    err = rel_err(np.load(tmp_path / f"{out}.npy"), ort_run(model, {inp.name: x})[out])
    assert err < 1e-4, f"{name}: rel_err {err}"


def test_debug_flag_shows_the_traceback(tmp_path):
    p = tmp_path / "bad.scc"
    p.write_bytes(b"garbage" * 20)
    r = invoke("--debug", "inspect", p)
    assert r.exit_code != 0 and r.exception is not None and "magic" in str(r.exception)


def test_version_flag():
    import sparsecc

    r = invoke("--version")
    assert r.exit_code == 0 and r.output.strip() == f"sparsecc {sparsecc.__version__}"
