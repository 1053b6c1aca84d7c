"""Import every op module so that each registers its ops."""
from . import activation, conv, elementwise, matmul, normalization, pool, reduce, resize_pad, shape_ops  # noqa: F401
