"""What each compile target can run. For now every target has the scalar
reference kernel ("ref") of every IR op; the fast kernel table (one declarative
list shared with the runtime) extends this per target."""
from __future__ import annotations

from ..errors import CompileError
from ..ir.ops import OPS

TARGETS = ("host",)


def kernels_for(target: str, op: str) -> list[str]:
    """Kernel names available for ``op`` on ``target``, best first."""
    if target not in TARGETS:
        raise CompileError(f"unknown target {target!r}; known targets: {', '.join(TARGETS)}")
    return ["ref"] if op in OPS else []
