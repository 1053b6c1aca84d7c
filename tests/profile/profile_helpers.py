"""Shared by the profile tests: optional tools, the host sparsecc-run, small models, fake devices."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import onnx
import pytest

from sparsecc import zoo

HERE = Path(__file__).parent


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, except in CI (CI=true), which installs everything: there, fail."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    return path


def host_tool() -> Path:
    """The host sparsecc-run (built by scripts/test.sh into build/cpp-tests, or SPARSECC_RUNTIME_DIR)."""
    from sparsecc.profile.options import ProfileError
    from sparsecc.profile.runners.locate import find_tool

    try:
        return find_tool("host")
    except ProfileError as e:
        require(False, f"host sparsecc-run not built ({e})")


def small_mobilenet(path: Path, input_size: int = 64, width: float = 0.25) -> Path:
    """MobileNet-v1 at a small size: every layer kind of the real one (conv, depthwise, pool, gemm)."""
    onnx.save(zoo.build("mobilenet_v1", input_size=input_size, width=width), path)
    return path


class FakeDevice:
    """``ssh``/``scp``/``adb`` stubs first on PATH (``fake_device.py``); ``root`` is the device's filesystem."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.root = tmp_path / "device"
        self.root.mkdir()
        self.log = tmp_path / "device-calls.jsonl"
        bindir = tmp_path / "fake-bin"
        bindir.mkdir()
        for tool in ("ssh", "scp", "adb"):
            (bindir / tool).symlink_to(HERE / "fake_device.py")
        monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_DEVICE_ROOT", str(self.root))
        monkeypatch.setenv("FAKE_DEVICE_LOG", str(self.log))

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def leftovers(self) -> list[str]:
        """Files or folders the runner left on the device."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("sparsecc-profile.*"))
