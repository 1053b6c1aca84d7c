"""Build the C++ runtime for a target and install it into a folder.

``sparsecc runtime build --target arm64 -o DIR`` runs this: it configures CMake
with the target's toolchain file (targets/<name>.toml -> toolchain), builds only
what a user ships (the runtime libraries and the ``sparsecc-run`` tool, no
tests), and copies them into ``DIR``:

=============  ====================================================================
arm64, x86_64  DIR/include/sparsecc/{runtime.h,c_api.h}, DIR/lib/libsparsecc_runtime.a,
               DIR/lib/libsparsecc_runtime.so, DIR/bin/sparsecc-run
wasm32         DIR/include/sparsecc/..., DIR/lib/sparsecc_runtime.wasm (reactor
               exporting the C API), DIR/bin/sparsecc-run.wasm (WASI command),
               DIR/js/*.mjs (the ES-module wrapper)
=============  ====================================================================

The sources come from the repo (a checkout or an editable install) or, in an
installed wheel, from ``sparsecc/_src`` (root CMakeLists.txt installs
``CMakeLists.txt``, ``runtime_cpp/``, ``targets/`` and ``web/js/`` there).
A build folder that already exists keeps its CMake options (so a developer's
build/arm64 with tests stays one); a new one is configured without tests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sparsecc.compiler.lower.target_desc import TargetDesc, get_target_desc


class RuntimeBuildError(RuntimeError):
    """The runtime could not be built (missing tool, CMake failure); one line, with the log's path."""


@dataclass(frozen=True)
class Layout:
    """What to build and where each built file goes (relative to the build dir and DIR)."""
    cmake_targets: tuple[str, ...]
    files: tuple[tuple[str, str], ...]   # (file name searched under build/runtime_cpp, DIR subfolder)
    js: bool = False                     # copy web/js/*.mjs into DIR/js


_NATIVE = Layout(("sparsecc_runtime", "sparsecc_runtime_shared", "sparsecc-run"),
                 (("libsparsecc_runtime.a", "lib"), ("libsparsecc_runtime.so", "lib"), ("sparsecc-run", "bin")))
_WASM = Layout(("sparsecc-run", "sparsecc_wasm"),
               (("sparsecc_runtime.wasm", "lib"), ("sparsecc-run.wasm", "bin")), js=True)


def layout_for(desc: TargetDesc) -> Layout:
    return _WASM if desc.triple.startswith("wasm32") else _NATIVE


@dataclass
class BuildResult:
    target: str
    out_dir: Path
    build_dir: Path
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"target": self.target, "out_dir": str(self.out_dir), "build_dir": str(self.build_dir),
                "seconds": round(self.seconds, 1),
                "files": [{"path": str(p.relative_to(self.out_dir)), "bytes": p.stat().st_size} for p in self.files]}


def source_root() -> Path:
    """The CMake project to build: ``$SPARSECC_SOURCE_DIR``, the repo, or the wheel's ``_src``."""
    env = os.environ.get("SPARSECC_SOURCE_DIR")
    here = Path(__file__).resolve().parent
    candidates = [Path(env)] if env else [here.parents[1], here / "_src"]
    for c in candidates:
        if (c / "CMakeLists.txt").is_file() and (c / "runtime_cpp" / "CMakeLists.txt").is_file():
            return c
    raise RuntimeBuildError("runtime sources not found (looked at " + ", ".join(map(str, candidates))
                            + "); reinstall sparsecc or set SPARSECC_SOURCE_DIR to a checkout")


def check_host_tools(desc: TargetDesc) -> None:
    """Every program the target's build needs is on PATH, else one error naming them and the fix."""
    tools = dict.fromkeys(("cmake",) + tuple(desc.host_tools))   # cmake always; keeps order, no duplicates
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        hint = f"; install with: {desc.install_hint}" if desc.install_hint else ""
        raise RuntimeBuildError(f"building the {desc.name} runtime needs {', '.join(missing)} "
                                f"(not found on PATH){hint}")


def check_build_dir(build_dir: Path, toolchain: Path) -> None:
    """An existing build folder must have been configured with this toolchain file:
    CMake ignores a changed toolchain on reconfigure, and would install binaries
    for another CPU under this target's name."""
    cache = build_dir / "CMakeCache.txt"
    if not cache.is_file():
        return
    for line in cache.read_text(errors="replace").splitlines():
        if line.startswith("CMAKE_TOOLCHAIN_FILE:"):
            used = line.split("=", 1)[1]
            same = Path(used).resolve() == toolchain.resolve() or (
                Path(used).is_file() and Path(used).read_bytes() == toolchain.read_bytes())
            if not same:
                raise RuntimeBuildError(f"build folder {build_dir} was configured with toolchain {used}, "
                                        f"not {toolchain}; pass another --build-dir")
            return
    raise RuntimeBuildError(f"build folder {build_dir} was configured without a toolchain file, "
                            f"not with {toolchain}; pass another --build-dir")


def _run_logged(cmd: list[str], log_path: Path, step: str) -> None:
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(cmd)}\n")
        log.flush()
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
        errs = [ln for ln in lines if "error" in ln.lower()]
        last = (errs or lines or ["(no output)"])[-1]
        raise RuntimeBuildError(f"{step} failed (exit {proc.returncode}): {last[:300]} -- full log: {log_path}")


def _find_built(build_dir: Path, name: str) -> Path:
    hits = [p for p in (build_dir / "runtime_cpp").rglob(name) if p.is_file() and "CMakeFiles" not in p.parts]
    if not hits:
        raise RuntimeBuildError(f"the build finished but produced no {name} under {build_dir / 'runtime_cpp'}")
    return max(hits, key=lambda p: p.stat().st_mtime)


def _copy(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)   # atomic: a running sparsecc-run is never overwritten in place
    return dst


def build_runtime(target: str, out_dir, build_dir=None, jobs: int = 2, build_type: str = "Release",
                  log=None) -> BuildResult:
    """Configure, build and install the runtime for ``target`` into ``out_dir``.

    ``build_dir`` defaults to ``out_dir/.build`` (kept, so a second call only
    rebuilds what changed). ``log(str)`` receives progress lines.
    """
    log = log or (lambda s: None)
    desc = get_target_desc(target)
    if jobs < 1:
        raise RuntimeBuildError(f"--jobs must be >= 1, got {jobs}")
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise RuntimeBuildError(f"output {out_dir} exists and is not a folder")
    build_dir = Path(build_dir).resolve() if build_dir else out_dir / ".build"
    src = source_root()
    check_build_dir(build_dir, desc.toolchain)
    check_host_tools(desc)
    layout = layout_for(desc)
    t0 = time.perf_counter()
    build_dir.mkdir(parents=True, exist_ok=True)
    log_path = build_dir / "sparsecc-build.log"
    log_path.write_text(f"sparsecc runtime build --target {target}: sources {src}\n")

    configure = ["cmake", "-S", str(src), "-B", str(build_dir), f"-DCMAKE_TOOLCHAIN_FILE={desc.toolchain}",
                 f"-DCMAKE_BUILD_TYPE={build_type}", "-DSPARSECC_BUILD_TOOLS=ON", "-DSPARSECC_BUILD_PYTHON=OFF"]
    if not (build_dir / "CMakeCache.txt").exists():
        configure += ["-DSPARSECC_BUILD_TESTS=OFF"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
    log(f"configuring {desc.name} ({desc.triple}) in {build_dir}")
    _run_logged(configure, log_path, f"cmake configure for {desc.name}")
    log(f"building {', '.join(layout.cmake_targets)} with {jobs} jobs")
    _run_logged(["cmake", "--build", str(build_dir), "-j", str(jobs), "--target", *layout.cmake_targets],
                log_path, f"cmake build for {desc.name}")

    result = BuildResult(desc.name, out_dir, build_dir)
    for header in sorted((src / "runtime_cpp" / "include" / "sparsecc").glob("*.h")):
        result.files.append(_copy(header, out_dir / "include" / "sparsecc"))
    for name, sub in layout.files:
        result.files.append(_copy(_find_built(build_dir, name), out_dir / sub))
    if layout.js:
        js = sorted((src / "web" / "js").glob("*.mjs")) + sorted((src / "web" / "js").glob("*.js"))
        if not js:
            raise RuntimeBuildError(f"no JavaScript wrapper found in {src / 'web' / 'js'}")
        result.files += [_copy(p, out_dir / "js") for p in js]
    result.seconds = time.perf_counter() - t0
    log(f"installed {len(result.files)} files into {out_dir} in {result.seconds:.1f} s")
    return result
