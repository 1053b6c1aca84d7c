"""sparsecc prune: structured channel pruning, ONNX -> smaller dense ONNX."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .common import console, handle_errors, print_json


def prune_report(before: dict, after: dict, totals: dict) -> dict:
    """Per layer (Conv/ConvTranspose/Gemm/MatMul, by node name): channels, params, MACs before -> after."""
    layers = []
    for name, b in before.items():
        a = after.get(name)
        layers.append({"name": name, "op": b.op,
                       "channels": [b.channels, a.channels if a else 0],
                       "params": [b.params, a.params if a else 0],
                       "macs": [b.macs, a.macs if a else 0]})
    return {"layers": layers, **totals}


def _ratio(a: int, b: int) -> str:
    return f"{a:,} → {b:,}" + (f" ({100.0 * (a - b) / a:.0f}% less)" if a and b != a else "")


@handle_errors
def prune_command(
    model: Annotated[Path, typer.Argument(help="ONNX model to prune.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output",
                                                   help="ONNX file to write (default: MODEL.pruned.onnx).")] = None,
    ratio: Annotated[float, typer.Option(help="Fraction of prunable channel classes to remove, in [0, 1).")] = 0.3,
    criterion: Annotated[str, typer.Option(
        help="Importance criterion: l1, l2, bn_scale, activation, taylor or obs.")] = "l2",
    calib: Annotated[Optional[Path], typer.Option(
        "--calib", help="Calibration samples: .npz keyed by input name (or one array), [N, ...input dims].")] = None,
    compensate: Annotated[Optional[bool], typer.Option(
        "--compensate/--no-compensate", help="Refit the layers reading removed channels "
        "(default: on with --calib or --criterion obs).")] = None,
    round_to: Annotated[int, typer.Option("--round-to",
                                          help="Keep a multiple of this many channels per layer.")] = 1,
    global_rank: Annotated[bool, typer.Option("--global", help="Rank all layers together "
                                              "(scores normalised per layer) instead of per layer.")] = False,
    max_layer_ratio: Annotated[float, typer.Option("--max-layer-ratio",
                                                   help="With --global: at most this fraction per layer.")] = 0.9,
    input_shape: Annotated[Optional[list[str]], typer.Option(
        "--input-shape", help="Fix an input's shape: NAME:D0,D1,... (repeatable).")] = None,
    opset: Annotated[int, typer.Option(help="ONNX opset of the written model (13-21).")] = 17,
    explain: Annotated[bool, typer.Option("--explain", help="Print the channel spaces and barriers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
):
    """Remove whole channels (coupled through residuals, concats, groups, heads) and write a smaller ONNX model.

    Examples:

      sparsecc prune mobilenet.onnx -o mobilenet_p30.onnx --ratio 0.3

      sparsecc prune model.onnx -o small.onnx --ratio 0.5 --criterion bn_scale --round-to 8 --global

      sparsecc prune model.onnx -o small.onnx --ratio 0.3 --criterion obs --calib calib.npz
    """
    import onnx

    from sparsecc.compile_model import default_compensate, has_dynamic_batch, parse_input_shapes
    from sparsecc.compiler.export.onnx import save_onnx
    from sparsecc.compiler.frontend.onnx import import_onnx
    from sparsecc.compiler.passes.flops import graph_macs, graph_params, layer_stats
    from sparsecc.compiler.passes.group_prune import GroupPrune
    from sparsecc.errors import InvalidArgument

    out = output or model.with_name(model.stem + ".pruned.onnx")
    if not model.exists():
        raise InvalidArgument(f"model file {str(model)!r} does not exist")
    shapes = parse_input_shapes(input_shape)
    proto = onnx.load(str(model))
    graph = import_onnx(proto, input_shapes=shapes)
    before, macs0, params0 = layer_stats(graph), graph_macs(graph), graph_params(graph)
    if compensate is None:
        compensate = default_compensate(criterion, calib)
    pruner = GroupPrune(ratio, criterion=criterion, mode="global" if global_rank else "local",
                        round_to=round_to, max_layer_ratio=max_layer_ratio, calibration=calib,
                        compensate=compensate)
    pruner.run(graph)
    save_onnx(graph, out, opset=opset, dynamic_batch=has_dynamic_batch(proto) and not shapes)
    analysis = pruner.analysis
    report = prune_report(before, layer_stats(graph), {
        "output": str(out), "ratio": ratio, "criterion": criterion, "mode": pruner.mode, "round_to": round_to,
        "calibration": None if calib is None else str(calib), "compensated": pruner.compensated,
        "classes": len(analysis.classes), "prunable_classes": len(analysis.prunable),
        "removed_classes": len(pruner.removed),
        "macs": [macs0, graph_macs(graph)], "params": [params0, graph_params(graph)]})
    if as_json:
        if explain:
            report["explain"] = analysis.describe()
        print_json(report)
        return
    if explain:
        console.print(escape(analysis.describe()), highlight=False)
    extra = (", calibrated" if calib is not None else ", data-free") + (", compensated" if compensate else "")
    table = Table(title=f"channel pruning ({criterion}, {pruner.mode}, ratio {ratio}{extra})")
    for col in ("layer", "op", "channels", "params", "MACs"):
        table.add_column(col, justify="left" if col in ("layer", "op") else "right",
                         overflow="fold" if col == "layer" else "ellipsis")
    for row in report["layers"]:
        table.add_row(escape(row["name"]), row["op"], *(f"{row[k][0]:,} → {row[k][1]:,}"
                                                         for k in ("channels", "params", "macs")))
    console.print(table)
    console.print(f"removed {len(pruner.removed)} of {len(analysis.prunable)} prunable channel classes; "
                  f"params {_ratio(params0, graph_params(graph))}; MACs {_ratio(macs0, graph_macs(graph))}")
    console.print(f"wrote [bold]{escape(str(out))}[/]")
