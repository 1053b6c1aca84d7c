"""Remove nodes whose outputs nobody reads (dead code after other rewrites)."""
from __future__ import annotations

from ..ir import Graph
from .manager import Pass


class RemoveUnused(Pass):
    name = "remove_unused"

    def run(self, graph: Graph) -> bool:
        return graph.remove_unused() > 0
