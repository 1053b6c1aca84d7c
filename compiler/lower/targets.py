"""Compile targets: which micro-kernel archs a model compiled for a target may use.

A target names the machine a model file is for. Its ``simd`` arch is the one
whose kernels the compiler prefers; ``scalar`` rows (present for every
(family, tile), same packed layout) are the fallback the runtime uses on a CPU
without that SIMD extension, so a model compiled for ``host`` runs on any x86-64.

=========  ==========================  =====================================
target     simd arch                   runtime accepting it
=========  ==========================  =====================================
host       this machine's best         the build for this machine
           (avx512 then avx2 / neon)
x86_64     avx2 (run-time CPU check)   x86-64 builds
arm64      neon                        aarch64 builds
wasm32     wasmsimd                    wasm32 builds
generic    none (scalar rows only)     every build
=========  ==========================  =====================================
"""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass

from ..errors import CompileError
from ..ir.ops import OPS


@dataclass(frozen=True)
class Target:
    name: str
    simd: str | None          # preferred micro-kernel arch, None = scalar only
    also: tuple[str, ...] = ()  # further SIMD archs, in preference order

    @property
    def simd_archs(self) -> tuple[str, ...]:
        """SIMD archs, preferred first (empty for scalar-only targets)."""
        return ((self.simd,) + self.also) if self.simd else ()

    @property
    def archs(self) -> tuple[str, ...]:
        """Archs whose rows this target's runtime compiles, preferred first."""
        return self.simd_archs + ("scalar",)


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _host_simd() -> tuple[str, ...]:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        flags = _cpu_flags()
        if os.environ.get("SPARSECC_HOST_AVX512", "1") != "0" and {"avx512f", "avx2", "fma"} <= flags:
            return ("avx512", "avx2")
        return ("avx2",)
    if machine in ("aarch64", "arm64"):
        return ("neon",)
    return ()


_FIXED = {
    "x86_64": Target("x86_64", "avx2"),
    "arm64": Target("arm64", "neon"),
    "wasm32": Target("wasm32", "wasmsimd"),
    "generic": Target("generic", None),
}
TARGETS = ("host",) + tuple(_FIXED)


def get_target(name: str) -> Target:
    """The Target called ``name``; CompileError listing the known ones otherwise."""
    if name == "host":
        simd = _host_simd()
        return Target("host", simd[0], simd[1:]) if simd else Target("host", None)
    if name in _FIXED:
        return _FIXED[name]
    raise CompileError(f"unknown target {name!r}; known targets: {', '.join(TARGETS)}")


def kernels_for(target: str, op: str) -> list[str]:
    """Kernel names available for ``op`` on ``target`` regardless of the node's
    shapes, best first: the registered fast kernels whose micro-kernels the
    target has, then "ref". Per-node choice: ``kernel_select.select_kernel``."""
    from .kernel_specs import specs_for_op

    t = get_target(target)
    if op not in OPS:
        return []
    fast = [s.name for s in specs_for_op(op) if s.available_on(t.archs)]
    return fast + ["ref"]
