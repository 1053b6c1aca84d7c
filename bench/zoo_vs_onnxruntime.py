"""sparsecc vs onnxruntime on the model zoo and the torch-exported fixture.

Measures, in one run and side by side: end-to-end median latency of each engine
(1 thread, same seeded input, warm-up run first), their ratio, and the agreement
of the outputs (rel_err = max|sparsecc − onnxruntime| / max|onnxruntime|).
Writes bench/results/zoo_vs_onnxruntime.json; ``--update-readme`` rewrites the
results table in README.md (between the RESULTS markers).

    python bench/zoo_vs_onnxruntime.py --repeat 5 --update-readme
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import time

import numpy as np
import onnx
import onnxruntime as ort

import sparsecc
from sparsecc import zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "torch_mobilenetv2_tiny.onnx")


def _median_ms(fn, repeat: int) -> tuple[float, float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), float(min(times)), float(max(times))


def measure(name: str, model: onnx.ModelProto, repeat: int) -> dict:
    compiled = sparsecc.compile(model)
    sess = sparsecc.InferenceSession(compiled, num_threads=1)
    rng = np.random.default_rng(0)
    feeds = {a.name: rng.standard_normal(a.shape).astype(np.float32) for a in sess.get_inputs()}
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    ref = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    ours, theirs = sess.run(None, feeds), ref.run(None, feeds)
    err = max(float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6)) for a, b in zip(ours, theirs))
    scc = _median_ms(lambda: sess.run(None, feeds), repeat)
    orm = _median_ms(lambda: ref.run(None, feeds), repeat)
    return {"model": name, "input_shapes": {a.name: a.shape for a in sess.get_inputs()},
            "nodes": len(compiled.plan.nodes), "arena_bytes": compiled.arena_bytes,
            "arena_bytes_without_reuse": compiled.naive_arena_bytes, "weight_bytes": compiled.weight_bytes,
            "sparsecc_ms": {"median": scc[0], "min": scc[1], "max": scc[2]},
            "onnxruntime_ms": {"median": orm[0], "min": orm[1], "max": orm[2]},
            "ratio_sparsecc_over_onnxruntime": scc[0] / orm[0], "rel_err": err}


def table(results: list[dict]) -> str:
    rows = ["| model | input | nodes | arena (peak / no reuse) | rel_err vs onnxruntime | sparsecc ms | onnxruntime ms | ratio |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        shape = "x".join(map(str, next(iter(r["input_shapes"].values()))))
        rows.append(f"| {r['model']} | {shape} | {r['nodes']} | {r['arena_bytes'] / 2**20:.1f} / "
                    f"{r['arena_bytes_without_reuse'] / 2**20:.1f} MiB | {r['rel_err']:.1e} | "
                    f"{r['sparsecc_ms']['median']:.1f} | {r['onnxruntime_ms']['median']:.2f} | "
                    f"{r['ratio_sparsecc_over_onnxruntime']:.0f}x |")
    return "\n".join(rows)


def update_readme(text: str) -> None:
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        readme = f.read()
    block = f"<!-- RESULTS:BEGIN (bench/zoo_vs_onnxruntime.py --update-readme) -->\n{text}\n<!-- RESULTS:END -->"
    new, n = re.subn(r"<!-- RESULTS:BEGIN.*?<!-- RESULTS:END -->", lambda _: block, readme, flags=re.S)
    if n != 1:
        raise SystemExit("README.md has no RESULTS:BEGIN/END markers")
    from sparsecc.compiler.artifact import write_atomic

    write_atomic(path, new.encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per engine (medians reported)")
    ap.add_argument("--models", default=",".join(zoo.list_models() + ["torch_mobilenetv2_tiny"]))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "zoo_vs_onnxruntime.json"))
    ap.add_argument("--update-readme", action="store_true")
    args = ap.parse_args()
    results = []
    for name in args.models.split(","):
        model = onnx.load(FIXTURE) if name == "torch_mobilenetv2_tiny" else zoo.build(name)
        results.append(measure(name, model, args.repeat))
        r = results[-1]
        print(f"{name}: sparsecc {r['sparsecc_ms']['median']:.1f} ms, onnxruntime "
              f"{r['onnxruntime_ms']['median']:.2f} ms, rel_err {r['rel_err']:.1e}", flush=True)
    doc = {"benchmark": "zoo_vs_onnxruntime", "threads": 1, "repeat": args.repeat,
           "kernels": "scalar reference", "machine": platform.machine(), "processor": platform.processor(),
           "onnxruntime": ort.__version__, "sparsecc": sparsecc.__version__, "results": results}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    from sparsecc.compiler.artifact import write_atomic

    write_atomic(args.out, json.dumps(doc, indent=2).encode())
    text = table(results)
    print(text)
    if args.update_readme:
        update_readme(text)


if __name__ == "__main__":
    main()
