"""``python -m bench``: zoo models through sparsecc, onnxruntime and optional
peers, side by side in one process.

Per model: every engine is built, checked against onnxruntime's outputs
(rel_err = max|engine - onnxruntime| / max|onnxruntime|), warmed up, then run
``--repeat`` times round-robin (engine A, B, C, A, B, C, ...) so that machine
noise hits all engines alike; medians (and min/max) are reported, plus each
engine's ratio to onnxruntime's median. Same thread count for every engine.
Writes a table to stdout and JSON to ``bench/results/bench-t<threads>.json``.

    python -m bench --models mobilenet_v1,resnet18 --threads 1 --repeat 10
    python -m bench --engines sparsecc,sparsecc-ref,onnxruntime,tvm
    python -m bench --repeat 20 --update-readme      # regenerates the README's results table
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import onnx
import onnxruntime as ort

import sparsecc
from sparsecc import zoo

from .peers import ENGINES, PeerUnavailable, outputs_of
from .readme import update_section, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = {"torch_mobilenetv2_tiny": os.path.join(ROOT, "tests", "fixtures", "torch_mobilenetv2_tiny.onnx")}
DEFAULT_ENGINES = "sparsecc,sparsecc-ref,onnxruntime,tvm,mnn"


def load_model(name: str) -> onnx.ModelProto:
    if name in FIXTURES:
        return onnx.load(FIXTURES[name])
    if name in zoo.list_models():
        return zoo.build(name)
    if os.path.isfile(name):
        return onnx.load(name)
    raise SystemExit(f"unknown model {name!r}: zoo models {', '.join(zoo.list_models())}, "
                     f"fixtures {', '.join(FIXTURES)}, or a path to an .onnx file")


def rel_err(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - b))) / max(float(np.max(np.abs(b))), 1e-6)
               for a, b in zip(got, want))


def bench_model(name: str, engines: list[str], threads: int, repeat: int, warmup: int) -> dict:
    model = load_model(name)
    probe = sparsecc.InferenceSession(sparsecc.compile(model))
    rng = np.random.default_rng(0)
    feeds = {a.name: rng.standard_normal(a.shape).astype(np.float32) for a in probe.get_inputs()}
    runs, notes, info = {}, {}, {}
    for e in engines:
        try:
            runs[e] = ENGINES[e](model, feeds, threads)
            info[e] = getattr(runs[e], "info", {})
        except PeerUnavailable as why:
            notes[e] = str(why)
    reference = outputs_of(runs["onnxruntime"]) if "onnxruntime" in runs else None
    errors = {e: rel_err(outputs_of(r), reference) for e, r in runs.items()} if reference else {}
    for r in runs.values():
        for _ in range(warmup):
            r()
    times: dict[str, list[float]] = {e: [] for e in runs}
    for _ in range(repeat):
        for e, r in runs.items():
            t0 = time.perf_counter()
            r()
            times[e].append((time.perf_counter() - t0) * 1e3)
    ms = {e: {"median": float(np.median(t)), "min": float(min(t)), "max": float(max(t))} for e, t in times.items()}
    base = ms.get("onnxruntime", {}).get("median")
    ratio = {e: m["median"] / base for e, m in ms.items()} if base else {}
    return {"model": name, "input_shapes": {k: list(v.shape) for k, v in feeds.items()}, "ms": ms,
            "ratio_over_onnxruntime": ratio, "rel_err_vs_onnxruntime": errors, "skipped": notes, "engine_info": info}


def table(results: list[dict], engines: list[str]) -> str:
    shown = [e for e in engines if any(e in r["ms"] for r in results)]
    head = "| model | " + " | ".join(f"{e} ms" for e in shown) + " | " + \
        " | ".join(f"{e}/ort" for e in shown if e != "onnxruntime") + " | max rel_err |"
    rows = [head, "|" + "---|" * (2 + 2 * len(shown) - ("onnxruntime" in shown))]
    for r in results:
        cells = [f"{r['ms'][e]['median']:.2f}" if e in r["ms"] else "-" for e in shown]
        ratios = [f"{r['ratio_over_onnxruntime'][e]:.2f}x" if e in r["ratio_over_onnxruntime"] else "-"
                  for e in shown if e != "onnxruntime"]
        err = max(r["rel_err_vs_onnxruntime"].values(), default=float("nan"))
        rows.append(f"| {r['model']} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {err:.1e} |")
    return "\n".join(rows)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(zoo.list_models() + list(FIXTURES)),
                    help="comma list: zoo names, fixture names or .onnx paths")
    ap.add_argument("--engines", default=DEFAULT_ENGINES, help=f"comma list of {', '.join(ENGINES)}")
    ap.add_argument("--threads", type=int, default=1, help="threads for every engine (default 1)")
    ap.add_argument("--repeat", type=int, default=10, help="timed runs per engine (medians reported)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs per engine first")
    ap.add_argument("--out", default=None, help="JSON path (default bench/results/bench-t<threads>.json)")
    ap.add_argument("--update-readme", action="store_true", help="rewrite the README's results table (RESULTS markers)")
    args = ap.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or args.threads < 1 or args.repeat < 1:
        ap.error(f"unknown engines {unknown}" if unknown else "--threads and --repeat must be >= 1")
    results = []
    for name in [m for m in args.models.split(",") if m]:
        r = bench_model(name, engines, args.threads, args.repeat, args.warmup)
        results.append(r)
        summary = ", ".join(f"{e} {m['median']:.2f} ms" for e, m in r["ms"].items())
        print(f"{name}: {summary}", flush=True)
        for e, why in r["skipped"].items():
            print(f"  {e}: skipped: {why}", flush=True)
    doc = {"benchmark": "python -m bench", "threads": args.threads, "repeat": args.repeat, "warmup": args.warmup,
           "engines": engines, "machine": platform.machine(), "processor": platform.processor(),
           "cpu_count": os.cpu_count(), "onnxruntime": ort.__version__, "sparsecc": sparsecc.__version__,
           "sparsecc_arch_env": os.environ.get("SPARSECC_ARCH", ""), "results": results}
    out = args.out or os.path.join(ROOT, "bench", "results", f"bench-t{args.threads}.json")
    write_json(out, doc)
    text = table(results, engines)
    print(text)
    print(f"JSON: {out}")
    if args.update_readme:
        update_section("RESULTS", text)


if __name__ == "__main__":
    main()
