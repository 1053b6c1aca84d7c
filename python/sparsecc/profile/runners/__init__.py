"""Runners: one class per way of running a model, one file each (see ``base.py`` for the result).

``make_runner(spec, target)`` maps the ``--runner`` spelling to a runner:
``local`` (Python binding), ``binary`` (host ``sparsecc-run``), ``qemu``,
``node``, ``wasmtime``, ``ssh://user@host[:port]``, ``adb[:serial]``.
"""
from __future__ import annotations

from pathlib import Path

from ..options import ProfileError
from .base import Runner

DEFAULT_RUNNER = {"host": "local", "arm64": "qemu", "wasm32": "node"}
RUNNER_NAMES = ("local", "binary", "qemu", "node", "wasmtime", "ssh://user@host[:port]", "adb[:serial]")


def make_runner(spec: str | None, target: str, runtime_dir: Path | None = None) -> Runner:
    spec = spec or DEFAULT_RUNNER.get(target)
    if spec is None:
        raise ProfileError(f"unknown --target {target!r}; targets: {', '.join(DEFAULT_RUNNER)}")
    if spec == "local":
        from .local import LocalRunner

        runner = LocalRunner()
        runner.check_target(target)
        return runner
    if spec == "binary":
        from .binary import BinaryRunner

        return BinaryRunner(target, runtime_dir)
    if spec == "qemu":
        from .qemu import QemuRunner

        return QemuRunner(target, runtime_dir)
    if spec == "node":
        from .node_runner import NodeRunner

        return NodeRunner(target, runtime_dir)
    if spec == "wasmtime":
        from .wasmtime_runner import WasmtimeRunner

        return WasmtimeRunner(target, runtime_dir)
    if spec.startswith("ssh://"):
        from .ssh import SshRunner

        return SshRunner(spec, target, runtime_dir)
    if spec == "adb" or spec.startswith("adb:"):
        from .adb import AdbRunner

        return AdbRunner(spec, target, runtime_dir)
    raise ProfileError(f"unknown --runner {spec!r}; runners: {', '.join(RUNNER_NAMES)}")


__all__ = ["DEFAULT_RUNNER", "RUNNER_NAMES", "Runner", "make_runner"]
