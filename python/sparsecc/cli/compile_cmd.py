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
        "--calib", help="Calibration samples for pruning and sparsity: .npz keyed by input name (or one array).")] = None,
    compensate: Annotated[Optional[bool], typer.Option(
        "--compensate/--no-compensate", help="Refit the layers reading pruned channels "
        "(default: on with --calib or --prune-criterion obs).")] = None,
    sparsity: Annotated[float, typer.Option(
        "--sparsity", help="Zero this fraction of each layer's weight groups, in [0, 1).")] = 0.0,
    pattern: Annotated[str, typer.Option(
        "--pattern", help="Group pattern: g1, g2, g4 or g8 (G output channels x 1 input channel).")] = "g4",
    layer_sparsity: Annotated[Optional[list[str]], typer.Option(
        "--layer-sparsity", help="Per-layer sparsity NODE_NAME=S (repeatable; also for default-dense layers).")] = None,
    sparsity_policy: Annotated[str, typer.Option(
        "--sparsity-policy", help="uniform (same per layer) or sensitivity (from per-layer error curves).")] = "uniform",
    sparsity_selection: Annotated[Optional[str], typer.Option(
        "--sparsity-selection", help="magnitude or obs (default: obs with --calib, else magnitude).")] = None,
    rearrange: Annotated[Optional[bool], typer.Option(
        "--rearrange/--no-rearrange", help="Permute channels (function-preserving) so the zeroed groups cost less "
        "weight magnitude (default: on with --sparsity / --layer-sparsity).")] = None,
    rearrange_budget: Annotated[float, typer.Option(
        "--rearrange-budget", help="CPU-time safety net (seconds) for the step-bounded channel permutation "
        "search; if it cuts, the result may depend on the machine's speed.")] = 10.0,
    tune: Annotated[bool, typer.Option(
        "--tune", help="Measure dense vs sparse kernels on this host per layer and keep the faster.")] = False,
    export_onnx: Annotated[Optional[Path], typer.Option(
        "--export-onnx", help="Also write the compiled graph (zeroed groups included) as ONNX.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
):
    """Compile an ONNX model into a sparsecc model file.

    Examples:

      sparsecc compile mobilenet.onnx -o mobilenet.scc

      sparsecc compile model.onnx --input-shape input:1,3,224,224 --dump-after fold_batchnorm

      sparsecc compile model.onnx --prune-channels 0.3 --prune-criterion obs --calib calib.npz

      sparsecc compile model.onnx --sparsity 0.7 --pattern g4 --calib calib.npz --export-onnx sparse.onnx

      sparsecc compile model.onnx --sparsity 0.8 --sparsity-policy sensitivity --layer-sparsity conv1=0.5
    """
    import sparsecc

    out = output or model.with_suffix(".scc")
    compiled = sparsecc.compile(model, target=target, input_shapes=input_shape,
                                dump_after=set(dump_after) if dump_after else None,
                                prune_channels=prune_channels, prune_criterion=prune_criterion,
                                calibration=calib, compensate=compensate, sparsity=sparsity, pattern=pattern,
                                layer_sparsity=layer_sparsity, sparsity_policy=sparsity_policy,
                                sparsity_selection=sparsity_selection, tune=tune, export_onnx=export_onnx,
                                rearrange=rearrange, rearrange_budget=rearrange_budget)
    compiled.save(out)
    plan = compiled.plan
    summary = {
        "output": str(out), "target": plan.target, "nodes": len(plan.nodes),
        "file_bytes": len(compiled), "weight_bytes": plan.weight_bytes,
        "arena_bytes": plan.arena_size, "arena_bytes_without_reuse": plan.naive_arena_size,
        "passes": [{"name": r.name, "modified": r.modified, "seconds": round(r.seconds, 4),
                    "nodes_after": r.nodes_after} for r in compiled.pass_results],
    }
    if compiled.sparsity_report:
        summary["sparsity"] = sparsity_summary(compiled, pattern, export_onnx)
    if getattr(compiled, "rearrange_report", None):
        summary["rearrange"] = rearrange_summary(compiled.rearrange_report)
    if as_json:
        print_json(summary)
        return
    console.print(f"wrote [bold]{out}[/] for target [bold]{plan.target}[/]: {len(plan.nodes)} nodes, "
                  f"weights {human_bytes(plan.weight_bytes)}, file {human_bytes(len(compiled))}")
    console.print(f"activation arena: {human_bytes(plan.arena_size)} peak "
                  f"(vs {human_bytes(plan.naive_arena_size)} without reuse)")
    if "sparsity" in summary:
        sp = summary["sparsity"]
        sparse = [f"{r['name']} {100 * r['sparsity']:.0f}%" for r in sp["layers"] if r["status"] == "sparse"]
        console.print(f"group sparsity {sp['pattern']}: {len(sparse)} layers sparse "
                      f"({', '.join(sparse) or 'none'}); {100 * sp['achieved']:.1f}% of their weights zero"
                      + (f"; ONNX written to {sp['onnx']}" if sp["onnx"] else ""), highlight=False)
    if "rearrange" in summary:
        ra = summary["rearrange"]
        console.print(f"rearrange: {ra['permuted']} of {len(ra['spaces'])} channel spaces permuted, "
                      f"{ra['skipped']} skipped; kept group magnitude {ra['kept_before']:.4g} -> "
                      f"{ra['kept_after']:.4g}", highlight=False)


def sparsity_summary(compiled, pattern: str, onnx_path) -> dict:
    """The group_sparsity pass's per-layer report as JSON-able data."""
    rows = compiled.sparsity_report
    zeroed = sum(r.zero_weights for r in rows if r.status == "sparse")
    weights = sum(r.weights for r in rows if r.status == "sparse")
    return {"pattern": pattern, "achieved": zeroed / weights if weights else 0.0,
            "onnx": str(onnx_path) if onnx_path else None,
            "layers": [{"name": r.name, "op": r.op, "weight_shape": r.weight_shape, "groups": r.groups,
                        "zero_groups": r.zero_groups, "sparsity": round(r.sparsity, 6), "status": r.status,
                        "weights": r.weights, "zero_weights": r.zero_weights,
                        "error": r.error} for r in rows]}


def rearrange_summary(report) -> dict:
    """The rearrange pass's per-space report as JSON-able data."""
    return {"permuted": sum(r.status == "permuted" for r in report),
            "skipped": sum(r.status.startswith("skipped") for r in report),
            "kept_before": sum(r.kept_before for r in report), "kept_after": sum(r.kept_after for r in report),
            "cut_by_budget": any(getattr(r, "cut", False) for r in report),   # result may depend on speed
            "spaces": [{"name": r.name, "classes": r.classes, "status": r.status, "moved": r.moved,
                        "layers": r.layers, "kept_before": r.kept_before, "kept_after": r.kept_after}
                       for r in report]}
