"""What whole-network channel rearrangement buys the g4 group pattern.

1. **Kept magnitude** on MobileNet-v1, MobileNet-v2 and ResNet-18 (zoo builders, seeded
   random weights, BatchNorm folded): for every layer group_sparsity sparsifies by default,
   zero the lowest-energy groups at 50/70/90 % and report the kept share of the squared
   weights (energy) for g4 in the original channel order, g4 after ``rearrange``, and g1
   (one output channel per group: no grouping loss, the bound rearrangement can approach);
   "gap closed" = (g4 rearranged - g4) / (g1 - g4). Random weights have no structure
   to find, so this is a hard case; the trained fixture (``mnist_cnn``, same metric) is the
   honest one.
2. **Top-1 of the trained MNIST fixture** (tests/fixtures) at 50/70 % g4, magnitude and OBS
   selection (OBS with the 256 calibration images), without and with rearrangement:
   ``sparsecc.compile(..., rearrange=False|True)``, the compiled graph run by the numpy
   reference evaluator on the 1,000 test images (no fine-tuning).

Writes bench/results/rearrange.json and prints a table.

    python -m bench.rearrange_gain [--budget 10] [--models mobilenet_v1,...] [--input-size 224] [--max-steps N]

"seconds" / "cpu_seconds" are the pass's wall / CPU time (the machine may be shared); "cut_by_budget" says whether the wall-time safety net stopped a
search before its step bound (then the permutation could depend on the machine's speed).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import sparsecc  # noqa: E402
from bench.readme import write_json  # noqa: E402
from sparsecc import zoo  # noqa: E402
from sparsecc.compiler.frontend.onnx import import_onnx  # noqa: E402
from sparsecc.compiler.ir.evaluate import run_graph  # noqa: E402
from sparsecc.compiler.passes import PassManager, canonical_passes  # noqa: E402
from sparsecc.compiler.passes.rearrange import Rearrange  # noqa: E402
from sparsecc.compiler.passes.rearrange_search import kept_energy  # noqa: E402
from sparsecc.compiler.passes.sparsity_groups import Layer, default_dense_reason, eligibility  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "results", "rearrange.json")
MNIST = os.path.join(ROOT, "tests", "fixtures", "mnist_cnn.onnx")
MNIST_DATA = os.path.join(ROOT, "tests", "fixtures", "mnist_data.npz")
MODELS = ("mobilenet_v1", "mobilenet_v2", "resnet18", "mnist_cnn")   # mnist_cnn = the trained fixture
SPARSITIES = (0.5, 0.7, 0.9)


def canonical(model):
    graph = import_onnx(model)
    PassManager(canonical_passes()).run(graph)
    return graph


def layer_energies(graph) -> list[np.ndarray]:
    """[M, C] squared weights per (output row, input channel) of every default-sparsified layer."""
    out = []
    for n in graph.nodes:
        if n.op in ("Conv", "Gemm", "MatMul") and eligibility(n) is None and default_dense_reason(n, graph) is None:
            layer = Layer.of(n, 1)
            w2 = layer.weights()
            out.append((w2 * w2).reshape(layer.rows, layer.channels, layer.taps).sum(axis=2))
    return out


def kept_fraction(energies, g: int, s: float) -> float:
    return sum(kept_energy(e, g, s) for e in energies) / sum(float(e.sum()) for e in energies)


def magnitude_row(name: str, model, s: float, budget: float, seed: int, max_steps: int | None = None) -> dict:
    base = layer_energies(canonical(model))
    graph = canonical(model)
    t0, c0 = time.perf_counter(), time.process_time()
    p = Rearrange(s, "g4", seed=seed, budget_s=budget, max_steps=max_steps)
    p.run(graph)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    g4, g1 = kept_fraction(base, 4, s), kept_fraction(base, 1, s)
    re = kept_fraction(layer_energies(graph), 4, s)
    return {"model": name, "sparsity": s, "g4": round(g4, 5), "g4_rearranged": round(re, 5), "g1": round(g1, 5),
            "gap_closed": round((re - g4) / (g1 - g4), 4) if g1 > g4 else 0.0,
            "spaces_permuted": sum(r.status == "permuted" for r in p.report),
            "spaces_skipped": sum(r.status.startswith("skipped") for r in p.report),
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "cut_by_budget": p.cut}


def mnist_rows(sparsities, budget: float) -> tuple[float, list[dict]]:
    d = np.load(MNIST_DATA)
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    x, y, calib = prep(d["test_x"]), d["test_y"], prep(d["calib_x"])
    batch = 250
    shapes = {"image": [batch, 1, 28, 28]}

    def top1(compiled) -> float:
        g = compiled.graph
        out = g.outputs[0].name
        preds = np.concatenate([run_graph(g, {"image": x[i:i + batch]})[out].argmax(1)
                                for i in range(0, len(x), batch)])
        return float((preds == y).mean())

    dense = top1(sparsecc.compile(MNIST, input_shapes=shapes))
    rows = []
    for sel in ("magnitude", "obs"):
        for s in sparsities:
            row = {"selection": sel, "sparsity": s}
            for on in (False, True):
                c = sparsecc.compile(MNIST, input_shapes=shapes, sparsity=s, pattern="g4", sparsity_selection=sel,
                                     calibration={"image": calib} if sel == "obs" else None,
                                     rearrange=on, rearrange_budget=budget)
                row["top1_rearranged" if on else "top1"] = top1(c)
            rows.append(row)
            print(f"mnist {sel:9s} {100 * s:.0f}%: top-1 {row['top1']:.3f} -> {row['top1_rearranged']:.3f}",
                  flush=True)
    return dense, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--sparsities", default=",".join(str(s) for s in SPARSITIES))
    ap.add_argument("--input-size", type=int, default=224)
    ap.add_argument("--budget", type=float, default=10.0,
                    help="wall-time safety net per model (seconds); the search itself is step-bounded")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-mnist", action="store_true")
    ap.add_argument("--max-steps", type=int, default=None,
                    help="refinement steps per search instead of the pass's step plan (how far more search goes: "
                         "on random weights the gap closed saturates)")
    args = ap.parse_args()
    sps = [float(s) for s in args.sparsities.split(",")]
    result = {"pattern": "g4", "metric": "kept share of squared weights of the default-sparsified layers",
              "input_size": args.input_size, "budget_s": args.budget, "seed": args.seed, "max_steps": args.max_steps,
              "zoo": [], "mnist": None}
    for name in args.models.split(","):
        model = MNIST if name == "mnist_cnn" else zoo.build(name, input_size=args.input_size)
        for s in sps:
            row = magnitude_row(name, model, s, args.budget, args.seed, args.max_steps)
            result["zoo"].append(row)
            print(f"{name:13s} {100 * s:.0f}%: g4 {row['g4']:.4f} -> {row['g4_rearranged']:.4f} (g1 {row['g1']:.4f}; "
                  f"gap closed {100 * row['gap_closed']:.1f}%, {row['seconds']:.1f} s, {row['cpu_seconds']:.1f} s CPU"
                  f"{', CUT by the budget' if row['cut_by_budget'] else ''})", flush=True)
    if not args.skip_mnist:
        dense, rows = mnist_rows([s for s in sps if s < 0.9] or sps, args.budget)
        result["mnist"] = {"model": "tests/fixtures/mnist_cnn.onnx", "dense_top1": dense, "rows": rows,
                           "evaluator": "numpy reference (compiler.ir.evaluate)"}
    write_json(OUT if args.max_steps is None else OUT.replace(".json", f"-steps{args.max_steps}.json"), result)
    print_tables(result)


NAMES = {"mobilenet_v1": "MobileNet-v1", "mobilenet_v2": "MobileNet-v2", "resnet18": "ResNet-18",
         "mnist_cnn": "MNIST fixture (trained)"}


def print_tables(result: dict) -> None:
    """The issue's tables in markdown (as in docs/rearrange.md)."""
    print("\n| model | sparsity | g4 | g4 rearranged | g1 | gap closed | search s (CPU) |\n|---|---|---|---|---|---|---|")
    for r in result["zoo"]:
        cut = " (cut)" if r["cut_by_budget"] else ""
        print(f"| {NAMES.get(r['model'], r['model'])} | {100 * r['sparsity']:.0f} % | {r['g4']:.3f} | "
              f"{r['g4_rearranged']:.3f} | {r['g1']:.3f} | {100 * r['gap_closed']:.1f} % | {r['seconds']:.1f} "
              f"({r['cpu_seconds']:.1f}){cut} |")
    if result["mnist"]:
        print(f"\nMNIST dense top-1 {result['mnist']['dense_top1']:.3f}\n\n| selection | sparsity | top-1 | "
              "top-1 rearranged |\n|---|---|---|---|")
        for r in result["mnist"]["rows"]:
            print(f"| {r['selection']} | {100 * r['sparsity']:.0f} % | {r['top1']:.3f} | {r['top1_rearranged']:.3f} |")


if __name__ == "__main__":
    main()
