"""``--runner wasmtime``: the wasm32 ``sparsecc-run.wasm`` under wasmtime.

Uses the ``wasmtime`` CLI when it is on PATH, else the ``wasmtime`` Python
package through ``wasmtime_main.py`` (what the project installs, from PyPI).
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import tool_args
from .binary import BinaryRunner


class WasmtimeRunner(BinaryRunner):
    name = "wasmtime"
    targets = ("wasm32",)
    note = "wasm32 under wasmtime (Cranelift), on this machine"

    def __init__(self, target: str = "wasm32", runtime_dir: Path | None = None, tool: Path | None = None):
        super().__init__(target, runtime_dir, tool)
        self.cli = shutil.which("wasmtime")
        if not self.cli and importlib.util.find_spec("wasmtime") is None:
            raise ProfileError("--runner wasmtime needs the wasmtime CLI or Python package (pip install wasmtime)")

    def command(self, model: Path, options: RunOptions) -> list[str]:
        model = model.resolve()
        args = tool_args(str(model), options)
        if self.cli:
            return [self.cli, "run", "--dir", f"{model.parent}::{model.parent}", str(self.tool)] + args
        return [sys.executable, "-m", "sparsecc.profile.runners.wasmtime_main", str(self.tool), str(model.parent)] + args

    def device(self) -> str:
        return "wasm32 under wasmtime (this machine)"
