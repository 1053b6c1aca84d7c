"""``--runner adb[:serial]``: an Android device through adb (push / shell / pull)."""
from __future__ import annotations

from pathlib import Path

from ..options import ProfileError
from .binary import run_command
from .remote import RemoteRunner


def parse_adb_spec(spec: str) -> str | None:
    """``adb`` -> None (the only device), ``adb:SERIAL`` -> SERIAL."""
    name, sep, serial = spec.partition(":")
    if name != "adb" or (sep and not serial):
        raise ProfileError(f"bad --runner {spec!r}: expected adb or adb:SERIAL")
    return serial or None


class AdbRunner(RemoteRunner):
    name = "adb"
    note = "Android device over adb"

    def __init__(self, spec: str = "adb", target: str = "arm64", runtime_dir: Path | None = None,
                 tool: Path | None = None):
        self.serial = parse_adb_spec(spec)
        super().__init__(target, runtime_dir, tool)

    def _adb(self) -> list[str]:
        return ["adb"] + (["-s", self.serial] if self.serial else [])

    def mkdtemp(self) -> str:
        return self.shell("mktemp -d /data/local/tmp/sparsecc-profile.XXXXXX", "--runner adb: mktemp", timeout=60)

    def push(self, local: Path, remote: str) -> None:
        run_command(self._adb() + ["push", str(local), remote], f"--runner adb: push {local.name}",
                    timeout=self.push_timeout)

    def pull(self, remote: str, local: Path) -> None:
        run_command(self._adb() + ["pull", remote, str(local)], "--runner adb: pull the result",
                    timeout=self.push_timeout)

    def shell_argv(self, command: str) -> list[str]:
        return self._adb() + ["shell", command]

    def shell(self, command: str, what: str, timeout: float | None = None) -> str:
        out = super().shell(command, what, timeout)
        if "\r\n" in out:
            out = out.replace("\r\n", "\n")  # old adb versions translate newlines on the way back
        return out

    def device(self) -> str:
        return f"{self.target} Android device" + (f" {self.serial}" if self.serial else "") + " (adb)"
