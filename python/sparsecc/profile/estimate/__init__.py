"""ARM performance estimate for ``--runner qemu`` (docs/profiling.md, "ARM estimate").

qemu's wall time is not an ARM core's latency, so under qemu the profile also
reports, per layer, an *estimate*:

- ``counts``: executed guest instructions per layer, from the project's qemu TCG
  plugin (``tools/qemu_plugin/``) and the runtime's layer markers
  (``SPARSECC_LAYER_MARKERS=1``, runtime_cpp/src/layer_markers.h);
- ``mca``: instructions per cycle of the hot inner loop of the NEON kernel the
  layer uses, from ``llvm-mca-16 -mcpu=<core>`` on that kernel's source compiled
  for aarch64 by ``clang-16 -O3 -S``;
- ``model``: cycles = instructions / IPC, ms = cycles / device clock
  (targets/arm64.toml ``[devices.<tag>] freq_ghz``).
"""
from .model import apply_estimate, estimate_layers

__all__ = ["apply_estimate", "estimate_layers"]
