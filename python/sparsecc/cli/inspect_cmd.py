"""sparsecc inspect: what a model file holds, layer by layer."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import console, handle_errors, human_bytes, print_json


def describe(path: Path) -> dict:
    from sparsecc import _runtime
    from sparsecc.compiler.artifact import parse
    from sparsecc.compiler.lower.plan import CONSTANT

    _runtime.Model.from_file(str(path))  # the runtime's loader validates every byte first
    data = path.read_bytes()
    plan, producer = parse(data)
    t = plan.tensors
    layers = []
    for i, n in enumerate(plan.nodes):
        ins = [t[x] for x in n.inputs if x is not None]
        layers.append({
            "index": i, "name": n.name, "op": n.op, "kernel": n.kernel,
            "inputs": [list(x.shape) for x in ins if x.kind != CONSTANT],
            "outputs": [list(t[x].shape) for x in n.outputs],
            "weight_bytes": sum(x.nbytes for x in ins if x.kind == CONSTANT),
            "attrs": {k: v for k, _, v in n.attrs},
        })
    return {"path": str(path), "target": plan.target, "producer": producer, "file_bytes": len(data),
            "arena_bytes": plan.arena_size, "weight_bytes": plan.weight_bytes,
            "inputs": [{"name": t[i].name, "shape": list(t[i].shape)} for i in plan.inputs],
            "outputs": [{"name": t[i].name, "shape": list(t[i].shape)} for i in plan.outputs],
            "layers": layers}


def sparsity_cells(attrs: dict) -> tuple[str, str, str]:
    """(sparsity, pattern, why) of a layer: the sparsity pass's informational
    attributes and the lowering's ``kernel_reason`` ("" when absent)."""
    s = attrs.get("sparsity")
    s = s[0] if isinstance(s, list) and s else s
    return (f"{float(s):.0%}" if s is not None else "", escape(str(attrs.get("sparsity_pattern", ""))),
            escape(str(attrs.get("kernel_reason", ""))))


@handle_errors
def inspect_command(
    model: Annotated[Path, typer.Argument(help="Model file (.scc) to describe.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
):
    """Show a model file's layers: op, kernel, shapes, weight bytes, sparsity, pattern, why that kernel, and its memory plan.

    Example:

      sparsecc inspect mobilenet.scc
    """
    info = describe(model)
    if as_json:
        print_json(info)
        return
    table = Table(title=f"{model.name}: target {info['target']}, {info['producer']}")
    for col, just in (("#", "right"), ("layer", "left"), ("op", "left"), ("kernel", "left"),
                      ("input shapes", "left"), ("output shape", "left"), ("weights", "right"),
                      ("sparsity", "right"), ("pattern", "left"), ("why", "left")):
        table.add_column(col, justify=just)
    fmt = lambda s: "x".join(map(str, s))  # noqa: E731
    for layer in info["layers"]:
        table.add_row(str(layer["index"]), escape(layer["name"]), layer["op"], layer["kernel"],
                      " ".join(fmt(s) for s in layer["inputs"]), " ".join(fmt(s) for s in layer["outputs"]),
                      human_bytes(layer["weight_bytes"]) if layer["weight_bytes"] else "",
                      *sparsity_cells(layer["attrs"]))
    console.print(table)
    ins = ", ".join(f"{x['name']} {fmt(x['shape'])}" for x in info["inputs"])
    outs = ", ".join(f"{x['name']} {fmt(x['shape'])}" for x in info["outputs"])
    console.print(f"inputs: {ins}\noutputs: {outs}")
    console.print(f"arena: {human_bytes(info['arena_bytes'])}, weights: {human_bytes(info['weight_bytes'])}, "
                  f"file: {human_bytes(info['file_bytes'])}")
