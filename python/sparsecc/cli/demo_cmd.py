"""sparsecc demo: build a zoo model, compile it, run it, compare with onnxruntime."""
from __future__ import annotations

import time
from typing import Annotated

import numpy as np
import typer

from .common import console, handle_errors, print_json


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


@handle_errors
def demo_command(
    model: Annotated[str, typer.Option(help="Built-in model (see `sparsecc zoo list`).")] = "mobilenet_v1",
    repeat: Annotated[int, typer.Option(help="Timed runs per engine (medians are reported).")] = 5,
    threads: Annotated[int, typer.Option(help="Threads for both engines.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
):
    """Build a built-in model, compile it, run it, and check it against onnxruntime.

    Example:

      sparsecc demo --model mobilenet_v1 --repeat 5
    """
    import onnxruntime as ort

    import sparsecc
    from sparsecc.zoo import build

    onnx_model = build(model)
    t0 = time.perf_counter()
    compiled = sparsecc.compile(onnx_model)
    compile_s = time.perf_counter() - t0
    sess = sparsecc.InferenceSession(compiled, num_threads=threads)
    rng = np.random.default_rng(0)
    feeds = {a.name: rng.standard_normal(a.shape).astype(np.float32) for a in sess.get_inputs()}
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    ref = ort.InferenceSession(onnx_model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    ours = sess.run(None, feeds)
    theirs = ref.run(None, feeds)
    errs = [float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6)) for a, b in zip(ours, theirs)]
    scc_ms = _median_ms(lambda: sess.run(None, feeds), repeat)
    ort_ms = _median_ms(lambda: ref.run(None, feeds), repeat)
    result = {"model": model, "compile_seconds": round(compile_s, 3), "nodes": len(compiled.plan.nodes),
              "sparsecc_ms_median": scc_ms, "onnxruntime_ms_median": ort_ms, "threads": threads,
              "max_rel_err_vs_onnxruntime": max(errs), "kernels": "scalar reference"}
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{model}[/]: compiled in {compile_s:.2f} s to {len(compiled.plan.nodes)} nodes "
                  f"({len(compiled) / 1e6:.1f} MB model file)")
    console.print(f"sparsecc    median {scc_ms:9.2f} ms  (scalar reference kernels, {threads} thread)")
    console.print(f"onnxruntime median {ort_ms:9.2f} ms")
    console.print(f"agreement with onnxruntime: max relative error {max(errs):.2e} "
                  "(max |diff| / max |onnxruntime output|)")
