"""Binary runners: the host sparsecc-run, qemu-aarch64 (arm64) and node/wasmtime (wasm32).

Each must report the same layers as the compiled model and a valid document.
The cross-target ones need `sparsecc runtime build --target T -o DIR`: they
skip when it is unavailable ad hoc, and fail in CI when the emulator/VM is missing.
"""
import shutil

import pytest
from profile_helpers import host_tool, in_ci, require, require_tool, small_mobilenet
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app
from sparsecc.profile import CompileOptions, RunOptions, profile
from sparsecc.profile.options import ProfileError
from sparsecc.profile.runners.locate import find_tool
from sparsecc.profile.schema import validate
from sparsecc.profile.table import final_line, summary_lines


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return small_mobilenet(tmp_path_factory.mktemp("m") / "mv1.onnx")


def _layers(model_path, target):
    plan = sparsecc.compile(model_path, target=target).plan
    return [(n.name, n.op, n.kernel) for n in plan.nodes]


def test_host_binary_runner_matches_the_local_runner(model_path, tmp_path):
    rt = tmp_path / "rt" / "bin"
    rt.mkdir(parents=True)
    (rt / "sparsecc-run").symlink_to(host_tool())
    opts = RunOptions(warmup=1, repeat=5)
    binary = profile(model_path, CompileOptions(), opts, runner="binary", runtime_dir=rt.parent)
    local = profile(model_path, CompileOptions(), opts, runner="local")
    validate(binary)
    b, l = binary["runs"][0], local["runs"][0]
    assert [(x["name"], x["op"], x["kernel"], x["output_shape"], x["flops"]) for x in b["layers"]] == \
        [(x["name"], x["op"], x["kernel"], x["output_shape"], x["flops"]) for x in l["layers"]]
    assert b["end_to_end_ms"]["n"] == 5 and all(len(x["samples_ms"]) == 5 for x in b["layers"])
    assert 0.9 <= b["layer_coverage"] <= 1.02, f"host tool: layers cover {100 * b['layer_coverage']:.1f}% of a run"


def _runtime_dir(target: str, tmp_path_factory):
    """An existing build of the target's tool, else `sparsecc runtime build` into a temp folder."""
    try:
        return find_tool(target).parent
    except ProfileError:
        pass
    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    if "runtime" not in commands:
        pytest.skip(f"`sparsecc runtime build --target {target}` does not exist yet")
    out = tmp_path_factory.mktemp(f"rt-{target}")
    r = CliRunner().invoke(app, ["runtime", "build", "--target", target, "-o", str(out)])
    require(r.exit_code == 0, f"sparsecc runtime build --target {target} failed: {r.output[-300:]}")
    return out


def test_qemu_runner_labels_emulated_time_and_reports_the_arm64_layers(model_path, tmp_path_factory):
    require_tool("qemu-aarch64")
    rt = _runtime_dir("arm64", tmp_path_factory)
    doc = profile(model_path, CompileOptions(target="arm64"), RunOptions(warmup=0, repeat=2), runner="qemu",
                  runtime_dir=rt)
    validate(doc)
    run = doc["runs"][0]
    assert [(l["name"], l["op"], l["kernel"]) for l in run["layers"]] == _layers(model_path, "arm64")
    assert run["runner"]["wall_time_is_latency"] is False
    assert all(l["gflops"] is None for l in run["layers"]), "no GFLOP/s from emulated time"
    assert "EMULATED wall time (not latency)" in summary_lines(run)[0] and "not latency" in final_line(run)


@pytest.mark.parametrize("vm", ["node", "wasmtime"])
def test_wasm_runners_report_the_wasm32_layers(model_path, tmp_path_factory, vm):
    if vm == "node":
        require_tool("node")
    else:
        import importlib.util

        require(shutil.which("wasmtime") is not None or importlib.util.find_spec("wasmtime") is not None,
                "wasmtime (CLI or Python package) is not installed")
    rt = _runtime_dir("wasm32", tmp_path_factory)
    doc = profile(model_path, CompileOptions(target="wasm32"), RunOptions(warmup=1, repeat=3), runner=vm,
                  runtime_dir=rt)
    validate(doc)
    run = doc["runs"][0]
    assert [(l["name"], l["op"], l["kernel"]) for l in run["layers"]] == _layers(model_path, "wasm32")
    assert run["runner"]["wall_time_is_latency"] is True and run["end_to_end_ms"]["n"] == 3


@pytest.mark.parametrize("args,msg", [
    (["--target", "host", "--runner", "qemu"], "--runner qemu runs arm64 models"),
    (["--target", "arm64", "--runner", "local"], "--runner local runs host models"),
    (["--runner", "fpga"], "unknown --runner 'fpga'"),
    (["--target", "riscv"], "unknown --target 'riscv'"),
    (["--compare", "tflite"], "unknown --compare 'tflite'"),
    (["--repeat", "0"], "--repeat must be >= 1"),
])
def test_bad_combinations_are_one_line_errors(model_path, args, msg):
    r = CliRunner().invoke(app, ["profile", str(model_path), *args])
    assert r.exit_code == 1, r.output
    assert msg in r.output and "Traceback" not in r.output, r.output


def test_ci_flag_turns_missing_tools_into_failures(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="no-such-tool-xyz"):
        require_tool("no-such-tool-xyz")
