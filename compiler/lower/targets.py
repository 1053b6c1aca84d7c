"""Compile targets: which micro-kernel archs a model compiled for a target may use.

A target names the machine a model file is for. Its ``simd`` arch is the one
whose kernels the compiler prefers; ``scalar`` rows (present for every
(family, tile), same packed layout) are the fallback the runtime uses on a CPU
without that SIMD extension, so a model compiled for ``host`` runs on any x86-64.

=========  ==========================  =====================================
target     simd arch                   runtime accepting it
=========  ==========================  =====================================
host       this machine's (avx2/neon)  the build for this machine
x86_64     avx2 (run-time CPU check)   x86-64 builds
arm64      neon                        aarch64 builds
wasm32     wasmsimd                    wasm32 builds
generic    none (scalar rows only)     every build
=========  ==========================  =====================================
"""
from __future__ import annotations

import platform
from dataclasses import dataclass

from ..errors import CompileError
from ..ir.ops import OPS


@dataclass(frozen=True)
class Target:
    name: str
    simd: str | None          # preferred micro-kernel arch, None = scalar only

    @property
    def archs(self) -> tuple[str, ...]:
        """Archs whose rows this target's runtime compiles, preferred first."""
        return (self.simd, "scalar") if self.simd else ("scalar",)


def _host_simd() -> str | None:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "avx2"
    if machine in ("aarch64", "arm64"):
        return "neon"
    return None


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
        return Target("host", _host_simd())
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
