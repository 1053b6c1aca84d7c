"""A readable text dump of the IR, one line per node (used by --dump-after and tests)."""
from __future__ import annotations

import numpy as np

from .graph import Graph


def _fmt_attr(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        if len(v) > 8:
            return "[" + ",".join(_fmt_attr(x) for x in v[:8]) + f",...({len(v)})]"
        return "[" + ",".join(_fmt_attr(x) for x in v) + "]"
    return str(v)


def _fmt_value(v) -> str:
    if v is None:
        return "-"
    shape = "x".join(str(d) for d in v.shape) or "scalar"
    return f"%{v.name}<{shape}>" + ("=const" if v.is_const else "")


def format_graph(graph: Graph) -> str:
    lines = [f"graph {graph.name} ("]
    lines += [f"  in  {_fmt_value(v)}" for v in graph.inputs]
    lines.append(") {")
    for node in graph.nodes:
        outs = ", ".join(_fmt_value(v) for v in node.outputs)
        ins = ", ".join(_fmt_value(v) for v in node.inputs)
        attrs = " ".join(f"{k}={_fmt_attr(v)}" for k, v in sorted(node.attrs.items()))
        lines.append(f"  {outs} = {node.op}({ins})" + (f" {{{attrs}}}" if attrs else "") + f"  # {node.name}")
    lines.append("}")
    lines += [f"out {_fmt_value(v)}" for v in graph.outputs]
    n_const = sum(v.size for v in graph.values() if v.is_const and v.dtype == np.float32)
    lines.append(f"# {len(graph.nodes)} nodes, {n_const} constant floats")
    return "\n".join(lines)
