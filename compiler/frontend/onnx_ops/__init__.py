"""ONNX op converters, one module per category; importing registers them all."""
from .registry import CONVERTERS, Unsupported, converter  # noqa: F401
from . import conv, elementwise, matmul, normalization, pool, reduce, resize_pad, shape_ops  # noqa: F401,E402
