"""The profile as a rich table (one per run) plus its summary lines."""
from __future__ import annotations

from rich.markup import escape
from rich.table import Table


def _shape(s) -> str:
    return "x".join(str(d) for d in s) if s else "-"


def layer_table(doc: dict, run: dict) -> Table:
    real = run["runner"]["wall_time_is_latency"]
    unit = "ms" if real else "emulated ms"
    cmp = run["compare"]
    title = f"{escape(run['label'])}: {escape(doc['model']['path'])} on {escape(run['runner']['device'])}, " \
            f"{doc['run_options']['threads']} thread(s), median of {doc['run_options']['repeat']} runs"
    if not real:
        title += "\n[bold yellow]emulated wall time, NOT latency[/]"
    t = Table(title=title, title_justify="left")
    for col, just in (("#", "right"), ("layer", "left"), ("op", "left"), ("kernel", "left"), ("output", "left"),
                      (f"median {unit}", "right"), ("%", "right"), ("GFLOP/s", "right")):
        t.add_column(col, justify=just, overflow="fold")
    if cmp:
        t.add_column("ort ms", justify="right")
        t.add_column("ratio", justify="right")
    for l in run["layers"]:
        row = [str(l["index"]), escape(l["name"]), l["op"], escape(l["kernel"]), _shape(l["output_shape"]),
               f"{l['median_ms']:.3f}", f"{100 * l['share']:.1f}",
               f"{l['gflops']:.1f}" if l["gflops"] is not None else "-"]
        if cmp:
            o = l["onnxruntime_ms"]
            row += [f"{o:.3f}" if o is not None else "-",
                    f"{l['median_ms'] / o:.2f}x" if o else "-"]
        t.add_row(*row)
    return t


def summary_lines(run: dict) -> list[str]:
    """End-to-end statistics, layer sum and the onnxruntime ratio, as plain lines."""
    e = run["end_to_end_ms"]
    real = run["runner"]["wall_time_is_latency"]
    what = "end-to-end" if real else "end-to-end EMULATED wall time (not latency)"
    lines = [f"{what}: median {e['median']:.3f} ms, p90 {e['p90']:.3f} ms, "
             f"min-max {e['min']:.3f}-{e['max']:.3f} ms over {e['n']} runs"]
    ratio = run["layer_sum_over_end_to_end"]
    lines.append(f"sum of layer medians: {run['layer_sum_ms']:.3f} ms"
                 + (f" ({100 * ratio:.1f}% of the end-to-end median)" if ratio is not None else "")
                 + (f"; per run, layers cover {100 * run['layer_coverage']:.1f}% of its time (median)"
                    if run["layer_coverage"] is not None else ""))
    if real and run["total_flops"]:
        lines.append(f"compute: {run['total_flops'] / 1e9:.3f} GFLOP per run, "
                     f"{run['total_flops'] / (e['median'] * 1e6):.1f} GFLOP/s end to end")
    cmp = run["compare"]
    if cmp:
        o = cmp["end_to_end_ms"]
        lines.append(f"onnxruntime {cmp['version']} (same run, interleaved, {cmp['threads']} thread(s)): median "
                     f"{o['median']:.3f} ms, p90 {o['p90']:.3f} ms; sparsecc/onnxruntime = {cmp['ratio']:.2f}x")
    if run["runner"]["note"]:
        lines.append(f"note: {run['runner']['note']}")
    return lines


def final_line(run: dict) -> str:
    """The one line ``--quiet`` keeps."""
    e = run["end_to_end_ms"]
    kind = "ms" if run["runner"]["wall_time_is_latency"] else "ms emulated (not latency)"
    line = f"{run['label']}: median {e['median']:.3f} {kind} (p90 {e['p90']:.3f}) on {run['runner']['device']}"
    if run["compare"]:
        line += f"; onnxruntime {run['compare']['end_to_end_ms']['median']:.3f} ms, ratio {run['compare']['ratio']:.2f}x"
    return line


def print_profile(console, doc: dict) -> None:
    for run in doc["runs"]:
        console.print(layer_table(doc, run))
        for line in summary_lines(run):
            console.print(escape(line), highlight=False)
