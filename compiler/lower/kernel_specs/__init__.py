"""Registry of fast-kernel specs: what the compiler knows about each op binding.

A family module (``gemm.py``, ``dwconv.py``, ``vector.py`` in this package)
registers one :class:`KernelSpec` per (kernel name, op)::

    register(KernelSpec(
        name="gemm-6x16", op="Conv", requires=(("gemm", "6x16"),),
        applies=lambda node: ...,              # shapes/attrs this binding runs
        pack=pack_conv_1x1_panels))             # (node, graph) -> Packed

``kernel_select`` takes, per node, the first registered spec (registration
order = preference) whose micro-kernels the target has and which applies.
``applies`` must be exactly as strict as the runtime's prepare function of that
kernel (which rejects what it cannot run): a node the spec accepts must load.
``pack`` returns the node's new inputs -- fresh constant Values holding the
weights in the kernel's layout (never mutate the node or its Values) -- and
extra attributes, typed, that the runtime's prepare reads.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from ...errors import CompileError
from ...ir import Graph, Node, Value
from ..kernel_table import has_kernel

FAMILY_MODULES = ("gemm", "dwconv", "vector", "pool", "norm", "layout", "spmm", "spmv")


@dataclass
class Packed:
    """Result of a spec's pack: replaces the node's inputs, adds typed attributes.

    ``attrs`` maps key -> (type, value) with type "ints", "floats" or "string"
    (the model file's attribute types); values are lists (or a str)."""
    inputs: list[Value | None]
    attrs: dict[str, tuple[str, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class KernelSpec:
    name: str                                   # kernel name stored in the model file
    op: str                                     # IR op it binds
    requires: tuple[tuple[str, str], ...]       # (family, tile) rows of kernels.def it calls
    applies: Callable[[Node], bool]
    pack: Callable[[Node, Graph], Packed] | None = None  # None: inputs unchanged

    def available_on(self, archs) -> bool:
        """True if each required micro-kernel has a row for one of ``archs``."""
        return all(has_kernel(f, t, archs) for f, t in self.requires)


_REGISTRY: list[KernelSpec] = []
_loaded = False


def register(spec: KernelSpec) -> KernelSpec:
    """Add ``spec`` (after those registered before it: lower preference)."""
    for s in _REGISTRY:
        if s.name == spec.name and s.op == spec.op:
            raise CompileError(f"kernel spec {spec.name!r} for op {spec.op} registered twice")
    if spec.name == "ref":
        raise CompileError("'ref' is the reference kernel, not a spec name")
    _REGISTRY.append(spec)
    return spec


def _load_families() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in FAMILY_MODULES:
        try:
            importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as e:  # a family not written yet; anything else is a bug
            if e.name != f"{__name__}.{mod}":
                raise


def all_specs() -> list[KernelSpec]:
    _load_families()
    return list(_REGISTRY)


def specs_for_op(op: str) -> list[KernelSpec]:
    """Registered specs binding ``op``, in preference order."""
    return [s for s in all_specs() if s.op == op]
