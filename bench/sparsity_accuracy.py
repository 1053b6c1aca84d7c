"""Top-1 of the trained MNIST fixture after group sparsity (g4), no fine-tuning.

For selection ``magnitude`` (data-free: lowest group L2 norm, the sensitivity
curves from the weights alone) and ``obs`` (the 256 calibration images: OBS
scores + layer-wise least-squares refit, sensitivity curves from the layer
output error), each with the ``uniform`` and the ``sensitivity`` policy, at
0/50/70/90 % of the sparsifiable layers' groups: compile with
``sparsecc.compile(..., sparsity=, calibration=, sparsity_policy=)`` at batch
250 and run the 1,000 held-out test images with the C++ runtime. Calibration
images only feed the selection (nothing is tuned on the test images).
The first conv, the depthwise conv and the small classifier stay dense
(docs/sparsity.md); "achieved" is the zeroed share of the other layers' weights.

Writes bench/results/sparsity_accuracy.json, prints a markdown table;
``--update-readme`` rewrites the table in README.md between the SPARSITY markers.

    python -m bench.sparsity_accuracy --update-readme
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: BLAS threads only contend

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import sparsecc  # noqa: E402
from bench.readme import update_section, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "tests", "fixtures", "mnist_cnn.onnx")
DATA = os.path.join(ROOT, "tests", "fixtures", "mnist_data.npz")
OUT = os.path.join(ROOT, "bench", "results", "sparsity_accuracy.json")
SPARSITIES = (0.0, 0.5, 0.7, 0.9)
SELECTIONS = ("magnitude", "obs")
POLICIES = ("uniform", "sensitivity")
BATCH = 250


def load_data():
    d = np.load(DATA)
    prep = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return prep(d["test_x"]), d["test_y"], prep(d["calib_x"])


def evaluate(sparsity: float, selection: str, policy: str, pattern: str = "g4", data=None) -> dict:
    """Compile the fixture at ``sparsity`` and measure top-1 on the test images."""
    x, y, calib = data or load_data()
    t0 = time.perf_counter()
    compiled = sparsecc.compile(MODEL, input_shapes={"image": [BATCH, 1, 28, 28]}, sparsity=sparsity,
                                pattern=pattern, sparsity_policy=policy, sparsity_selection=selection,
                                calibration={"image": calib} if selection == "obs" else None)
    seconds = time.perf_counter() - t0
    sess = sparsecc.InferenceSession(compiled)
    preds = np.concatenate([sess.run(None, {"image": x[i:i + BATCH]})[0].argmax(1) for i in range(0, len(x), BATCH)])
    rows = [r for r in compiled.sparsity_report if r.status in ("sparse", "dense")]
    zeroed, total = sum(r.zero_weights for r in rows), sum(r.weights for r in rows)
    return {"selection": selection, "policy": policy, "pattern": pattern, "sparsity": sparsity,
            "top1": float((preds == y).mean()), "achieved": zeroed / total if total else 0.0,
            "layers": {r.name: round(r.sparsity, 4) for r in rows}, "compile_seconds": round(seconds, 2)}


def run(sparsities, selections, policies) -> dict:
    data = load_data()
    result = {"model": "tests/fixtures/mnist_cnn.onnx", "test_images": int(len(data[0])),
              "calibration_images": int(len(data[2])), "pattern": "g4", "rows": []}
    dense = evaluate(0.0, "magnitude", "uniform", data=data)
    result["dense_top1"] = dense["top1"]
    for sel in selections:
        for pol in policies:
            for s in sparsities:
                row = dict(dense, selection=sel, policy=pol) if s == 0 else evaluate(s, sel, pol, data=data)
                result["rows"].append(row)
                print(f"{sel:9s} {pol:11s} {100 * s:3.0f}%: top-1 {row['top1']:.3f} (achieved "
                      f"{100 * row['achieved']:.1f}%, {row['compile_seconds']:.1f} s)", flush=True)
    return result


def table(result: dict) -> str:
    sps = sorted({r["sparsity"] for r in result["rows"]})
    lines = [f"Dense top-1: **{result['dense_top1']:.3f}** on {result['test_images']} test images; pattern g4; "
             f"obs uses {result['calibration_images']} calibration images; no fine-tuning.", "",
             "| selection | policy | " + " | ".join(f"{100 * s:.0f}%" for s in sps) + " |",
             "|---|---|" + "---|" * len(sps)]
    keyed = {(r["selection"], r["policy"], r["sparsity"]): r["top1"] for r in result["rows"]}
    seen = []
    for r in result["rows"]:
        if (r["selection"], r["policy"]) not in seen:
            seen.append((r["selection"], r["policy"]))
    for sel, pol in seen:
        name = "magnitude (data-free)" if sel == "magnitude" else "obs + refit (calibration)"
        lines.append(f"| {name} | {pol} | " + " | ".join(f"{keyed[(sel, pol, s)]:.3f}" for s in sps) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sparsities", default=",".join(str(s) for s in SPARSITIES))
    ap.add_argument("--selections", default=",".join(SELECTIONS))
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--update-readme", action="store_true")
    args = ap.parse_args()
    result = run([float(s) for s in args.sparsities.split(",")], args.selections.split(","),
                 args.policies.split(","))
    write_json(OUT, result)
    text = table(result)
    print(text)
    if args.update_readme:
        update_section("SPARSITY", text)


if __name__ == "__main__":
    main()
