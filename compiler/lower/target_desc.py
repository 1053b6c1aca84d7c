"""Target descriptions: ``targets/<name>.toml``, one per machine kind.

A description says what the compiler and the build need to know about a target:
its triple, the micro-kernel arch (a column of runtime_cpp/kernels/kernels.def),
ISA features, vector width, cores and caches of the default device, the CMake
toolchain file that cross-builds the runtime, how to run a binary built for it
(``[runner]``: local, qemu, node, wasmtime), and device tags (``[devices.<tag>]``,
e.g. cortex-a76) whose numbers the cost model may use. The schema is in
``targets/README.md``; every key is validated here and an error names the file
and the key.

Looked up, in order: ``$SPARSECC_TARGETS_DIR``; ``targets/`` in the source tree
(the repo, editable installs); ``sparsecc/_src/targets`` in an installed wheel.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import CompileError
from .kernel_table import ARCHS

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    tomllib = None

RUNNER_KINDS = ("local", "qemu", "node", "wasmtime")


class TargetDescError(CompileError):
    """A target description is missing, unreadable or invalid (the message names file and key)."""


@dataclass(frozen=True)
class Device:
    """A concrete CPU the target covers (numbers for the cost model)."""
    tag: str
    cores: int
    l1d_kib: int
    l2_kib: int
    freq_ghz: float
    fma_lanes_per_cycle: int    # fp32 lanes of fused multiply-add issued per cycle and core

    @property
    def peak_gflops(self) -> float:
        """fp32 peak of all cores: 2 flops per FMA lane per cycle."""
        return 2.0 * self.fma_lanes_per_cycle * self.freq_ghz * self.cores


@dataclass(frozen=True)
class Runner:
    kind: str                   # one of RUNNER_KINDS
    command: tuple[str, ...]    # prefix put before the program and its arguments ([] = run directly)


@dataclass(frozen=True)
class TargetDesc:
    name: str
    triple: str
    kernel_arch: str
    isa_features: tuple[str, ...]
    vector_bits: int
    cores: int
    l1d_kib: int
    l2_kib: int
    toolchain: Path             # absolute path of the CMake toolchain file
    runner: Runner
    devices: dict[str, Device] = field(default_factory=dict)
    host_tools: tuple[str, ...] = ()   # programs `sparsecc runtime build` needs on PATH
    install_hint: str = ""             # how to get them, shown when one is missing
    path: Path | None = None           # the .toml it was read from

    def device(self, tag: str) -> Device:
        """The device called ``tag``; TargetDescError listing the known tags otherwise."""
        if tag not in self.devices:
            known = ", ".join(self.devices) or "none"
            raise TargetDescError(f"target {self.name!r} has no device {tag!r}; its devices: {known}")
        return self.devices[tag]


def targets_dir() -> Path:
    """The folder holding the target descriptions (see the module docstring)."""
    env = os.environ.get("SPARSECC_TARGETS_DIR")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2]      # the repo, or site-packages/sparsecc in a wheel
    candidates = [root / "targets", root / "_src" / "targets"]
    for c in candidates:
        if c.is_dir():
            return c
    raise TargetDescError("target descriptions not found (looked at "
                          + ", ".join(str(c) for c in candidates) + "); set SPARSECC_TARGETS_DIR")


# --- validation -------------------------------------------------------------

class _Checker:
    """Reads typed values out of a TOML table; errors say ``file: key 'a.b': ...``."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, key: str, what: str):
        raise TargetDescError(f"{self.origin}: key {key!r}: {what}")

    def get(self, table: dict, prefix: str, key: str, kind, required: bool = True, default=None):
        full = f"{prefix}{key}"
        if key not in table:
            if required:
                self.fail(full, "missing")
            return default
        value = table[key]
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                self.fail(full, f"expected a positive integer, got {value!r}")
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                self.fail(full, f"expected a positive number, got {value!r}")
            value = float(value)
        elif kind is str:
            if not isinstance(value, str) or not value:
                self.fail(full, f"expected a non-empty string, got {value!r}")
        elif kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.fail(full, f"expected a list of strings, got {value!r}")
            value = tuple(value)
        elif kind is dict:
            if not isinstance(value, dict):
                self.fail(full, f"expected a table, got {value!r}")
        return value

    def no_unknown(self, table: dict, prefix: str, known: tuple[str, ...]):
        for key in table:
            if key not in known:
                self.fail(f"{prefix}{key}", f"unknown key (known: {', '.join(known)})")


_TOP_KEYS = ("name", "triple", "kernel_arch", "isa_features", "vector_bits", "cores", "l1d_kib", "l2_kib",
             "toolchain", "runner", "devices", "host_tools", "install_hint", "description")
_DEVICE_KEYS = ("cores", "l1d_kib", "l2_kib", "freq_ghz", "fma_lanes_per_cycle")


def parse_target_desc(data: dict, origin: str, base_dir: Path) -> TargetDesc:
    """Validate a parsed TOML document; ``base_dir`` resolves the toolchain path."""
    c = _Checker(origin)
    c.no_unknown(data, "", _TOP_KEYS)
    name = c.get(data, "", "name", str)
    kernel_arch = c.get(data, "", "kernel_arch", str)
    if kernel_arch not in ARCHS:
        c.fail("kernel_arch", f"{kernel_arch!r} is not an arch of kernels.def ({', '.join(ARCHS)})")
    toolchain = base_dir / c.get(data, "", "toolchain", str)
    if not toolchain.is_file():
        c.fail("toolchain", f"file {toolchain} does not exist")

    runner_t = c.get(data, "", "runner", dict)
    c.no_unknown(runner_t, "runner.", ("kind", "command"))
    kind = c.get(runner_t, "runner.", "kind", str)
    if kind not in RUNNER_KINDS:
        c.fail("runner.kind", f"expected one of {', '.join(RUNNER_KINDS)}, got {kind!r}")
    command = c.get(runner_t, "runner.", "command", list, required=False, default=())
    if kind != "local" and not command:
        c.fail("runner.command", f"a {kind} runner needs a command")

    devices = {}
    for tag, dev in c.get(data, "", "devices", dict, required=False, default={}).items():
        prefix = f"devices.{tag}."
        if not isinstance(dev, dict):
            c.fail(f"devices.{tag}", f"expected a table, got {dev!r}")
        c.no_unknown(dev, prefix, _DEVICE_KEYS)
        devices[tag] = Device(tag, c.get(dev, prefix, "cores", int), c.get(dev, prefix, "l1d_kib", int),
                              c.get(dev, prefix, "l2_kib", int), c.get(dev, prefix, "freq_ghz", float),
                              c.get(dev, prefix, "fma_lanes_per_cycle", int))

    return TargetDesc(
        name=name, triple=c.get(data, "", "triple", str), kernel_arch=kernel_arch,
        isa_features=c.get(data, "", "isa_features", list), vector_bits=c.get(data, "", "vector_bits", int),
        cores=c.get(data, "", "cores", int), l1d_kib=c.get(data, "", "l1d_kib", int),
        l2_kib=c.get(data, "", "l2_kib", int), toolchain=toolchain.resolve(),
        runner=Runner(kind, tuple(command)), devices=devices,
        host_tools=c.get(data, "", "host_tools", list, required=False, default=()),
        install_hint=c.get(data, "", "install_hint", str, required=False, default=""),
        path=Path(origin))


def load_target_desc(path) -> TargetDesc:
    """Read and validate one description file; its ``name`` must equal the file's stem."""
    path = Path(path)
    if tomllib is None:  # pragma: no cover
        raise TargetDescError("reading target descriptions needs Python 3.11+ (tomllib)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetDescError(f"{path}: no such target description") from None
    except (OSError, UnicodeDecodeError) as e:
        raise TargetDescError(f"{path}: cannot read ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise TargetDescError(f"{path}: invalid TOML ({e})") from None
    desc = parse_target_desc(data, str(path), path.parent)
    if desc.name != path.stem:
        raise TargetDescError(f"{path}: key 'name': {desc.name!r} differs from the file name {path.stem!r}")
    return desc


@lru_cache(maxsize=None)
def _load_dir(directory: str, stamp: tuple) -> tuple[TargetDesc, ...]:
    return tuple(load_target_desc(p) for p in sorted(Path(directory).glob("*.toml")))


def list_target_descs(directory=None) -> list[TargetDesc]:
    """Every ``*.toml`` in the targets folder, sorted by name (re-read when a file changes)."""
    d = Path(directory) if directory else targets_dir()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(d.glob("*.toml")))
    return list(_load_dir(str(d), stamp))


def get_target_desc(name: str, directory=None) -> TargetDesc:
    """The description of target ``name``; TargetDescError listing the known ones otherwise."""
    descs = {d.name: d for d in list_target_descs(directory)}
    if name not in descs:
        raise TargetDescError(f"unknown target {name!r}; described targets: {', '.join(descs) or 'none'}")
    return descs[name]
