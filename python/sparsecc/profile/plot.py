"""PNG charts of a profile (matplotlib, Agg backend: no display needed).

One run: horizontal bars of per-layer median time, one row per layer in
execution order (plus onnxruntime's matched per-node times when compared).
Under qemu with the ARM estimate, the estimated ms are plotted instead of the
emulated wall time. Several runs (a sparsity sweep): two panels in one PNG: end-to-end median vs
sparsity (with onnxruntime's dense median as a line when compared), and the
per-layer bars of the first (dense) and the sparsest run side by side.
"""
from __future__ import annotations

import io


def _estimated(runs: list[dict]) -> dict | None:
    """Under qemu with the plugin, plots show the ARM estimate, not emulated wall time."""
    return runs[0]["arm_estimate"] if all(r.get("arm_estimate") for r in runs) else None


def _layer_bars(ax, doc: dict, runs: list[dict]) -> None:
    names = [l["name"] for l in runs[0]["layers"]]
    est = _estimated(runs)
    series = [(r["label"], [l["estimate"]["ms"] if est else l["median_ms"] for l in r["layers"]]) for r in runs]
    if runs[0]["compare"] and len(runs) == 1:
        series.append(("onnxruntime", [l["onnxruntime_ms"] or 0.0 for l in runs[0]["layers"]]))
    height = 0.8 / len(series)
    for k, (label, values) in enumerate(series):
        ax.barh([i + k * height for i in range(len(names))], values[:len(names)], height=height, label=label)
    ax.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(names))])
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    real = runs[0]["runner"]["wall_time_is_latency"]
    ax.set_xlabel(f"ESTIMATED ms per layer on {est['device']} @ {est['freq_ghz']:g} GHz (qemu instructions / "
                  f"llvm-mca IPC)" if est else
                  "median ms per layer" + ("" if real else " (EMULATED wall time, not latency)"))
    ax.legend(fontsize=8)


def _sweep_line(ax, doc: dict) -> None:
    rows = doc["sweep"]
    xs = [100 * r["sparsity"] for r in rows]
    real = doc["runs"][0]["runner"]["wall_time_is_latency"]
    est = _estimated(doc["runs"])
    ax.plot(xs, [r["estimated_ms"] if est else r["median_ms"] for r in rows], "o-", label="sparsecc")
    ort = [r["onnxruntime_median_ms"] for r in rows if r["onnxruntime_median_ms"] is not None]
    if ort:
        ax.axhline(sorted(ort)[len(ort) // 2], color="gray", linestyle="--", label="onnxruntime (dense)")
    ax.set_xlabel(f"sparsity (%), pattern {rows[0]['pattern']}")
    ax.set_ylabel(f"ESTIMATED ms on {est['device']}" if est else
                  "end-to-end median ms" + ("" if real else " (EMULATED)"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def write_plot(doc: dict, path) -> None:
    try:
        import matplotlib
    except ImportError:
        from sparsecc.errors import InvalidArgument

        raise InvalidArgument("--plot needs matplotlib: pip install 'sparsecc[plot]'") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsecc.compiler.artifact import write_atomic

    runs = doc["runs"]
    rows = 0.28 * len(runs[0]["layers"]) + 1.5
    title = f"{doc['model']['path']} - {runs[0]['runner']['device']}"
    if doc.get("sweep"):
        # the sparsest run beside the first: where the sparsity pays off, layer by layer
        sparsest = max(runs[1:], key=lambda r: r["compile"]["sparsity"])
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4 + max(3.0, rows)),
                                          gridspec_kw={"height_ratios": [1, max(1.0, rows / 4)]})
        _sweep_line(top, doc)
        top.set_title(title, fontsize=9)
        _layer_bars(bottom, doc, [runs[0], sparsest])
    else:
        fig, ax = plt.subplots(figsize=(9, max(3.0, rows)))
        _layer_bars(ax, doc, runs)
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
