"""``--runner local``: this process, through the Python binding (``InferenceSession.run_with_profile``).

The only runner that can interleave another engine between its runs (onnxruntime
in ``--compare``), since both live in this process.
"""
from __future__ import annotations

import platform
import time

import numpy as np

from ..options import RunOptions
from .base import Runner


def make_feeds(input_shapes: dict, seed: int) -> dict:
    """Seeded standard-normal float32 inputs (the same rule as ``sparsecc run``)."""
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype(np.float32) for name, shape in input_shapes.items()}


class LocalRunner(Runner):
    name = "local"
    targets = ("host",)

    def run(self, model_path, options: RunOptions, progress=None, between_runs=None) -> dict:
        import sparsecc

        sess = sparsecc.InferenceSession(model_path, num_threads=options.threads)
        feeds = make_feeds({a.name: a.shape for a in sess.get_inputs()}, options.seed)
        total = options.warmup + options.repeat
        for i in range(options.warmup):
            sess.run(None, feeds)
            if progress:
                progress(i + 1, total)
        e2e, per_layer, meta = [], None, None
        for i in range(options.repeat):
            t0 = time.perf_counter()
            _, timings = sess.run_with_profile(None, feeds)
            e2e.append((time.perf_counter() - t0) * 1e3)
            if per_layer is None:
                per_layer = [[] for _ in timings]
                meta = timings
            for k, t in enumerate(timings):
                per_layer[k].append(t.seconds * 1e3)
            if between_runs:
                between_runs()
            if progress:
                progress(options.warmup + i + 1, total)
        shapes = {n["name"]: [int(d) for d in n["output_shapes"][0]] if n["output_shapes"] else []
                  for n in sess.nodes}
        layers = [{"name": t.name, "op": t.op, "kernel": t.kernel, "output_shape": shapes.get(t.name, []),
                   "samples_ms": s} for t, s in zip(meta, per_layer)]
        return self.result(f"{platform.machine()} (this machine, Python binding)", e2e, layers)
