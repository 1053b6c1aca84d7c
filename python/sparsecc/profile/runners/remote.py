"""Runners that execute ``sparsecc-run`` on another device (ssh, adb).

One flow for every transport: make a fresh temp folder on the device, push the
tool and the model file, run the tool with its JSON sent to a file there, pull
that file back, and remove the folder -- also when a step fails. Transports
(``ssh.py``, ``adb.py``) only say how to make a folder, copy and run a shell
command.
"""
from __future__ import annotations

import shlex
import tempfile
from pathlib import Path

from ..options import ProfileError, RunOptions
from .base import parse_tool_json, tool_args
from .binary import BinaryRunner, run_command

TOOL_NAME = "sparsecc-run"
MODEL_NAME = "model.scc"
RESULT_NAME = "result.json"


class RemoteRunner(BinaryRunner):
    targets = ("host", "arm64")
    push_timeout = 600.0

    # --- the transport: subclasses implement these four ---
    def mkdtemp(self) -> str:
        raise NotImplementedError

    def push(self, local: Path, remote: str) -> None:
        raise NotImplementedError

    def pull(self, remote: str, local: Path) -> None:
        raise NotImplementedError

    def shell_argv(self, command: str) -> list[str]:
        """The local command line that runs ``command`` in a shell on the device."""
        raise NotImplementedError

    def shell(self, command: str, what: str, timeout: float | None = None) -> str:
        return run_command(self.shell_argv(command), what, timeout=timeout)

    # --- the flow ---
    def remote_command(self, folder: str, options: RunOptions) -> str:
        q = shlex.quote
        args = " ".join(q(a) for a in tool_args(f"{folder}/{MODEL_NAME}", options))
        return (f"chmod +x {q(folder + '/' + TOOL_NAME)} && {q(folder + '/' + TOOL_NAME)} {args} "
                f"> {q(folder + '/' + RESULT_NAME)}")

    def run(self, model_path, options: RunOptions, progress=None, between_runs=None) -> dict:
        folder = self.mkdtemp().strip()
        if not folder.startswith("/"):
            raise ProfileError(f"--runner {self.name}: could not make a temp folder on the device (got {folder!r})")
        steps, cleaned = 4, False
        try:
            self.push(self.tool, f"{folder}/{TOOL_NAME}")
            self.push(Path(model_path), f"{folder}/{MODEL_NAME}")
            if progress:
                progress(1, steps)
            command = self.remote_command(folder, options)
            self.shell(command, f"--runner {self.name}: sparsecc-run on the device", timeout=self.timeout)
            if progress:
                progress(2, steps)
            with tempfile.TemporaryDirectory(prefix="sparsecc-pull-") as tmp:
                local = Path(tmp) / RESULT_NAME
                self.pull(f"{folder}/{RESULT_NAME}", local)
                text = local.read_text()
            if progress:
                progress(3, steps)
        finally:
            try:
                self.shell(f"rm -rf {shlex.quote(folder)}", f"--runner {self.name}: cleanup", timeout=120)
                cleaned = True
            except ProfileError:
                pass  # the original error (if any) matters more; a failed cleanup is reported below
        e2e, layers, _ = parse_tool_json(text, f"--runner {self.name}")
        if progress:
            progress(steps, steps)
        res = self.result(self.device(), e2e, layers, command=self.shell_argv(command), remote_dir=folder)
        if not cleaned:
            res["note"] = (res["note"] + "; " if res["note"] else "") + f"could not remove {folder} on the device"
        return res
