"""What every runner shares: the interface and the raw result it returns.

A runner turns (model file, RunOptions) into a raw result dict::

    {"runner": "local", "device": "x86_64 (this machine)",
     "wall_time_is_latency": True,         # False under an emulator (qemu)
     "note": "",                           # shown under the table (e.g. why wall time is not latency)
     "e2e_ms": [..repeat samples..],       # end-to-end time of each timed run
     "layers": [{"name", "op", "kernel", "output_shape", "samples_ms": [..]}, ...],
     "command": [...]}                     # the command line, for binary runners

Runs are timed with per-layer profiling on, so the layer samples of run i and
``e2e_ms[i]`` describe the same run.
"""
from __future__ import annotations

import json

from ..options import ProfileError, RunOptions


class Runner:
    """Base class: ``name`` is the --runner spelling; ``targets`` the model targets it can run."""
    name = "runner"
    targets: tuple[str, ...] = ()
    wall_time_is_latency = True
    note = ""

    def check_target(self, target: str) -> None:
        if target not in self.targets:
            raise ProfileError(f"--runner {self.name} runs {'/'.join(self.targets)} models, not {target!r}")

    def run(self, model_path, options: RunOptions, progress=None, between_runs=None) -> dict:
        """Profile ``model_path``. ``progress(done, total)`` is called as runs finish when the runner
        can tell; ``between_runs()`` (local runner only) runs after each timed run, for interleaving."""
        raise NotImplementedError

    def result(self, device: str, e2e_ms, layers, **extra) -> dict:
        return {"runner": self.name, "device": device, "wall_time_is_latency": self.wall_time_is_latency,
                "note": self.note, "e2e_ms": [float(x) for x in e2e_ms], "layers": layers, **extra}


def tool_args(model: str, options: RunOptions) -> list[str]:
    """Arguments of ``sparsecc-run`` for these run options."""
    return [model, "--repeat", str(options.repeat), "--warmup", str(options.warmup),
            "--threads", str(options.threads), "--seed", str(options.seed)]


def parse_tool_json(text: str, where: str) -> tuple[list[float], list[dict], dict]:
    """``sparsecc-run``'s JSON -> (e2e samples, layers with samples, the rest of the document)."""
    try:
        doc = json.loads(text)
        e2e = [float(x) for x in doc["time_ms"]["samples"]]
        layers = [{"name": d["name"], "op": d["op"], "kernel": d["kernel"],
                   "output_shape": [int(x) for x in d.get("output_shape", [])],
                   "samples_ms": [float(x) for x in d["samples_ms"]]} for d in doc["layers"]]
    except (ValueError, KeyError, TypeError) as e:
        head = text.strip().splitlines()[0][:120] if text.strip() else "(empty)"
        raise ProfileError(f"{where}: cannot read sparsecc-run's JSON ({type(e).__name__}: {e}); "
                           f"output starts with: {head} (is the runtime tool older than this sparsecc?)") from None
    return e2e, layers, doc
