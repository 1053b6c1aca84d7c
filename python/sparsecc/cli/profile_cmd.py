"""sparsecc profile: per-layer latency on a runner, optionally beside onnxruntime."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import console, err_console, handle_errors


@contextmanager
def _progress_bar(enabled: bool):
    """A rich progress bar on stderr; yields the ``progress(stage, done, total)`` callback."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@handle_errors
def profile_command(
    model: Annotated[Path, typer.Argument(help="ONNX model (compiled first, as `sparsecc compile`) or a .scc file.")],
    target: Annotated[str, typer.Option(help="Target to compile for / run: host, arm64 or wasm32.")] = "host",
    runner: Annotated[Optional[str], typer.Option(
        help="Where to run: local, binary, qemu, node, wasmtime, ssh://user@host[:port], adb[:serial] "
             "(default: local for host, qemu for arm64, node for wasm32).")] = None,
    runtime_dir: Annotated[Optional[Path], typer.Option(
        "--runtime-dir", help="Output of `sparsecc runtime build --target T -o DIR` (holds bin/sparsecc-run).")] = None,
    threads: Annotated[int, typer.Option(help="Runtime threads (onnxruntime gets the same).")] = 1,
    warmup: Annotated[int, typer.Option(help="Untimed runs first.")] = 3,
    repeat: Annotated[int, typer.Option(help="Timed runs (medians reported).")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    input_shape: Annotated[Optional[list[str]], typer.Option(
        "--input-shape", help="For an ONNX model: fix an input's shape, NAME:D0,D1,... (repeatable).")] = None,
    sparsity: Annotated[float, typer.Option(
        help="Group sparsity to compile with (ONNX input; docs/sparsity.md), in [0, 1).")] = 0.0,
    pattern: Annotated[str, typer.Option(help="Sparsity group pattern: g1, g2, g4 or g8.")] = "g4",
    calib: Annotated[Optional[Path], typer.Option(
        "--calib", help="Calibration inputs (.npz) for the sparsity pass (OBS selection + refit).")] = None,
    sweep: Annotated[Optional[str], typer.Option(
        help="Profile one compile per sparsity, e.g. 0,0.5,0.7,0.9 (same runner and inputs); "
             "prints latency and speedup vs the first entry.")] = None,
    device: Annotated[Optional[str], typer.Option(
        help="--runner qemu: device whose clock turns estimated cycles into ms (targets/arm64.toml "
             "devices, e.g. cortex-a76, the default).")] = None,
    compare: Annotated[Optional[str], typer.Option(
        help="Also time this engine in the same run, interleaved: onnxruntime.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the profile as JSON (docs/profiling.md).")] = None,
    trace_out: Annotated[Optional[Path], typer.Option("--trace", help="Write a Chrome trace (chrome://tracing, Perfetto).")] = None,
    plot_out: Annotated[Optional[Path], typer.Option("--plot", help="Write a PNG bar chart of per-layer time.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No table or progress: only the final line, "
                                        "or nothing when writing files.")] = False,
):
    """Profile a model layer by layer: median ms, share and GFLOP/s per layer, end-to-end median/p90.

    Examples:

      sparsecc profile mobilenet.onnx --compare onnxruntime --repeat 50

      sparsecc profile mobilenet.onnx --json prof.json --trace prof.trace.json --plot prof.png

      sparsecc profile mobilenet.onnx --sweep 0,0.5,0.7,0.9 --pattern g4 --compare onnxruntime --plot sweep.png

      sparsecc profile mobilenet.onnx --target arm64 --runner qemu --runtime-dir rt-arm64 --device cortex-a76

      sparsecc profile mobilenet.onnx --target arm64 --runner ssh://pi@raspberrypi --runtime-dir rt-arm64

      sparsecc profile mobilenet.onnx --target arm64 --runner adb:emulator-5554 --runtime-dir rt-android
    """
    from sparsecc.profile import CompileOptions, RunOptions, profile
    from sparsecc.profile.options import InvalidArgument, parse_sweep, sweep_options
    from sparsecc.profile.table import final_line, print_profile

    if calib is not None and not calib.is_file():
        raise InvalidArgument(f"--calib: no such file: {calib}")
    compile_options = CompileOptions(target=target, input_shapes=tuple(input_shape or ()), sparsity=sparsity,
                                     pattern=pattern, calibration=str(calib) if calib else None)
    if sweep is not None:
        if sparsity:
            raise InvalidArgument("give either --sparsity or --sweep, not both")
        compile_options = sweep_options(compile_options, parse_sweep(sweep))
    run_options = RunOptions(threads=threads, warmup=warmup, repeat=repeat, seed=seed)
    with _progress_bar(not quiet) as progress:
        doc = profile(model, compile_options, run_options, runner=runner, runtime_dir=runtime_dir,
                      compare=compare, progress=progress, device=device)
    written = _write_outputs(doc, json_out, trace_out, plot_out)
    if quiet:
        if not written:
            console.print(final_line(doc["runs"][-1]), highlight=False, soft_wrap=True)
        return
    print_profile(console, doc)
    for p in written:
        console.print(f"wrote {p}", highlight=False)


def _write_outputs(doc: dict, json_out, trace_out, plot_out) -> list[str]:
    from sparsecc.compiler.artifact import write_atomic

    written = []
    if json_out:
        write_atomic(json_out, (json.dumps(doc, indent=1) + "\n").encode())
        written.append(str(json_out))
    if trace_out:
        from sparsecc.profile.trace import write_trace

        write_trace(doc, trace_out)
        written.append(str(trace_out))
    if plot_out:
        from sparsecc.profile.plot import write_plot

        write_plot(doc, plot_out)
        written.append(str(plot_out))
    return written
