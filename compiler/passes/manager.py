"""A small pass manager: runs passes in order, checks their requirements,
verifies the IR after each one and can dump it (``dump_after``)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ..errors import CompileError
from ..ir import Graph, format_graph, verify


class Pass:
    """A graph-to-graph rewrite. Subclasses set ``name`` (and ``requires``: names of
    passes that must have run first) and implement ``run(graph) -> modified``."""

    name: str = ""
    requires: tuple[str, ...] = ()

    def run(self, graph: Graph) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class PassResult:
    name: str
    modified: bool
    seconds: float
    nodes_after: int


class PassManager:
    def __init__(self, passes: list[Pass], verify_each: bool = True,
                 dump_after: set[str] | None = None, dump: Callable[[str], None] = print):
        self.passes = list(passes)
        self.verify_each = verify_each
        self.dump_after = set(dump_after or ())
        self.dump = dump

    def run(self, graph: Graph) -> list[PassResult]:
        done: set[str] = set()
        results = []
        for p in self.passes:
            missing = [r for r in p.requires if r not in done]
            if missing:
                raise CompileError(f"pass {p.name} requires {missing} to run first")
            t0 = time.perf_counter()
            modified = bool(p.run(graph))
            seconds = time.perf_counter() - t0
            if self.verify_each:
                verify(graph)
            done.add(p.name)
            results.append(PassResult(p.name, modified, seconds, len(graph.nodes)))
            if p.name in self.dump_after or "all" in self.dump_after:
                self.dump(f"// after {p.name}\n{format_graph(graph)}")
        return results
