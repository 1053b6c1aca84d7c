"""Raw runner results -> the profile document (``schema.json``; documented in docs/profiling.md).

One document holds one model and a list of ``runs``: one per profiled
configuration (a sweep over sparsities has one per sparsity, and a ``sweep`` summary), each with
its compile options (sparsity included), runner, end-to-end and per-layer statistics and samples,
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
    est = raw.get("estimate")
    layers = []
    for i, (l, s) in enumerate(zip(raw["layers"], stats)):
        fact = facts.get(l["name"], {})
        flops = int(fact.get("flops", 0))
        layers.append({
            "index": i, "name": l["name"], "op": l["op"], "kernel": l["kernel"],
            "output_shape": l.get("output_shape") or fact.get("output_shape", []),
            "flops": flops,
            "sparsity": fact.get("sparsity"), "sparsity_pattern": fact.get("sparsity_pattern"),
            "median_ms": s["median"], "p90_ms": s["p90"], "min_ms": s["min"], "max_ms": s["max"],
            "share": s["median"] / layer_sum if layer_sum > 0 else 0.0,
            # emulated time is not a speed: no GFLOP/s from it
            "gflops": flops / (s["median"] * 1e6) if real and flops and s["median"] > 0 else None,
            "onnxruntime_ms": ort_ms.get(i),
            "estimate": est["layers"][i] if est else None,
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
        # ARM estimate (qemu + plugin + llvm-mca), never a measurement; null elsewhere
        "arm_estimate": {k: v for k, v in est.items() if k != "layers"} if est else None,
    }


def sweep_summary(runs: list[dict]) -> list[dict] | None:
    """Per run of a multi-run document: sparsity, end-to-end median, speedup over the first run (the
    dense one in a sweep from 0; of the estimated ARM ms under qemu) and, when compared, the ratio
    to onnxruntime's dense median."""
    if len(runs) < 2:
        return None
    # under qemu the speedup is that of the ARM estimate: emulated wall time is not latency
    estimated = all(r.get("arm_estimate") for r in runs)
    key = (lambda r: r["arm_estimate"]["total_ms"]) if estimated else (lambda r: r["end_to_end_ms"]["median"])
    base = key(runs[0])
    out = []
    for r in runs:
        med = r["end_to_end_ms"]["median"]
        cmp = r["compare"]
        out.append({"label": r["label"], "sparsity": r["compile"]["sparsity"], "pattern": r["compile"]["pattern"],
                    "median_ms": med, "speedup": base / key(r) if key(r) > 0 else None,
                    "estimated_ms": r["arm_estimate"]["total_ms"] if estimated else None,
                    "onnxruntime_median_ms": cmp["end_to_end_ms"]["median"] if cmp else None,
                    "over_onnxruntime": cmp["ratio"] if cmp else None})
    return out


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
        "sweep": sweep_summary(runs),
    }
