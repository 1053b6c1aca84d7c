"""``--runner ssh://user@host[:port]``: a Linux device reached with ssh/scp (keys, no password prompt)."""
from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

from ..options import ProfileError
from .binary import run_command
from .remote import RemoteRunner

SSH_OPTS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]


def parse_ssh_spec(spec: str) -> tuple[str, int | None]:
    """``ssh://user@host[:port]`` -> ("user@host", port or None)."""
    u = urlsplit(spec)
    if u.scheme != "ssh" or not u.hostname or (u.path not in ("", "/")):
        raise ProfileError(f"bad --runner {spec!r}: expected ssh://user@host or ssh://user@host:port")
    try:
        port = u.port
    except ValueError:
        raise ProfileError(f"bad --runner {spec!r}: the port must be a number") from None
    dest = f"{u.username}@{u.hostname}" if u.username else u.hostname
    return dest, port


class SshRunner(RemoteRunner):
    name = "ssh"
    note = "remote device over ssh"

    def __init__(self, spec: str, target: str = "host", runtime_dir: Path | None = None, tool: Path | None = None):
        self.dest, self.port = parse_ssh_spec(spec)
        super().__init__(target, runtime_dir, tool)

    def _ssh(self) -> list[str]:
        return ["ssh", *SSH_OPTS] + (["-p", str(self.port)] if self.port else []) + [self.dest]

    def _scp(self) -> list[str]:
        return ["scp", "-q", *SSH_OPTS] + (["-P", str(self.port)] if self.port else [])

    def mkdtemp(self) -> str:
        return self.shell("mktemp -d /tmp/sparsecc-profile.XXXXXX", f"--runner ssh ({self.dest}): mktemp", timeout=60)

    def push(self, local: Path, remote: str) -> None:
        run_command(self._scp() + [str(local), f"{self.dest}:{shlex.quote(remote)}"],
                    f"--runner ssh: scp {local.name} to {self.dest}", timeout=self.push_timeout)

    def pull(self, remote: str, local: Path) -> None:
        run_command(self._scp() + [f"{self.dest}:{shlex.quote(remote)}", str(local)],
                    f"--runner ssh: scp from {self.dest}", timeout=self.push_timeout)

    def shell_argv(self, command: str) -> list[str]:
        return self._ssh() + [command]

    def device(self) -> str:
        return f"{self.target} device {self.dest}" + (f":{self.port}" if self.port else "") + " (ssh)"
