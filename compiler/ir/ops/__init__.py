"""IR operators: attribute schema, shape inference and numpy reference per op.

One module per category; importing this package registers them all.
"""
from .registry import OPS, REQUIRED, ShapeError, evaluate_node, get, infer_node  # noqa: F401
from . import _load_all  # noqa: F401,E402
