"""``profile()``: compile (if ONNX) -> run on a runner -> (compare) -> the profile document.

Takes one ``CompileOptions`` or a list of them: each configuration is compiled
and profiled in turn with the same run options and runner, and becomes one
entry of the document's ``runs`` (a sweep is such a list).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from .options import CompileOptions, ProfileError, RunOptions
from .prepare import prepare
from .report import document, run_doc
from .runners import make_runner

Progress = Callable[[str, int, int], None]   # (stage, done, total)
COMPARE_ENGINES = ("onnxruntime",)


def profile(model, compile_options: CompileOptions | list[CompileOptions] | None = None,
            run_options: RunOptions | None = None, runner: str | None = None, runtime_dir=None,
            compare: str | None = None, progress: Progress | None = None, device: str | None = None) -> dict:
    """Profile ``model`` (.onnx or .scc); returns the profile document (``report.py``).

    ``device`` (``--runner qemu`` only): the targets/arm64.toml device whose clock turns the
    estimated cycles into ms (``estimate.py``)."""
    configs = compile_options if isinstance(compile_options, list) else [compile_options or CompileOptions()]
    run_options = run_options or RunOptions()
    progress = progress or (lambda stage, done, total: None)
    if compare is not None and compare not in COMPARE_ENGINES:
        raise ProfileError(f"unknown --compare {compare!r}; engines: {', '.join(COMPARE_ENGINES)}")
    if device is not None:   # checked before anything runs: an unknown tag is a one-line error
        from .estimate.model import device_info

        device_info(device)
    runs, first = [], None
    with tempfile.TemporaryDirectory(prefix="sparsecc-profile-") as tmp:
        for k, config in enumerate(configs):
            # the runner is checked before compiling, so a missing tool fails fast
            run_with = make_runner(runner, config.target, Path(runtime_dir) if runtime_dir else None)
            if device is not None and run_with.name != "qemu":
                raise ProfileError("--device sets the clock of the ARM estimate, which only --runner qemu makes")
            if compare and run_with.name != "local":
                raise ProfileError(f"--compare {compare} needs --runner local: onnxruntime runs in this process, "
                                   f"interleaved with sparsecc (got --runner {run_with.name})")
            progress(f"compiling {config.label}", 0, 1)
            workdir = Path(tmp) / str(k)
            workdir.mkdir()
            prepared = prepare(Path(model), config, workdir)
            first = first or prepared
            progress(f"compiling {config.label}", 1, 1)
            cmp = _comparison(prepared, run_options) if compare else None
            raw = run_with.run(prepared.scc_path, run_options,
                               progress=lambda d, t, lab=config.label: progress(f"running {lab}", d, t),
                               between_runs=cmp.step if cmp else None)
            if "instructions" in raw:   # qemu with the plugin: the ARM estimate (estimate/)
                from .estimate import apply_estimate

                progress("ARM estimate (llvm-mca)", 0, 1)
                apply_estimate(raw, device)
                progress("ARM estimate (llvm-mca)", 1, 1)
            compare_doc = None
            if cmp:
                from .ort_compare import comparison_doc, match_layers
                from .stats import summarize

                progress("onnxruntime node profile", 0, 1)
                nodes = cmp.node_profile(run_options.warmup, run_options.repeat)
                matches = match_layers(raw["layers"], nodes)
                compare_doc = comparison_doc(cmp, nodes, matches, summarize(raw["e2e_ms"])["median"])
                progress("onnxruntime node profile", 1, 1)
            runs.append(run_doc(prepared, config, raw, compare_doc))
    return document(first, run_options, runs)


def _comparison(prepared, run_options: RunOptions):
    if prepared.onnx_model is None:
        raise ProfileError("--compare onnxruntime needs the ONNX model (onnxruntime cannot run a .scc file)")
    from .ort_compare import OrtComparison
    from .runners.local import make_feeds

    feeds = make_feeds(prepared.input_shapes, run_options.seed)
    return OrtComparison(prepared.onnx_model, feeds, run_options.threads, run_options.warmup)
