"""``--runner qemu``: the arm64 ``sparsecc-run`` under qemu user-mode emulation.

qemu translates every instruction, so its wall time says nothing about an ARM
core's latency (it is ~100x slower, and not uniformly so across kernels): the
result is flagged ``wall_time_is_latency: False`` and every rendering labels it
as emulated time. Per-layer instruction counts and llvm-mca cycle estimates are
the planned way to estimate ARM speed here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import tool_args
from .binary import BinaryRunner

QEMU = "qemu-aarch64"
SYSROOT = "/usr/aarch64-linux-gnu"


class QemuRunner(BinaryRunner):
    name = "qemu"
    targets = ("arm64",)
    wall_time_is_latency = False
    note = ("qemu-aarch64 emulation: times are emulated wall time, NOT arm64 latency "
            "(instruction-count and llvm-mca estimates are not implemented yet)")

    def __init__(self, target: str = "arm64", runtime_dir: Path | None = None, tool: Path | None = None,
                 qemu: str | None = None):
        super().__init__(target, runtime_dir, tool)
        self.qemu = qemu or shutil.which(QEMU)
        if not self.qemu:
            raise ProfileError(f"--runner qemu needs {QEMU} (Debian: apt-get install qemu-user)")

    def command(self, model: Path, options: RunOptions) -> list[str]:
        return [self.qemu, "-L", SYSROOT, str(self.tool)] + tool_args(str(model), options)

    def device(self) -> str:
        return "arm64 under qemu-aarch64 (emulated)"
