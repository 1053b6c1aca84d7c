"""``--runner binary``: the host ``sparsecc-run`` tool as a subprocess.

The base of every runner that executes the tool (qemu, node, wasmtime, ssh,
adb): subclasses change the command around it (``command``) or where it runs.
"""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import Runner, parse_tool_json, tool_args
from .locate import find_tool


def run_command(cmd: list[str], what: str, timeout: float | None = None, cwd=None, env=None) -> str:
    """Run ``cmd``; its stdout, or a ProfileError naming ``what`` with stderr's last line."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)
    except FileNotFoundError:
        raise ProfileError(f"{what}: command not found: {cmd[0]}") from None
    except subprocess.TimeoutExpired:
        raise ProfileError(f"{what}: timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise ProfileError(f"{what} failed (exit {r.returncode}): {last}")
    return r.stdout


class BinaryRunner(Runner):
    name = "binary"
    targets = ("host",)
    timeout = 3600.0

    def __init__(self, target: str = "host", runtime_dir: Path | None = None, tool: Path | None = None):
        self.check_target(target)
        self.target = target
        self.tool = Path(tool) if tool else find_tool(target, runtime_dir)

    def command(self, model: Path, options: RunOptions) -> list[str]:
        return [str(self.tool)] + tool_args(str(model), options)

    def device(self) -> str:
        return f"{platform.machine()} (this machine, {self.tool.name})"

    def run(self, model_path, options: RunOptions, progress=None, between_runs=None) -> dict:
        cmd = self.command(Path(model_path), options)
        out = run_command(cmd, f"--runner {self.name}", timeout=self.timeout)
        e2e, layers, _ = parse_tool_json(out, f"--runner {self.name}")
        if progress:
            progress(1, 1)
        return self.result(self.device(), e2e, layers, command=cmd)
