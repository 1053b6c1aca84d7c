"""Fixtures of the cross-target tests: the arm64 runtime (built once per session)
and the command that runs its binaries here (qemu-aarch64; helpers: cross_env.py).

Where the arm64 runtime comes from, in order:
  $SPARSECC_ARM64_DIST   an installed runtime folder (bin/sparsecc-run, lib/, include/)
  otherwise              `sparsecc runtime build --target arm64` into build/arm64-dist, with
                         the CMake build in $SPARSECC_ARM64_BUILD_DIR or build/arm64 (the
                         folder scripts/test_arm64.sh builds the C++ tests in; only the
                         runtime and sparsecc-run are (re)built here, so `pytest tests/cross`
                         works on its own)

Missing tools (clang-16, qemu-aarch64, ...) skip the tests when run by hand, but
fail them in CI (CI=true): CI installs them with scripts/install_cross.sh.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from cross_env import ROOT, arm64_build_dir, require_tool


@pytest.fixture(scope="session")
def arm64_desc():
    from sparsecc.compiler.lower.target_desc import get_target_desc

    return get_target_desc("arm64")


@pytest.fixture(scope="session")
def arm64_runner(arm64_desc) -> list[str]:
    """The command prefix that runs an aarch64 binary here (targets/arm64.toml [runner])."""
    cmd = list(arm64_desc.runner.command)
    require_tool(cmd[0], "the arm64 runner")
    return cmd


@pytest.fixture(scope="session")
def arm64_dist(arm64_desc) -> Path:
    """A folder holding the arm64 runtime as `sparsecc runtime build` installs it."""
    env = os.environ.get("SPARSECC_ARM64_DIST")
    if env:
        dist = Path(env)
        assert (dist / "bin" / "sparsecc-run").is_file(), f"$SPARSECC_ARM64_DIST={env} has no bin/sparsecc-run"
        return dist
    for tool in arm64_desc.host_tools:
        require_tool(tool, "the arm64 cross build")
    from sparsecc.runtime_build import build_runtime

    result = build_runtime("arm64", ROOT / "build" / "arm64-dist", build_dir=arm64_build_dir(), jobs=2)
    return result.out_dir
