"""Errors in the wasm32 build: clear messages, and nothing left broken.

The wasm runtime has no C++ exceptions: a failing call traps after storing its
message (runtime_cpp/src/error.h). The JS wrapper must turn that into a JS Error
carrying the message and keep working; sparsecc-run.wasm must print it and exit 1.
The model file's target is checked: a wasm32 build rejects a model compiled for
x86_64, and the host runtime rejects one compiled for wasm32.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import wasm_env

import sparsecc
from sparsecc import zoo

MNIST = os.path.join(wasm_env.ROOT, "tests", "fixtures", "mnist_cnn.onnx")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("wasm_errors")
    paths = {}
    for target in ("wasm32", "x86_64"):
        paths[target] = str(d / f"mnist.{target}.scc")
        sparsecc.compile(MNIST, target=target).save(paths[target])
    paths["garbage"] = str(d / "garbage.scc")
    with open(paths["garbage"], "wb") as f:
        f.write(b"NOTAMODEL" + bytes(200))
    data = bytearray(open(paths["wasm32"], "rb").read())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: the data checksum must catch it
    paths["corrupt"] = str(d / "corrupt.scc")
    with open(paths["corrupt"], "wb") as f:
        f.write(bytes(data))
    return paths


def node_error_check(good: str, bad: str) -> dict:
    wasm_env.need(shutil.which("node") is not None, "node not installed")
    p = subprocess.run(["node", os.path.join(wasm_env.HERE, "node_error_check.mjs"), wasm_env.RUNTIME_WASM, good, bad],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"node_error_check.mjs failed ({p.returncode}): {p.stdout}{p.stderr}"
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("bad, needle", [
    ("garbage", "magic"),
    ("corrupt", "crc"),
    ("x86_64", "compiled for target 'x86_64'"),
])
def test_js_wrapper_turns_a_bad_model_into_an_error_and_keeps_working(models, wasm_build, bad, needle):
    r = node_error_check(models["wasm32"], models[bad])
    assert r["isError"] and r["errorName"] == "SparseccError", f"{bad}: no SparseccError thrown: {r}"
    assert needle in r["error"], f"{bad}: error {r['error']!r} does not mention {needle!r}"
    assert r["generationAfter"] == r["generationBefore"] + 1, f"{bad}: module was not re-instantiated: {r}"
    # the session opened before the error re-creates itself; a new one works too; same outputs
    np.testing.assert_array_equal(r["again"], r["before"], err_msg=f"{bad}: old session differs after the error")
    np.testing.assert_array_equal(r["fresh"], r["before"], err_msg=f"{bad}: new session differs after the error")


@pytest.mark.parametrize("bad, needle", [("garbage", "magic"), ("x86_64", "compiled for target 'x86_64'")])
def test_sparsecc_run_wasm_reports_a_bad_model_and_exits_1(models, wasm_build, bad, needle):
    wasm_env.need(wasm_env.have_wasmtime(), "the wasmtime Python package is not installed")
    p = subprocess.run([sys.executable, wasm_env.WASMTIME_RUNNER, wasm_env.RUN_WASM, models[bad]],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, f"{bad}: exit code {p.returncode}, expected 1; stderr: {p.stderr}"
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sparsecc-run: ") and needle in lines[0], \
        f"{bad}: expected one 'sparsecc-run: ...{needle}...' line, got {p.stderr!r}"
    assert p.stdout == "", f"{bad}: printed a report although the model did not load"


def test_host_runtime_rejects_a_model_compiled_for_wasm32(models):
    with pytest.raises(Exception, match="compiled for target 'wasm32'"):
        sparsecc.InferenceSession(models["wasm32"])


def test_sparsecc_run_wasm_runs_a_relative_model_path(models, wasm_build, tmp_path):
    """WASI starts in '/': the runners pass $PWD and the module moves there (wasi_cwd.cc)."""
    wasm_env.need(wasm_env.have_wasmtime(), "the wasmtime Python package is not installed")
    d = os.path.dirname(models["wasm32"])
    p = subprocess.run([sys.executable, wasm_env.WASMTIME_RUNNER, wasm_env.RUN_WASM, os.path.basename(models["wasm32"]),
                        "--repeat", "1"], capture_output=True, text=True, timeout=300, cwd=d)
    assert p.returncode == 0, f"relative path run failed: {p.stderr}"
    assert json.loads(p.stdout)["target"] == "wasm32"
