#!/usr/bin/env python3
"""A fake remote device for the ssh/adb runner tests: installed as ``ssh``, ``scp`` and ``adb``
(symlinks to this file, first on PATH), it runs every command on this machine.

``$FAKE_DEVICE_ROOT`` plays the device's filesystem: device paths under /tmp/ (ssh)
and /data/local/tmp/ (adb) live below it, so nothing touches the real /tmp. Every
call is appended as one JSON line ``{"tool": ..., "argv": [...]}`` to
``$FAKE_DEVICE_LOG``. ``$FAKE_DEVICE_FAIL_ON`` (a substring) makes a shell command
containing it fail with exit 255, as a dropped connection would.
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.environ["FAKE_DEVICE_ROOT"]


DEVICE_PATH = re.compile(r"(?<![\w/.-])(/data/local/tmp/|/tmp/sparsecc-profile\.)")


def to_local(text: str) -> str:
    """Device paths (at the start of a word) -> the same paths below ROOT."""
    return DEVICE_PATH.sub(lambda m: ROOT + m.group(1), text)


def to_device(text: str) -> str:
    return text.replace(ROOT, "")


def shell(command: str) -> int:
    if os.environ.get("FAKE_DEVICE_FAIL_ON") and os.environ["FAKE_DEVICE_FAIL_ON"] in command:
        sys.stderr.write("fake device: connection lost\n")
        return 255
    os.makedirs(ROOT + "/tmp", exist_ok=True)
    os.makedirs(ROOT + "/data/local/tmp", exist_ok=True)
    r = subprocess.run(["bash", "-c", to_local(command)], capture_output=True, text=True)
    sys.stdout.write(to_device(r.stdout))
    sys.stderr.write(r.stderr)
    return r.returncode


def copy(src: str, dst: str) -> int:
    try:
        shutil.copy(src, dst)
    except OSError as e:
        sys.stderr.write(f"fake device: {e}\n")
        return 1
    return 0


def strip_opts(args: list[str], with_value: set[str]) -> list[str]:
    out, i = [], 0
    while i < len(args):
        if args[i] in with_value:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            out.append(args[i])
            i += 1
    return out


def main() -> int:
    tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
    with open(os.environ["FAKE_DEVICE_LOG"], "a") as f:
        f.write(json.dumps({"tool": tool, "argv": args}) + "\n")
    if tool == "ssh":
        dest, *command = strip_opts(args, {"-o", "-p"})
        return shell(" ".join(command))
    if tool == "scp":
        src, dst = strip_opts(args, {"-o", "-P"})
        on_device = lambda s: s.split(":", 1)[1] if ":" in s else None  # noqa: E731
        if on_device(dst) is not None:
            return copy(src, to_local(on_device(dst)))
        return copy(to_local(on_device(src)), dst)
    if tool == "adb":
        args = strip_opts(args, {"-s"}) if args[:1] == ["-s"] else args
        cmd, *rest = args
        if cmd == "shell":
            return shell(" ".join(rest))
        if cmd == "push":
            return copy(rest[0], to_local(rest[1]))
        if cmd == "pull":
            return copy(to_local(rest[0]), rest[1])
    sys.stderr.write(f"fake device: unsupported call {tool} {args}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
