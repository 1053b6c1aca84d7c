"""Side-by-side benchmarks: ``python -m bench`` (zoo models through sparsecc,
onnxruntime and optional peers in one process; see ``bench/__main__.py``) and
the per-family micro-benchmarks in ``bench/kernels/``."""
