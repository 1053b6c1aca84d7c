"""``python -m bench.sparsity_sweep``: latency vs group sparsity, sparsecc against its own dense model
and onnxruntime dense, measured round-robin in one process (as ``python -m bench``).

Per model (zoo models at ``--input-size``): the dense ONNX runs in onnxruntime;
sparsecc compiles it at every sparsity (magnitude selection, ``--pattern``,
uniform policy; 0 = dense). Every engine is checked first (sparsecc at s
against onnxruntime running the same sparsified model, exported with
``export_onnx``), warmed up, then run ``--repeat`` times round-robin; medians.
Per sparsity: latency, speedup over sparsecc dense and over onnxruntime dense;
per sparsified layer (``run_with_profile``, median of ``--profile-runs``): the
kernel used and the efficiency E = (1 − s) × dense layer ms / sparse layer ms
(E = 1: time scales exactly with the nonzeros; a layer that stays dense has
E ≈ 1 − s). Writes bench/results/sparsity-sweep.json and a PNG plot.

    python -m bench.sparsity_sweep                                   # 3 models at 224, 1 thread
    python -m bench.sparsity_sweep --models mobilenet_v1 --sparsities 0,0.5,0.9 --repeat 20
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import onnxruntime as ort

import sparsecc
from sparsecc import zoo
from sparsecc.compiler.export.onnx import export_onnx

from .__main__ import rel_err
from .peers import onnxruntime_engine
from .readme import write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "results", "sparsity-sweep.json")
# issue #5: MobileNet-v1 g4, speedup over onnxruntime dense (1 thread, same run)
TARGETS = {"mobilenet_v1": {0.3: 1.25, 0.5: 1.6, 0.7: 2.3, 0.9: 3.5}}


def sparsecc_run(model, sparsity: float, pattern: str, threads: int, feeds=None):
    """A timed-call closure for sparsecc at ``sparsity`` (carries ``sess`` and ``compiled``)."""
    compiled = sparsecc.compile(model, sparsity=sparsity, pattern=pattern)
    sess = sparsecc.InferenceSession(compiled, num_threads=threads)
    if feeds is None:
        rng = np.random.default_rng(0)
        feeds = {a.name: rng.standard_normal(a.shape).astype(np.float32) for a in sess.get_inputs()}
    run = lambda: sess.run(None, feeds)  # noqa: E731
    run.sess, run.compiled, run.feeds = sess, compiled, feeds
    return run


def layer_ms(sess, feeds: dict, runs: int) -> dict[str, tuple[str, float]]:
    """{layer name: (kernel, median ms)} over ``runs`` profiled runs."""
    times: dict[str, list[float]] = {}
    kernels = {}
    for _ in range(runs):
        for t in sess.run_with_profile(None, feeds)[1]:
            times.setdefault(t.name, []).append(t.seconds * 1e3)
            kernels[t.name] = t.kernel
    return {k: (kernels[k], float(np.median(v))) for k, v in times.items()}


def sweep_model(name: str, sparsities: list[float], pattern: str, threads: int, repeat: int, warmup: int,
                profile_runs: int, zoo_kw: dict) -> dict:
    model = zoo.build(name, **zoo_kw)
    runs = {sparsities[0]: sparsecc_run(model, sparsities[0], pattern, threads)}
    feeds = runs[sparsities[0]].feeds
    for s in sparsities[1:]:
        runs[s] = sparsecc_run(model, s, pattern, threads, feeds)
    engines = {"onnxruntime": onnxruntime_engine(model, feeds, threads)}
    engines.update({f"sparsecc@{s:g}": runs[s] for s in sparsities})
    errors = {}
    for s, r in runs.items():  # sparsecc at s vs onnxruntime on the same zeroed model
        want = ort.InferenceSession(export_onnx(r.compiled.graph).SerializeToString(),
                                    providers=["CPUExecutionProvider"]).run(None, feeds)
        errors[s] = rel_err(r(), want)
    for e in engines.values():
        for _ in range(warmup):
            e()
    times: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(repeat):
        for k, e in engines.items():
            t0 = time.perf_counter()
            e()
            times[k].append((time.perf_counter() - t0) * 1e3)
    med = {k: float(np.median(v)) for k, v in times.items()}
    dense_key = f"sparsecc@{sparsities[0]:g}"
    dense_layers = layer_ms(runs[sparsities[0]].sess, feeds, profile_runs)
    rows = []
    for s in sparsities:
        r = runs[s]
        rep = {x.name: x for x in r.compiled.sparsity_report}
        layers = []
        if s > 0:
            for lname, (kernel, ms) in layer_ms(r.sess, feeds, profile_runs).items():
                x = rep.get(lname)
                if x is None or x.status != "sparse" or lname not in dense_layers:
                    continue
                d_ms = dense_layers[lname][1]
                layers.append({"name": lname, "op": x.op, "weight_shape": x.weight_shape,
                               "sparsity": round(x.sparsity, 4), "kernel": kernel, "dense_kernel": dense_layers[lname][0],
                               "dense_ms": round(d_ms, 4), "sparse_ms": round(ms, 4),
                               "E": round((1 - x.sparsity) * d_ms / ms, 3) if ms > 0 else None})
        es = [la["E"] for la in layers if la["E"] is not None]
        key = f"sparsecc@{s:g}"
        rows.append({"sparsity": s, "ms": med[key], "min_ms": float(min(times[key])),
                     "speedup_vs_dense": med[dense_key] / med[key], "speedup_vs_onnxruntime": med["onnxruntime"] / med[key],
                     "target_vs_onnxruntime": TARGETS.get(name, {}).get(s), "rel_err_vs_onnxruntime_same_weights": errors[s],
                     "median_E": float(np.median(es)) if es else None, "min_E": float(min(es)) if es else None,
                     "layers": layers})
    return {"model": name, "zoo_args": zoo_kw, "input_shapes": {k: list(v.shape) for k, v in feeds.items()},
            "pattern": pattern, "onnxruntime_ms": med["onnxruntime"], "rows": rows}


def table(results: list[dict]) -> str:
    lines = ["| model | sparsity | sparsecc ms | vs sparsecc dense | vs onnxruntime dense | target | median E | min E |",
             "|---|---|---|---|---|---|---|---|"]
    for res in results:
        for r in res["rows"]:
            f = lambda v, fmt: "-" if v is None else format(v, fmt)  # noqa: E731
            lines.append(f"| {res['model']} | {100 * r['sparsity']:.0f}% | {r['ms']:.2f} | {r['speedup_vs_dense']:.2f}x | "
                         f"{r['speedup_vs_onnxruntime']:.2f}x | {f(r['target_vs_onnxruntime'], '.2f')} | "
                         f"{f(r['median_E'], '.2f')} | {f(r['min_E'], '.2f')} |")
    return "\n".join(lines)


def plot(results: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4.5 * len(results), 3.6), squeeze=False)
    for ax, res in zip(axes[0], results):
        xs = [100 * r["sparsity"] for r in res["rows"]]
        ax.plot(xs, [r["ms"] for r in res["rows"]], "o-", label="sparsecc")
        ax.axhline(res["onnxruntime_ms"], color="gray", ls="--", label="onnxruntime dense")
        ax.set_title(f"{res['model']} ({res['pattern']})")
        ax.set_xlabel("sparsity (%)")
        ax.set_ylabel("latency (ms, median)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.sparsity_sweep", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="mobilenet_v1,mobilenet_v2,resnet18", help="comma list of zoo models")
    ap.add_argument("--sparsities", default="0,0.3,0.5,0.7,0.8,0.9", help="comma list in [0, 1); 0 is added")
    ap.add_argument("--pattern", default="g4", help="g1, g2, g4 or g8")
    ap.add_argument("--input-size", type=int, default=224)
    ap.add_argument("--width", type=float, default=None, help="zoo width multiplier (default: the model's)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=10, help="timed round-robin runs per engine")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--profile-runs", type=int, default=None, help="profiled runs per model (default: repeat)")
    ap.add_argument("--out", default=OUT, help="JSON path; the PNG goes next to it")
    args = ap.parse_args(argv)
    try:
        sparsities = sorted({0.0} | {float(s) for s in args.sparsities.split(",") if s})
    except ValueError:
        ap.error(f"--sparsities: not a comma list of numbers: {args.sparsities!r}")
    if any(not 0 <= s < 1 for s in sparsities) or args.repeat < 1 or args.threads < 1:
        ap.error("sparsities must be in [0, 1); --repeat and --threads >= 1")
    unknown = [m for m in args.models.split(",") if m not in zoo.list_models()]
    if unknown:
        ap.error(f"unknown zoo models {unknown}: choose from {', '.join(zoo.list_models())}")
    zoo_kw = {"input_size": args.input_size} | ({"width": args.width} if args.width else {})
    results = []
    for name in args.models.split(","):
        res = sweep_model(name, sparsities, args.pattern, args.threads, args.repeat, args.warmup,
                          args.profile_runs or args.repeat, zoo_kw)
        results.append(res)
        print(f"{name}: " + ", ".join(f"{100 * r['sparsity']:.0f}% {r['ms']:.2f} ms "
                                      f"({r['speedup_vs_onnxruntime']:.2f}x ort)" for r in res["rows"]), flush=True)
    doc = {"benchmark": "python -m bench.sparsity_sweep", "threads": args.threads, "repeat": args.repeat,
           "warmup": args.warmup, "selection": "magnitude", "policy": "uniform", "machine": platform.machine(),
           "processor": platform.processor(), "cpu_count": os.cpu_count(), "onnxruntime": ort.__version__,
           "sparsecc": sparsecc.__version__, "results": results}
    write_json(args.out, doc)
    png = os.path.splitext(args.out)[0] + ".png"
    plot(results, png)
    print(table(results))
    print(f"JSON: {args.out}\nPNG: {png}")


if __name__ == "__main__":
    main()
