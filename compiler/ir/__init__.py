"""The IR: Graph, Node, Value (tensors are numpy arrays on constant Values)."""
from .graph import Graph  # noqa: F401
from .node import Node  # noqa: F401
from .printer import format_graph  # noqa: F401
from .value import Value  # noqa: F401
from .verify import verify  # noqa: F401
