"""Shared helpers of the wasm32 tests: where the build is, the tool checks, and
running a model under node (JS wrapper + sparsecc_runtime.wasm) or wasmtime
(sparsecc-run.wasm as a WASI command).

Tools that may be absent (clang-16 for the build, node, the wasmtime package,
chromium) make a test skip with the reason when run ad hoc, and fail under CI
(CI=true), where scripts/install_wasm.sh must have installed them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("SPARSECC_WASM_BUILD", os.path.join(ROOT, "build", "wasm32"))
RUNTIME_WASM = os.path.join(BUILD, "runtime_cpp", "wasm", "sparsecc_runtime.wasm")
RUN_WASM = os.path.join(BUILD, "runtime_cpp", "sparsecc-run.wasm")
WASMTIME_RUNNER = os.path.join(ROOT, "runtime_cpp", "wasm", "wasi_run_wasmtime.py")
CHROMIUM = os.environ.get("SPARSECC_CHROMIUM", "/usr/bin/chromium")


def need(ok: bool, what: str) -> None:
    """Skip (ad hoc) or fail (CI=true) when a tool is missing."""
    if ok:
        return
    msg = f"{what} (install: bash scripts/install_wasm.sh)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI: {msg}", pytrace=False)
    pytest.skip(msg)


def have_wasmtime() -> bool:
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


def ensure_build() -> None:
    """Configure + build the two wasm targets into BUILD if they are missing."""
    if os.path.exists(RUNTIME_WASM) and os.path.exists(RUN_WASM):
        return
    need(shutil.which("clang++-16") is not None and os.path.isdir("/usr/lib/llvm-16/include/wasm32-wasi"),
         "clang-16 + wasm32 libc++ not installed")
    cfg = ["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_TOOLCHAIN_FILE={ROOT}/targets/toolchains/wasm32.cmake", "-DSPARSECC_BUILD_TESTS=OFF"]
    subprocess.run(cfg, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "sparsecc-run", "sparsecc_wasm"], check=True,
                   stdout=subprocess.DEVNULL)


def _write_inputs(io_dir: str, feeds: list[np.ndarray]) -> None:
    for i, x in enumerate(feeds):
        np.ascontiguousarray(x, dtype="<f4").tofile(os.path.join(io_dir, f"in{i}.bin"))


def run_node(model_path: str, feeds: list[np.ndarray], arch: str | None = None) -> tuple[list[np.ndarray], dict]:
    """Runs the model with web/js/sparsecc.mjs in node; returns (outputs, info JSON)."""
    need(shutil.which("node") is not None, "node not installed")
    with tempfile.TemporaryDirectory() as io:
        _write_inputs(io, feeds)
        cmd = ["node", "--no-liftoff", os.path.join(HERE, "node_run_model.mjs"), RUNTIME_WASM, model_path, io]
        if arch:
            cmd += ["--arch", arch]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, f"node run of {model_path} failed ({p.returncode}): {p.stdout}{p.stderr}"
        info = json.loads(p.stdout.strip().splitlines()[-1])
        outs = [np.fromfile(os.path.join(io, f"out{i}.bin"), dtype="<f4").reshape(t["shape"])
                for i, t in enumerate(info["outputs"])]
    return outs, info


def run_wasmtime(model_path: str, feeds: list[np.ndarray], input_names: list[str],
                 output_shapes: list[list[int]]) -> list[np.ndarray]:
    """Runs sparsecc-run.wasm under wasmtime with --input files and --save-outputs."""
    need(have_wasmtime(), "the wasmtime Python package is not installed")
    with tempfile.TemporaryDirectory() as io:
        _write_inputs(io, feeds)
        cmd = [sys.executable, WASMTIME_RUNNER, RUN_WASM, os.path.abspath(model_path), "--repeat", "1",
               "--warmup", "0", "--save-outputs", io]
        for i, name in enumerate(input_names):
            cmd += ["--input", f"{name}={os.path.join(io, f'in{i}.bin')}"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, f"wasmtime run of {model_path} failed ({p.returncode}): {p.stderr[-2000:]}"
        json.loads(p.stdout)  # the tool's report must stay valid JSON
        return [np.fromfile(os.path.join(io, f"{i}.bin"), dtype="<f4").reshape(s)
                for i, s in enumerate(output_shapes)]
