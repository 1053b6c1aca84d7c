"""Raw runner results -> the profile document (``schema.json``; documented in docs/profiling.md).

One document holds one model and a list of ``runs``: one per profiled
configuration (today one; a sweep over compile options appends more), each with
its compile options, runner, end-to-end and per-layer statistics and samples,
and the onnxruntime comparison when asked for.
"""
from __future__ import annotations

import datetime
import os
import platform

import numpy as np

from .options import CompileOptions, RunOptions
from .stats import summarize

SCHEMA_NAME = "sparsecc-profile"
SCHEMA_VERSION = 1


def run_doc(prepared, compile_options: CompileOptions, raw: dict, compare: dict | None = None) -> dict:
    """One profiled configuration: statistics of every layer and of the end-to-end time."""
    e2e = summarize(raw["e2e_ms"])
    facts = {f["name"]: f for f in prepared.layers}
    stats = [summarize(l["samples_ms"]) for l in raw["layers"]]
    layer_sum = sum(s["median"] for s in stats)
    # per run: the share of its end-to-end time its layers account for (noise that lands in
    # one layer of one run moves both sides alike, unlike the sum of per-layer medians)
    per_run = [sum(l["samples_ms"][r] for l in raw["layers"]) / t
               for r, t in enumerate(raw["e2e_ms"]) if t > 0]
    real = raw["wall_time_is_latency"]
    ort_ms = {}
    if compare:
        ort_ms = {n["matched_layer"]: n["median_ms"] for n in compare["nodes"] if n["matched_layer"] is not None}
    layers = []
    for i, (l, s) in enumerate(zip(raw["layers"], stats)):
        fact = facts.get(l["name"], {})
        flops = int(fact.get("flops", 0))
        layers.append({
            "index": i, "name": l["name"], "op": l["op"], "kernel": l["kernel"],
            "output_shape": l.get("output_shape") or fact.get("output_shape", []),
            "flops": flops,
            "median_ms": s["median"], "p90_ms": s["p90"], "min_ms": s["min"], "max_ms": s["max"],
            "share": s["median"] / layer_sum if layer_sum > 0 else 0.0,
            # emulated time is not a speed: no GFLOP/s from it
            "gflops": flops / (s["median"] * 1e6) if real and flops and s["median"] > 0 else None,
            "onnxruntime_ms": ort_ms.get(i),
            "samples_ms": list(l["samples_ms"]),
        })
    return {
        "label": compile_options.label,
        "compile": compile_options.to_json(),
        "runner": {"name": raw["runner"], "device": raw["device"], "wall_time_is_latency": real,
                   "note": raw.get("note", ""), "command": raw.get("command")},
        "end_to_end_ms": {**e2e, "samples": list(raw["e2e_ms"])},
        "layer_sum_ms": layer_sum,
        "layer_sum_over_end_to_end": layer_sum / e2e["median"] if e2e["median"] > 0 else None,
        "layer_coverage": float(np.median(per_run)) if per_run else None,
        "total_flops": sum(l["flops"] for l in layers),
        "layers": layers,
        "compare": compare,
    }


def document(prepared, run_options: RunOptions, runs: list[dict]) -> dict:
    from sparsecc import __version__

    return {
        "schema": SCHEMA_NAME, "version": SCHEMA_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "sparsecc_version": __version__,
        "host": {"machine": platform.machine(), "system": platform.system(), "cpu_count": os.cpu_count()},
        "model": {"path": str(prepared.source), "format": prepared.source_format, "target": prepared.target,
                  "input_shapes": prepared.input_shapes},
        "run_options": run_options.to_json(),
        "runs": runs,
    }
