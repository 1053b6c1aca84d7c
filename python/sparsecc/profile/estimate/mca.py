"""IPC of a NEON kernel's hot inner loop, from llvm-mca (a static pipeline model).

The kernel's source (runtime_cpp/kernels/<family>/f32-<kernel>*-neon.cc) is compiled
for aarch64 with ``clang-16 -O3 -S``; every loop in the assembly (a label and a later
branch back to it) is a candidate; the hot loop is the one with the most fused
multiply-adds, then SIMD floating-point instructions (fmul/fadd/fmax... on vector registers), ties
going to the shorter body, among innermost loops only, skipping loops with a
division/square root/call (activation epilogues shared by all kernels); fused
multiply-adds count first, so conv/gemm/spmm get their accumulation loop. Its body (labels and directives
removed) is run through ``llvm-mca-16 -mtriple=aarch64 -mcpu=<core>`` for 200
iterations; the IPC is llvm-mca's "IPC" (instructions / simulated cycles). llvm-mca
assumes every load hits L1 and every branch is predicted: it ignores memory
stalls, cache misses and the loop's prologue/epilogue.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from ..options import ProfileError



def _source_root() -> Path:
    """The runtime sources: the checkout, ``$SPARSECC_SOURCE_DIR`` or the wheel's copy (runtime_build)."""
    from sparsecc.runtime_build import source_root

    try:
        return source_root()
    except Exception:   # no sources anywhere: kernel_source() then finds nothing (assumed IPC)
        return Path(__file__).resolve().parents[4]


REPO = _source_root()
KERNELS = REPO / "runtime_cpp" / "kernels"
CLANG, MCA = "clang-16", "llvm-mca-16"
ITERATIONS = 200

_BRANCH = re.compile(r"^\s*(b(?:\.\w+)?|cbn?z|tbn?z)\s+(?:[^,]+,\s*)*([.\w$]+)\s*$")
_LABEL = re.compile(r"^([.\w$]+):")
_SIMD_FP = re.compile(r"^\s*f(mla|mls|mul|add|sub|max|min|div|neg|abs)\w*\s+v\d+\.")
_FMA = re.compile(r"^\s*fml[as]\s+v\d+\.")
# loops of transcendental activation epilogues (division, sqrt) or with calls are not a kernel's core
_NOT_CORE = re.compile(r"^\s*(fdiv|fsqrt|frecpe|frsqrte|bl|blr)\s")


def kernel_source(kernel: str) -> Path | None:
    """The NEON source of a plan kernel name (``im2col-gemm-8x8``, ``spmm-g4``, ``vector``), or None."""
    name = kernel.removeprefix("im2col-")
    for pattern in (f"f32-{name}-neon.cc", f"f32-{name}-*-neon.cc", f"f32-{name.split('-')[0]}-neon.cc"):
        found = sorted(KERNELS.glob(f"*/{pattern}"))
        if found:
            return found[0]
    return None


def hot_loop(asm: str) -> list[str]:
    """The instructions of the hot inner loop of an assembly listing ([] when it has no loop).

    Loops are (label line, backward-branch line) spans; only innermost ones (no other
    loop inside) are candidates; loops with a division, square root or call are skipped
    (activation epilogues such as GELU, not the kernel's core); the one with the most
    fused multiply-adds wins, then the most SIMD floating-point instructions, then the
    shorter body."""
    lines = [l.split("//")[0].rstrip() for l in asm.splitlines()]
    labels, loops = {}, []
    for j, line in enumerate(lines):
        if (m := _LABEL.match(line)):
            labels[m.group(1)] = j
        elif (m := _BRANCH.match(line)) and m.group(2) in labels:
            loops.append((labels[m.group(2)], j))   # a branch back to an earlier label
    inner = [(a, b) for a, b in loops if not any(a <= c and d <= b and (c, d) != (a, b) for c, d in loops)]
    best, best_key = [], None
    for a, b in inner:
        body = [l.strip() for l in lines[a + 1: b + 1]
                if l.strip() and not _LABEL.match(l) and not l.strip().startswith(".")]
        if any(_NOT_CORE.match(l) for l in body):
            continue
        simd = sum(1 for l in body if _SIMD_FP.match(l))
        key = (sum(1 for l in body if _FMA.match(l)), simd, -len(body))
        if simd and (best_key is None or key > best_key):
            best, best_key = body, key
    return best


def _run(cmd: list[str], what: str, stdin: str | None = None) -> str:
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ProfileError(f"{what} failed: {last}")
    return r.stdout


def tools_available() -> str | None:
    """None when clang-16 and llvm-mca-16 are on PATH, else what is missing."""
    missing = [t for t in (CLANG, MCA) if not shutil.which(t)]
    return None if not missing else f"{' and '.join(missing)} not installed (apt-get install clang-16 llvm-16)"


def mca_stats(loop: list[str], mcpu: str) -> dict:
    """llvm-mca's IPC and cycles per iteration of ``loop`` on ``mcpu``."""
    out = _run([MCA, "-mtriple=aarch64", f"-mcpu={mcpu}", f"-iterations={ITERATIONS}"], f"{MCA} -mcpu={mcpu}",
               "\n".join(loop) + "\n")
    ipc = re.search(r"^IPC:\s+([\d.]+)", out, re.M)
    cycles = re.search(r"^Total Cycles:\s+(\d+)", out, re.M)
    if not ipc or not cycles:
        raise ProfileError(f"{MCA}: no IPC in its output (first line: {out.splitlines()[:1]})")
    return {"ipc": float(ipc.group(1)), "cycles_per_iteration": int(cycles.group(1)) / ITERATIONS,
            "loop_instructions": len(loop)}


CACHE = Path(os.environ.get("SPARSECC_MCA_CACHE") or REPO / "build" / "qemu-plugin" / "mca-cache.json")


def _cache_key(src: Path, mcpu: str) -> str:
    """Source + the NEON helper header + core: a kernel edit invalidates its entry."""
    h = hashlib.sha256(src.read_bytes())
    h.update((KERNELS / "simd-neon.h").read_bytes() if (KERNELS / "simd-neon.h").is_file() else b"")
    return f"{src.relative_to(REPO)}:{mcpu}:{h.hexdigest()[:16]}"


@lru_cache(maxsize=None)
def kernel_ipc(kernel: str, mcpu: str) -> dict | None:
    """{ipc, cycles_per_iteration, loop_instructions, source} of the kernel's hot loop, or None
    (no NEON source for this kernel, e.g. ``ref``, or no loop with SIMD floating point in it).
    Results are cached in build/qemu-plugin/mca-cache.json or ``$SPARSECC_MCA_CACHE`` (compiling
    takes seconds)."""
    src = kernel_source(kernel)
    if src is None:
        return None
    key = _cache_key(src, mcpu)
    try:
        cache = json.loads(CACHE.read_text())
    except (OSError, ValueError):
        cache = {}
    if key in cache:
        return cache[key]
    include = [f"-I{REPO / 'runtime_cpp' / d}" for d in ("kernels", "src", "include")]
    asm = _run([CLANG, "--target=aarch64-linux-gnu", "-O3", "-std=c++17", "-S", "-o", "-", *include, str(src)],
               f"{CLANG} -S {src.name}")
    loop = hot_loop(asm)
    result = {**mca_stats(loop, mcpu), "source": str(src.relative_to(REPO))} if loop else None
    cache[key] = result
    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        tmp = CACHE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, indent=1))
        tmp.replace(CACHE)
    except OSError:
        pass  # a read-only checkout: no cache, same result
    return result
