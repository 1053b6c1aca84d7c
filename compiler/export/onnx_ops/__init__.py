"""IR op -> ONNX exporters, one module per op category (the table is ``EXPORTERS``)."""
from . import activation, conv, elementwise, matmul, normalization, pool, reduce, resize_pad, shape_ops  # noqa: F401
from .registry import EXPORTERS, exporter  # noqa: F401
