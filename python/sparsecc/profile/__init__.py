"""``sparsecc profile``: per-layer latency of a model on a runner (this machine,
qemu, node/wasmtime, an ssh or adb device), optionally beside onnxruntime.

The pieces, in the order they run:

- ``options``: what to compile (``CompileOptions``, group sparsity included) and how
  to run (``RunOptions``); a sweep (``--sweep``) is a list of ``CompileOptions``
  profiled one after another.
- ``prepare``: ONNX -> ``.scc`` (the same ``sparsecc.compile`` as ``sparsecc compile``),
  per-layer FLOPs from the compiler (``compiler/passes/flops.py``).
- ``runners/``: one class per runner; each turns (model file, RunOptions) into a raw
  result dict with every end-to-end and per-layer sample (``runners/base.py``).
- ``estimate/``: under qemu, the ARM estimate (plugin instruction counts / llvm-mca
  IPC = cycles; cycles / device clock = ms).
- ``ort_compare``: onnxruntime's end-to-end samples interleaved with ours, and its
  per-node profile mapped onto our layers.
- ``report``: raw results -> the versioned JSON document (``schema.json``,
  ``docs/profiling.md``); ``table``, ``trace``, ``plot`` render that document.
"""
from .options import CompileOptions, RunOptions
from .profiler import profile
from .report import SCHEMA_VERSION

__all__ = ["CompileOptions", "RunOptions", "profile", "SCHEMA_VERSION"]
