"""``--runner qemu``: the arm64 ``sparsecc-run`` under qemu user-mode emulation.

qemu translates every instruction, so its wall time says nothing about an ARM
core's latency (it is ~100x slower, and not uniformly so across kernels): the
result is flagged ``wall_time_is_latency: False`` and every rendering labels it
as emulated time. The ARM estimate comes instead from instruction counts: when
the project's TCG plugin is built (``tools/qemu_plugin/``), qemu loads it and
the tool runs with ``SPARSECC_LAYER_MARKERS=1``, so the plugin can attribute
executed instructions to layers; ``estimate/`` turns them into cycles and ms.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import parse_tool_json, tool_args
from .binary import BinaryRunner, run_command
from .locate import REPO

QEMU = "qemu-aarch64"
SYSROOT = "/usr/aarch64-linux-gnu"
PLUGIN = "libsparsecc_insn.so"
BUILD_HINT = "bash scripts/install_qemu_plugin_deps.sh && bash tools/qemu_plugin/build.sh"


def find_plugin() -> Path | None:
    """``$SPARSECC_QEMU_PLUGIN``, else build/qemu-plugin/libsparsecc_insn.so of the source checkout
    (tools/qemu_plugin/build.sh); None when neither exists."""
    env = os.environ.get("SPARSECC_QEMU_PLUGIN")
    if env:
        if not Path(env).is_file():
            raise ProfileError(f"$SPARSECC_QEMU_PLUGIN={env}: no such file (build it with: {BUILD_HINT})")
        return Path(env)
    from sparsecc.runtime_build import source_root

    roots = [REPO]
    try:
        roots.insert(0, source_root())   # the checkout (editable install or $SPARSECC_SOURCE_DIR)
    except Exception:
        pass
    return next((r / "build" / "qemu-plugin" / PLUGIN for r in roots
                 if (r / "build" / "qemu-plugin" / PLUGIN).is_file()), None)


def read_counts(path: Path, n_layers: int, repeat: int) -> list[int]:
    """The plugin's JSON -> instructions per layer per timed run (the mean over the runs it saw)."""
    try:
        doc = json.loads(path.read_text())
        by_index = {int(l["index"]): (int(l["instructions"]), int(l["runs"])) for l in doc["layers"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ProfileError(f"--runner qemu: cannot read the instruction counts of the qemu plugin ({e})") from None
    if not by_index:
        raise ProfileError("--runner qemu: the runtime tool emitted no layer markers: rebuild it "
                           "(`sparsecc runtime build --target arm64`) from this sparsecc")
    out = []
    for k in range(n_layers):
        total, runs = by_index.get(k, (0, 0))
        if runs != repeat:
            raise ProfileError(f"--runner qemu: the plugin saw layer {k} in {runs} runs, expected {repeat}")
        out.append(round(total / runs))
    return out


class QemuRunner(BinaryRunner):
    name = "qemu"
    targets = ("arm64",)
    wall_time_is_latency = False
    note = "qemu-aarch64 emulation: times are emulated wall time, NOT arm64 latency"

    def __init__(self, target: str = "arm64", runtime_dir: Path | None = None, tool: Path | None = None,
                 qemu: str | None = None, plugin: Path | None | bool = None):
        super().__init__(target, runtime_dir, tool)
        self.qemu = qemu or shutil.which(QEMU)
        if not self.qemu:
            raise ProfileError(f"--runner qemu needs {QEMU} (Debian: apt-get install qemu-user)")
        # plugin=False: no instruction counts; None: use the built plugin if there is one
        self.plugin = None if plugin is False else (Path(plugin) if plugin else find_plugin())

    def command(self, model: Path, options: RunOptions, counts: Path | None = None) -> list[str]:
        plugin = ["-plugin", f"{self.plugin},out={counts}"] if counts else []
        return [self.qemu, "-L", SYSROOT, *plugin, str(self.tool)] + tool_args(str(model), options)

    def device(self) -> str:
        return "arm64 under qemu-aarch64 (emulated)"

    def run(self, model_path, options: RunOptions, progress=None, between_runs=None) -> dict:
        if self.plugin is None:
            result = super().run(model_path, options, progress)
            result["note"] = f"{self.note}; no ARM estimate: the qemu plugin is not built ({BUILD_HINT})"
            return result
        with tempfile.TemporaryDirectory(prefix="sparsecc-qemu-") as tmp:
            counts = Path(tmp) / "counts.json"
            cmd = self.command(Path(model_path), options, counts)
            out = run_command(cmd, f"--runner {self.name}", timeout=self.timeout,
                              env={**os.environ, "SPARSECC_LAYER_MARKERS": "1"})
            e2e, layers, _ = parse_tool_json(out, f"--runner {self.name}")
            instructions = read_counts(counts, len(layers), options.repeat)
        if progress:
            progress(1, 1)
        return self.result(self.device(), e2e, layers, command=cmd, instructions=instructions)
