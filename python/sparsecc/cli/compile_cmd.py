"""sparsecc compile: ONNX -> .scc model file."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import console, handle_errors, human_bytes, print_json


@handle_errors
def compile_command(
    model: Annotated[Path, typer.Argument(help="ONNX model to compile.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Model file to write (default: MODEL.scc).")] = None,
    target: Annotated[str, typer.Option(help="Target to compile for.")] = "host",
    input_shape: Annotated[Optional[list[str]], typer.Option(
        "--input-shape", help="Fix an input's shape: NAME:D0,D1,... (repeatable).")] = None,
    dump_after: Annotated[Optional[list[str]], typer.Option(
        "--dump-after", help="Print the IR after this pass ('all' for every pass).")] = None,
    prune_channels: Annotated[float, typer.Option(
        "--prune-channels", help="Remove this fraction of each layer's channels first, in [0, 1).")] = 0.0,
    prune_criterion: Annotated[str, typer.Option(
        "--prune-criterion", help="Channel criterion: l1, l2, bn_scale, activation, taylor or obs.")] = "l2",
    calib: Annotated[Optional[Path], typer.Option(
        "--calib", help="Calibration samples for pruning: .npz keyed by input name (or one array).")] = None,
    compensate: Annotated[Optional[bool], typer.Option(
        "--compensate/--no-compensate", help="Refit the layers reading pruned channels "
        "(default: on with --calib or --prune-criterion obs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
):
    """Compile an ONNX model into a sparsecc model file.

    Examples:

      sparsecc compile mobilenet.onnx -o mobilenet.scc

      sparsecc compile model.onnx --input-shape input:1,3,224,224 --dump-after fold_batchnorm

      sparsecc compile model.onnx --prune-channels 0.3 --prune-criterion obs --calib calib.npz
    """
    import sparsecc

    out = output or model.with_suffix(".scc")
    compiled = sparsecc.compile(model, target=target, input_shapes=input_shape,
                                dump_after=set(dump_after) if dump_after else None,
                                prune_channels=prune_channels, prune_criterion=prune_criterion,
                                calibration=calib, compensate=compensate)
    compiled.save(out)
    plan = compiled.plan
    summary = {
        "output": str(out), "target": plan.target, "nodes": len(plan.nodes),
        "file_bytes": len(compiled), "weight_bytes": plan.weight_bytes,
        "arena_bytes": plan.arena_size, "arena_bytes_without_reuse": plan.naive_arena_size,
        "passes": [{"name": r.name, "modified": r.modified, "seconds": round(r.seconds, 4),
                    "nodes_after": r.nodes_after} for r in compiled.pass_results],
    }
    if as_json:
        print_json(summary)
        return
    console.print(f"wrote [bold]{out}[/] for target [bold]{plan.target}[/]: {len(plan.nodes)} nodes, "
                  f"weights {human_bytes(plan.weight_bytes)}, file {human_bytes(len(compiled))}")
    console.print(f"activation arena: {human_bytes(plan.arena_size)} peak "
                  f"(vs {human_bytes(plan.naive_arena_size)} without reuse)")
