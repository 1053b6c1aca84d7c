"""The profile as a rich table (one per run) plus its summary lines."""
from __future__ import annotations

from rich.markup import escape
from rich.table import Table


def _shape(s) -> str:
    return "x".join(str(d) for d in s) if s else "-"


def sparsity_cell(layer: dict) -> str:
    """``70% g4`` for a sparsified layer, ``-`` for a dense one."""
    s = layer.get("sparsity")
    if s is None:
        return "-"
    return f"{100 * s:.0f}% {layer.get('sparsity_pattern') or ''}".strip()


def sweep_table(doc: dict) -> Table | None:
    """One row per run of a sweep: sparsity, end-to-end median, speedup vs the first run, ratio to onnxruntime."""
    rows = doc.get("sweep")
    if not rows:
        return None
    real = doc["runs"][0]["runner"]["wall_time_is_latency"]
    t = Table(title="sparsity sweep (end to end)" + ("" if real else ": EMULATED wall time, NOT latency"),
              title_justify="left")
    has_ort = any(r["over_onnxruntime"] is not None for r in rows)
    has_est = rows[0].get("estimated_ms") is not None
    for col in ["sparsity", "pattern", "median ms" if real else "median emulated ms"] + \
            (["EST. ARM ms"] if has_est else []) + \
            [f"speedup vs {rows[0]['label']}" + (" (est.)" if has_est else "")] + \
            (["ort dense ms", "vs ort dense"] if has_ort else []):
        t.add_column(col, justify="right")
    for r in rows:
        cells = [f"{100 * r['sparsity']:.0f}%", r["pattern"], f"{r['median_ms']:.3f}"] + \
            ([f"{r['estimated_ms']:.3f}"] if has_est else []) + [f"{r['speedup']:.2f}x" if r["speedup"] else "-"]
        if has_ort:
            o, q = r["onnxruntime_median_ms"], r["over_onnxruntime"]
            # ratio < 1: faster than onnxruntime; shown as onnxruntime time / ours (speedup)
            cells += [f"{o:.3f}" if o is not None else "-", f"{1 / q:.2f}x faster" if q and q < 1
                      else (f"{q:.2f}x slower" if q else "-")]
        t.add_row(*cells)
    return t


def layer_table(doc: dict, run: dict) -> Table:
    real = run["runner"]["wall_time_is_latency"]
    unit = "ms" if real else "emulated ms"
    cmp = run["compare"]
    title = f"{escape(run['label'])}: {escape(doc['model']['path'])} on {escape(run['runner']['device'])}, " \
            f"{doc['run_options']['threads']} thread(s), median of {doc['run_options']['repeat']} runs"
    if not real:
        title += "\n[bold yellow]emulated wall time, NOT latency[/]"
    if run.get("arm_estimate"):
        e = run["arm_estimate"]
        title += (f"\n[bold cyan]EST. columns: ESTIMATE for {escape(e['device'])} @ {e['freq_ghz']:g} GHz "
                  f"(qemu instruction counts / llvm-mca IPC; not measured; * = assumed IPC)[/]")
    t = Table(title=title, title_justify="left")
    for col, just in (("#", "right"), ("layer", "left"), ("op", "left"), ("kernel", "left"), ("output", "left"),
                      ("sparsity", "right"), (f"median {unit}", "right"), ("%", "right")) + \
            ((("GFLOP/s", "right"),) if real else ()):   # no speed from emulated time
        t.add_column(col, justify=just, overflow="fold")
    est = run.get("arm_estimate")
    if est:
        for col in ("instructions", "IPC (mca)", "est. cycles", f"EST. ms @{est['freq_ghz']:g} GHz"):
            t.add_column(col, justify="right")
    if cmp:
        t.add_column("ort ms", justify="right")
        t.add_column("ratio", justify="right")
    for l in run["layers"]:
        row = [str(l["index"]), escape(l["name"]), l["op"], escape(l["kernel"]), _shape(l["output_shape"]),
               sparsity_cell(l), f"{l['median_ms']:.3f}", f"{100 * l['share']:.1f}"]
        if real:
            row.append(f"{l['gflops']:.1f}" if l["gflops"] is not None else "-")
        if est:
            e = l["estimate"]
            row += [f"{e['instructions']:,}", f"{e['ipc']:.2f}" + ("" if e["ipc_source"].startswith("runtime_cpp")
                                                                    else "*"),
                    f"{e['cycles']:,.0f}", f"{e['ms']:.4f}"]
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
    est = run.get("arm_estimate")
    if est:
        lines.append(f"ARM ESTIMATE (not a measurement) for {est['device']} @ {est['freq_ghz']:g} GHz: "
                     f"{est['total_instructions']:,} instructions, {est['total_cycles']:,.0f} cycles, "
                     f"{est['total_ms']:.3f} ms per run (sum of layers; {est['method']})")
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
    if run.get("arm_estimate"):
        est = run["arm_estimate"]
        line += f"; ESTIMATED {est['total_ms']:.3f} ms on {est['device']} @ {est['freq_ghz']:g} GHz"
    if run["compare"]:
        line += f"; onnxruntime {run['compare']['end_to_end_ms']['median']:.3f} ms, ratio {run['compare']['ratio']:.2f}x"
    return line


def print_profile(console, doc: dict) -> None:
    for run in doc["runs"]:
        console.print(layer_table(doc, run))
        for line in summary_lines(run):
            console.print(escape(line), highlight=False)
    sweep = sweep_table(doc)
    if sweep is not None:
        console.print(sweep)
