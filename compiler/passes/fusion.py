"""What the fusing passes share: find the producer a node can be folded into, and
make that producer write the node's output in its place."""
from __future__ import annotations

from ..ir import Graph, Node


def fusable_producer(graph: Graph, node: Node, users: dict, ops: tuple[str, ...]) -> Node | None:
    """The producer of ``node``'s first input if ``node`` can be folded into it: the
    producer is one of ``ops``, has no fused activation yet, and ``node`` is the only
    reader of its output (which is not a graph output)."""
    x = node.inputs[0]
    prod = x.producer
    if prod is None or prod.op not in ops or graph.is_output(x) or len(users[id(x)]) != 1:
        return None
    if prod.attrs.get("activation", "none") != "none":
        return None
    return prod


def absorb_into_producer(graph: Graph, node: Node, prod: Node) -> None:
    """Remove ``node``; ``prod`` now writes ``node``'s output value."""
    out = node.outputs[0]
    graph.remove_nodes([node])
    graph.replace_uses(node.inputs[0], out)
    prod.outputs = [out]
    out.producer = prod
