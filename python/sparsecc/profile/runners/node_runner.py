"""``--runner node``: the wasm32 ``sparsecc-run.wasm`` under node's WASI (``wasi_node.mjs``).

``--no-liftoff`` makes V8 compile with its optimising tier from the start, so the
warm-up runs are not spent in the baseline compiler; the tool times its loops
inside the module (no JS call overhead in the samples).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import tool_args
from .binary import BinaryRunner

LAUNCHER = Path(__file__).with_name("wasi_node.mjs")


class NodeRunner(BinaryRunner):
    name = "node"
    targets = ("wasm32",)
    note = "wasm32 under node (V8, --no-liftoff), on this machine"

    def __init__(self, target: str = "wasm32", runtime_dir: Path | None = None, tool: Path | None = None):
        super().__init__(target, runtime_dir, tool)
        self.node = shutil.which("node")
        if not self.node:
            raise ProfileError("--runner node needs node (Debian: apt-get install nodejs)")

    def command(self, model: Path, options: RunOptions) -> list[str]:
        model = model.resolve()
        return [self.node, "--no-liftoff", "--no-warnings", str(LAUNCHER), str(self.tool), str(model.parent)] + \
            tool_args(str(model), options)

    def device(self) -> str:
        return "wasm32 under node (this machine)"
