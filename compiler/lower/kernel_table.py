"""The kernel table ``runtime_cpp/kernels/kernels.def`` as the compiler sees it.

The same file CMake builds the runtime's micro-kernels from (see
docs/kernels.md), so the compiler only selects kernels a runtime for the
target has. One row per (family, tile, arch)::

    gemm   6x16   avx2   scc_f32_gemm_ukernel_6x16__avx2   gemm/f32-gemm-6x16-avx2.cc

Looked up, in order: ``$SPARSECC_KERNEL_TABLE``; the source tree next to this
package (editable installs, the repo); a copy installed beside this module
(wheels: ``kernels.cmake`` installs it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import CompileError

FAMILIES = ("gemm", "igemm", "pgemm", "dwconv", "vact", "vbinary", "vbinaryc", "vsum", "pool", "softmax", "layernorm", "spmm", "spmv")
ARCHS = ("scalar", "avx2", "avx512", "neon", "wasmsimd")


@dataclass(frozen=True)
class KernelRow:
    family: str
    tile: str          # "" for families without a tile (the table writes '-')
    arch: str
    function: str
    source: str        # relative to runtime_cpp/kernels/
    line: int


def table_path() -> Path:
    """Where the kernel table is read from (see the module docstring)."""
    env = os.environ.get("SPARSECC_KERNEL_TABLE")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    candidates = [here.parents[1] / "runtime_cpp" / "kernels" / "kernels.def", here / "kernels.def"]
    for c in candidates:
        if c.is_file():
            return c
    raise CompileError("kernel table kernels.def not found (looked at "
                       + ", ".join(str(c) for c in candidates) + "); set SPARSECC_KERNEL_TABLE")


def parse_table(text: str, origin: str = "kernels.def") -> list[KernelRow]:
    """Parse the table's text; errors name ``origin:line``."""
    rows: list[KernelRow] = []
    seen: set[tuple[str, str, str]] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) != 5:
            raise CompileError(f"{origin}:{lineno}: expected 5 columns (family tile arch function source), "
                               f"got {len(cols)}: {line!r}")
        family, tile, arch, function, source = cols
        if family not in FAMILIES:
            raise CompileError(f"{origin}:{lineno}: unknown family {family!r} (known: {', '.join(FAMILIES)})")
        if arch not in ARCHS:
            raise CompileError(f"{origin}:{lineno}: unknown arch {arch!r} (known: {', '.join(ARCHS)})")
        tile = "" if tile == "-" else tile
        if (family, tile, arch) in seen:
            raise CompileError(f"{origin}:{lineno}: duplicate row {family} {tile or '-'} {arch}")
        seen.add((family, tile, arch))
        rows.append(KernelRow(family, tile, arch, function, source, lineno))
    return rows


@lru_cache(maxsize=None)
def _load(path: str, mtime: float) -> tuple[KernelRow, ...]:
    return tuple(parse_table(Path(path).read_text(), origin=path))


def kernel_rows() -> tuple[KernelRow, ...]:
    """Every row of the table (re-read when the file changes)."""
    p = table_path()
    try:
        return _load(str(p), p.stat().st_mtime)
    except OSError as e:
        raise CompileError(f"cannot read the kernel table {p}: {e}") from None


def has_kernel(family: str, tile: str, archs) -> bool:
    """True if (family, tile) has a row for one of ``archs``."""
    return any(r.family == family and r.tile == tile and r.arch in archs for r in kernel_rows())


def tiles(family: str, arch: str) -> list[str]:
    """Tiles of ``family`` that ``arch`` has, in table order."""
    return [r.tile for r in kernel_rows() if r.family == family and r.arch == arch]
