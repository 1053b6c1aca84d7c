"""Where the ``sparsecc-run`` tool for a target is.

Lookup order: ``--runtime-dir DIR`` (the output of ``sparsecc runtime build
--target T -o DIR``: ``DIR/bin/sparsecc-run`` or ``DIR/bin/sparsecc-run.wasm``),
then ``$SPARSECC_RUNTIME_DIR_<TARGET>`` / ``$SPARSECC_RUNTIME_DIR``, then (host
only) ``sparsecc-run`` on PATH, then ``build/runtime-<target>/bin`` and the
repository's CMake build folders (``build/*/runtime_cpp``, newest first, checked
to be built for the target by their ELF/wasm header; the repository is
``$SPARSECC_SOURCE_DIR`` when set).
"""
from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

from ..options import ProfileError

# the source checkout whose build/ folders are searched: $SPARSECC_SOURCE_DIR (as for
# `sparsecc runtime build`; needed when sparsecc is installed as a wheel), else the
# checkout this module lives in (editable installs)
REPO = Path(os.environ.get("SPARSECC_SOURCE_DIR") or Path(__file__).resolve().parents[4])
TOOL = {"host": "sparsecc-run", "arm64": "sparsecc-run", "wasm32": "sparsecc-run.wasm"}


def _in_dir(d: Path, target: str) -> Path | None:
    for p in (d / "bin" / TOOL[target], d / TOOL[target]):
        if p.is_file():
            return p
    return None


def find_tool(target: str, runtime_dir: Path | None = None) -> Path:
    if target not in TOOL:
        raise ProfileError(f"no runtime tool for target {target!r}; targets: {', '.join(TOOL)}")
    if runtime_dir is not None:
        found = _in_dir(Path(runtime_dir), target)
        if not found:
            raise ProfileError(f"--runtime-dir {runtime_dir}: no bin/{TOOL[target]} there "
                               f"(build it with: sparsecc runtime build --target {target} -o {runtime_dir})")
        return found
    for var in (f"SPARSECC_RUNTIME_DIR_{target.upper()}", "SPARSECC_RUNTIME_DIR"):
        if os.environ.get(var) and (found := _in_dir(Path(os.environ[var]), target)):
            return found
    candidates: list[Path] = []
    if target == "host" and (p := shutil.which("sparsecc-run")):
        candidates.append(Path(p))
    candidates.append(REPO / "build" / f"runtime-{target}" / "bin" / TOOL[target])
    candidates += sorted((REPO / "build").glob(f"*/runtime_cpp/{TOOL[target]}"), key=_mtime, reverse=True)
    for p in candidates:
        if p.is_file() and (target == "wasm32" or os.access(p, os.X_OK)) and _built_for(p, target):
            return p
    raise ProfileError(f"no {target} {TOOL[target]} found: build it with "
                       f"`sparsecc runtime build --target {target} -o DIR` and pass --runtime-dir DIR")


# ELF e_machine of the targets' executables (CMake build folders do not say which target they hold)
_ELF_MACHINE = {"x86_64": 0x3E, "aarch64": 0xB7, "arm64": 0xB7}


def _built_for(p: Path, target: str) -> bool:
    """Whether the file's header fits the target: wasm magic, or an ELF for arm64 / this machine."""
    try:
        head = p.open("rb").read(20)
    except OSError:
        return False
    if target == "wasm32":
        return head[:4] == b"\0asm"
    if head[:4] != b"\x7fELF":
        return target == "host"  # not ELF (e.g. a script wrapper on PATH): trust it for the host
    machine = int.from_bytes(head[18:20], "little")
    want = _ELF_MACHINE.get("aarch64" if target == "arm64" else platform.machine().lower())
    return want is None or machine == want


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0
