"""Top-1 of the trained MNIST fixture after structured channel pruning, no fine-tuning.

For every criterion (l1, l2, bn_scale, activation, taylor, obs), data-free and
with the 256 calibration images, without and with compensation, at 10/30/50%
of the prunable channel classes removed per layer (local ranking): prune the
imported graph, export it to ONNX, compile it with sparsecc at batch 250 and
run the 1,000 held-out test images with the C++ runtime. Calibration images
only ever feed the criteria and the compensation (no hyper-parameter is chosen
on the test images; dampening is the library default).

Writes bench/results/prune_accuracy.json, prints a markdown table;
``--update-readme`` rewrites the table in README.md between the PRUNE markers.

    python -m bench.prune_accuracy --update-readme
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import sparsecc
from bench.readme import update_section, write_json
from sparsecc.compiler.export.onnx import export_onnx
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.passes.flops import graph_macs, graph_params
from sparsecc.compiler.passes.group_prune import GroupPrune

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "tests", "fixtures", "mnist_cnn.onnx")
DATA = os.path.join(ROOT, "tests", "fixtures", "mnist_data.npz")
OUT = os.path.join(ROOT, "bench", "results", "prune_accuracy.json")
README = os.path.join(ROOT, "README.md")
CRITERIA = ("l1", "l2", "bn_scale", "activation", "taylor", "obs")
RATIOS = (0.1, 0.3, 0.5)
BATCH = 250


def load_data():
    d = np.load(DATA)
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return prep(d["test_x"]), d["test_y"], prep(d["calib_x"])


def top1(graph, x, y) -> float:
    sess = sparsecc.InferenceSession(sparsecc.compile(export_onnx(graph)))
    preds = np.concatenate([sess.run(None, {"image": x[i:i + BATCH]})[0].argmax(1) for i in range(0, len(x), BATCH)])
    return float((preds == y).mean())


def run(criteria, ratios) -> dict:
    x, y, calib = load_data()
    fresh = lambda: import_onnx(MODEL, input_shapes={"image": [BATCH, 1, 28, 28]})  # noqa: E731
    dense = fresh()
    result = {"model": "tests/fixtures/mnist_cnn.onnx", "test_images": int(len(x)), "calibration_images": int(len(calib)),
              "dense_top1": top1(dense, x, y), "dense_macs": graph_macs(dense), "rows": []}
    print(f"dense top-1 {result['dense_top1']:.3f}", flush=True)
    for crit in criteria:
        for data in ("data-free", "calibration"):
            for comp in (False, True):
                for ratio in ratios:
                    g = fresh()
                    t0 = time.perf_counter()
                    p = GroupPrune(ratio, crit, calibration={"image": calib} if data == "calibration" else None,
                                   compensate=comp)
                    p.run(g)
                    seconds = time.perf_counter() - t0
                    row = {"criterion": crit, "data": data, "compensate": comp, "ratio": ratio,
                           "top1": top1(g, x, y), "macs": graph_macs(g), "params": graph_params(g),
                           "removed_classes": len(p.removed), "prune_seconds": round(seconds, 2)}
                    result["rows"].append(row)
                    print(f"{crit:10s} {data:11s} comp={comp!s:5s} ratio {ratio:.1f}: top-1 {row['top1']:.3f} "
                          f"({seconds:.1f} s)", flush=True)
    return result


def table(result: dict) -> str:
    ratios = sorted({r["ratio"] for r in result["rows"]})
    macs = {r["ratio"]: r["macs"] for r in result["rows"]}
    head = "| criterion | data | compensation | " + " | ".join(
        f"{int(100 * r)}% ({100 * macs[r] / result['dense_macs']:.0f}% MACs)" for r in ratios) + " |"
    lines = [f"Dense top-1: **{result['dense_top1']:.3f}** on {result['test_images']} test images; "
             f"{result['calibration_images']} calibration images; no fine-tuning.", "",
             head, "|---|---|---|" + "---|" * len(ratios)]
    keyed = {(r["criterion"], r["data"], r["compensate"], r["ratio"]): r["top1"] for r in result["rows"]}
    seen = []
    for r in result["rows"]:
        k = (r["criterion"], r["data"], r["compensate"])
        if k not in seen:
            seen.append(k)
    for crit, data, comp in seen:
        cells = " | ".join(f"{keyed[(crit, data, comp, ra)]:.3f}" for ra in ratios)
        lines.append(f"| {crit} | {data} | {'yes' if comp else 'no'} | {cells} |")
    return "\n".join(lines)


def update_readme(text: str) -> None:
    update_section("PRUNE", text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criteria", default=",".join(CRITERIA))
    ap.add_argument("--ratios", default=",".join(str(r) for r in RATIOS))
    ap.add_argument("--update-readme", action="store_true")
    args = ap.parse_args()
    result = run(args.criteria.split(","), [float(r) for r in args.ratios.split(",")])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_json(OUT, result)
    text = table(result)
    print(text)
    if args.update_readme:
        update_readme(text)


if __name__ == "__main__":
    main()
