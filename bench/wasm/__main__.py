"""``python -m bench.wasm``: sparsecc's wasm32 runtime vs onnxruntime-web, 1 thread, in node.

Per model: the zoo ONNX is compiled with ``--target wasm32``; one node process
(bench/wasm/bench_wasm.mjs) loads it with the JS wrapper (web/js/sparsecc.mjs)
and the ONNX with onnxruntime-web (wasm SIMD backend, 1 thread), checks both
run the same seeded input, then alternates the engines for ``--rounds`` rounds
of ``--repeat`` timed runs each (sparsecc's loop runs inside the module,
onnxruntime-web's in JS). Medians over all samples, the ratio
sparsecc/onnxruntime-web (< 1: sparsecc faster), and the agreement
(rel_err = max|sparsecc - ort-web| / max|ort-web|). JSON in
``bench/results/wasm-bench.json``.

    python -m bench.wasm                                    # mobilenet_v1, mobilenet_v2 at 224
    python -m bench.wasm --models mobilenet_v2 --size 160 --repeat 5 --rounds 4

Needs the wasm build (scripts/test_wasm.sh or build/wasm32) and web/node_modules
(scripts/install_wasm.sh).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np

import sparsecc
from sparsecc import zoo

from ..readme import write_json

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SPARSECC_WASM_BUILD", os.path.join(ROOT, "build", "wasm32"))
RUNTIME_WASM = os.path.join(BUILD, "runtime_cpp", "wasm", "sparsecc_runtime.wasm")
SCRIPT = os.path.join(ROOT, "bench", "wasm", "bench_wasm.mjs")
OUT = os.path.join(ROOT, "bench", "results", "wasm-bench.json")


def median(v: list[float]) -> float:
    return float(np.median(np.asarray(v, dtype=np.float64)))


def prepare(names: list[str], size: int, tmp: str) -> list[dict]:
    jobs = []
    rng = np.random.default_rng(0)
    for name in names:
        kw = {"input_size": size} if name != "transformer_block" else {}
        model = zoo.build(name, **kw)
        onnx_path = os.path.join(tmp, f"{name}.onnx")
        with open(onnx_path, "wb") as f:
            f.write(model.SerializeToString())
        scc = os.path.join(tmp, f"{name}.wasm32.scc")
        sparsecc.compile(model, target="wasm32").save(scc)
        inputs = []
        for vi in model.graph.input:
            shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            path = os.path.join(tmp, f"{name}.{vi.name}.bin")
            rng.standard_normal(shape).astype("<f4").tofile(path)
            inputs.append({"name": vi.name, "shape": shape, "file": path})
        jobs.append({"name": name, "scc": scc, "onnx": onnx_path, "inputs": inputs})
    return jobs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.wasm", description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="mobilenet_v1,mobilenet_v2")
    ap.add_argument("--size", type=int, default=224, help="input resolution of the CNNs")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per engine per round")
    ap.add_argument("--rounds", type=int, default=4, help="alternating rounds (sparsecc, ort-web, ...)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--output", default=OUT)
    a = ap.parse_args(argv)
    if not os.path.exists(RUNTIME_WASM):
        print(f"bench.wasm: {RUNTIME_WASM} missing: run scripts/test_wasm.sh (or build build/wasm32) first",
              file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(ROOT, "web", "node_modules", "onnxruntime-web")):
        print("bench.wasm: web/node_modules/onnxruntime-web missing: run scripts/install_wasm.sh", file=sys.stderr)
        return 2
    names = [n.strip() for n in a.models.split(",") if n.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        jobs = prepare(names, a.size, tmp)
        job_path = os.path.join(tmp, "job.json")
        with open(job_path, "w") as f:
            json.dump({"runtime": RUNTIME_WASM, "warmup": a.warmup, "repeat": a.repeat, "rounds": a.rounds,
                       "models": jobs}, f)
        p = subprocess.run(["node", "--no-liftoff", SCRIPT, job_path], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"bench.wasm: node failed ({p.returncode}):\n{p.stderr[-3000:]}", file=sys.stderr)
            return 1
        raw = json.loads(p.stdout.strip().splitlines()[-1])
        rows = []
        for job, r in zip(jobs, raw["models"]):
            ours = np.fromfile(job["inputs"][0]["file"] + ".sparsecc.bin", dtype="<f4")
            theirs = np.fromfile(job["inputs"][0]["file"] + ".ort.bin", dtype="<f4")
            err = float(np.max(np.abs(ours.astype(np.float64) - theirs))) / max(float(np.max(np.abs(theirs))), 1e-6)
            s, o = median(r["sparsecc_wasm_ms"]), median(r["onnxruntime_web_ms"])
            rows.append({"model": job["name"], "input": job["inputs"][0]["shape"], "sparsecc_wasm_ms": s,
                         "onnxruntime_web_ms": o, "ratio": s / o, "rel_err": err,
                         "samples": {"sparsecc_wasm": r["sparsecc_wasm_ms"],
                                     "onnxruntime_web": r["onnxruntime_web_ms"]}})
    doc = {"command": "python -m bench.wasm " + " ".join(argv if argv is not None else sys.argv[1:]),
           "threads": 1, "repeat": a.repeat, "rounds": a.rounds, "warmup": a.warmup,
           "node": raw["node"], "onnxruntime_web": raw["onnxruntime_web"], "machine": platform.machine(),
           "timing": "sparsecc: loop inside the wasm module (Session#bench); onnxruntime-web: loop in JS",
           "results": rows}
    write_json(a.output, doc)
    print(f"{'model':<16} {'input':<18} {'sparsecc-wasm ms':>16} {'ort-web ms':>11} {'ratio':>7} {'rel_err':>9}")
    for r in rows:
        print(f"{r['model']:<16} {str(r['input']):<18} {r['sparsecc_wasm_ms']:>16.2f} {r['onnxruntime_web_ms']:>11.2f} "
              f"{r['ratio']:>6.2f}x {r['rel_err']:>9.1e}")
    print(f"wrote {os.path.relpath(a.output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
