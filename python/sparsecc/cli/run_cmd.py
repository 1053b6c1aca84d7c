"""sparsecc run: run a model file on given or random inputs."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from .common import console, handle_errors, load_inputs, print_json


def _session(model: Path, threads: int, input_shape):
    import sparsecc

    if model.suffix == ".onnx":
        return sparsecc.InferenceSession(sparsecc.compile(model, input_shapes=input_shape), num_threads=threads)
    return sparsecc.InferenceSession(model, num_threads=threads)


def _save_outputs(folder: Path, outputs: dict) -> list[str]:
    from sparsecc.compiler.artifact import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, arr in outputs.items():
        buf = io.BytesIO()
        np.save(buf, arr)
        path = folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".npy")
        write_atomic(path, buf.getvalue())
        written.append(str(path))
    return written


@handle_errors
def run_command(
    model: Annotated[Path, typer.Argument(help="Model file (.scc), or an ONNX model to compile first.")],
    input: Annotated[Optional[list[str]], typer.Option(
        "--input", "-i", help="NAME=FILE.npy (repeatable); random inputs when none is given.")] = None,
    output_dir: Annotated[Optional[Path], typer.Option(help="Save each output as NAME.npy here.")] = None,
    threads: Annotated[int, typer.Option(help="Threads for the runtime.")] = 1,
    repeat: Annotated[int, typer.Option(help="Timed runs (the median is reported).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    input_shape: Annotated[Optional[list[str]], typer.Option(
        "--input-shape", help="For an ONNX model: NAME:D0,D1,...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
):
    """Run a compiled model and summarise its outputs.

    Examples:

      sparsecc run mobilenet.scc

      sparsecc run mobilenet.scc --input input=x.npy --output-dir out/ --repeat 20
    """
    sess = _session(model, threads, input_shape)
    feeds = load_inputs(input, sess, seed)
    times = []
    outs = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        outs = sess.run(None, feeds)
        times.append(time.perf_counter() - t0)
    named = {o.name: a for o, a in zip(sess.get_outputs(), outs)}
    median_ms = float(np.median(times) * 1e3)
    written = _save_outputs(output_dir, named) if output_dir else []
    if as_json:
        print_json({"latency_ms": {"median": median_ms, "min": min(times) * 1e3, "max": max(times) * 1e3,
                                   "runs": len(times)},
                    "outputs": [{"name": n, "shape": list(a.shape), "min": float(a.min()), "max": float(a.max()),
                                 "mean": float(a.mean())} for n, a in named.items()],
                    "saved": written})
        return
    table = Table(title=f"outputs of {model.name}")
    for col in ("output", "shape", "min", "max", "mean", "first values"):
        table.add_column(col)
    for n, a in named.items():
        first = ", ".join(f"{x:.4g}" for x in a.ravel()[:4])
        table.add_row(escape(n), "x".join(map(str, a.shape)), f"{a.min():.4g}", f"{a.max():.4g}", f"{a.mean():.4g}", first)
    console.print(table)
    console.print(f"latency: median {median_ms:.3f} ms over {len(times)} run(s), threads={threads}")
    for p in written:
        console.print(f"saved {p}")
