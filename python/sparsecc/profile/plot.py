"""PNG bar chart of per-layer median time (matplotlib, Agg backend: no display needed).

Horizontal bars, one row per layer in execution order; one bar per profiled run
side by side (e.g. sparse and dense when a sweep runs both), plus onnxruntime's
matched per-node times when compared.
"""
from __future__ import annotations

import io


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
    names = [l["name"] for l in runs[0]["layers"]]
    series = [(r["label"], [l["median_ms"] for l in r["layers"]]) for r in runs]
    if runs[0]["compare"]:
        series.append(("onnxruntime", [l["onnxruntime_ms"] or 0.0 for l in runs[0]["layers"]]))
    height = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.28 * len(names) + 1.5)))
    for k, (label, values) in enumerate(series):
        ax.barh([i + k * height for i in range(len(names))], values[:len(names)], height=height, label=label)
    ax.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(names))])
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    real = runs[0]["runner"]["wall_time_is_latency"]
    ax.set_xlabel("median ms per layer" + ("" if real else " (EMULATED wall time, not latency)"))
    ax.set_title(f"{doc['model']['path']} - {runs[0]['runner']['device']}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
