"""Helpers of the cross-target tests (imported by conftest.py and the test files):
where the repo and the arm64 build are, tools that CI must have, and running a
target's sparsecc-run on a model with fixed inputs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def require_tool(name: str, why: str = "") -> str:
    """Path of program ``name``; skip without it, or fail when CI=true (CI must have it)."""
    path = shutil.which(name)
    if path:
        return path
    msg = f"{name} not found{' (' + why + ')' if why else ''}; install with scripts/install_cross.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {msg}")
    pytest.skip(msg)


def arm64_build_dir() -> Path:
    """The CMake build folder of the arm64 runtime (shared with scripts/test_arm64.sh)."""
    return Path(os.environ.get("SPARSECC_ARM64_BUILD_DIR", ROOT / "build" / "arm64"))


def run_sparsecc_run(runner: list[str], dist: Path, model: Path, inputs: dict[str, np.ndarray], work: Path,
                     extra=(), check: bool = True):
    """Run the target's sparsecc-run on ``model`` with ``inputs`` (written as raw float32).

    Returns (report JSON, [output arrays]) or, with check=False, the CompletedProcess.
    """
    work.mkdir(parents=True, exist_ok=True)
    args = []
    for name, arr in inputs.items():
        path = work / f"in_{name}.bin"
        np.ascontiguousarray(arr, dtype="<f4").tofile(path)
        args += ["--input", f"{name}={path}"]
    out_dir = work / "outputs"
    out_dir.mkdir(exist_ok=True)
    cmd = [*runner, str(dist / "bin" / "sparsecc-run"), str(model), "--repeat", "1", "--warmup", "0",
           *args, "--save-outputs", str(out_dir), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if not check:
        return proc
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}"
    report = json.loads(proc.stdout)
    outputs = []
    for i, o in enumerate(report["outputs"]):
        data = np.fromfile(out_dir / f"{i}.bin", dtype="<f4")
        assert data.size == int(np.prod(o["shape"])), f"output {i} file has {data.size} floats, shape {o['shape']}"
        outputs.append(data.reshape(o["shape"]))
    return report, outputs
