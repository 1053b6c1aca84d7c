"""The arena plan never lets two live tensors overlap, and it reuses memory."""
import pytest
from model_builders import conv_bn_relu, two_branch

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower import lower, plan_memory
from sparsecc.compiler.lower.memory_plan import lifetimes
from sparsecc.compiler.passes import PassManager, canonical_passes


def _graphs():
    from sparsecc.zoo import build

    yield "conv_bn_relu", import_onnx(conv_bn_relu())
    yield "two_branch", import_onnx(two_branch())
    for name, kw in [("mobilenet_v2", {"input_size": 64}), ("resnet18", {"input_size": 64})]:
        g = import_onnx(build(name, **kw))
        PassManager(canonical_passes()).run(g)
        yield name, g


@pytest.mark.parametrize("name,graph", list(_graphs()), ids=lambda x: x if isinstance(x, str) else "")
def test_live_tensors_never_overlap(name, graph):
    mem = plan_memory(graph)
    life = lifetimes(graph)
    acts = {id(v): v for v in graph.inputs}
    acts.update({id(v): v for n in graph.nodes for v in n.outputs})
    items = [(k, mem.offsets[k], mem.offsets[k] + v.nbytes, *life[k]) for k, v in acts.items()]
    for k, off, _, _, _ in items:
        assert off % 64 == 0, f"{name}: offset {off} not 64-byte aligned"
    for i, (k1, a1, b1, s1, e1) in enumerate(items):
        assert b1 <= mem.arena_size, f"{name}: {acts[k1].name} ends past the arena"
        for k2, a2, b2, s2, e2 in items[i + 1:]:
            if s1 <= e2 and s2 <= e1:  # lifetimes intersect
                assert b1 <= a2 or b2 <= a1, f"{name}: {acts[k1].name} and {acts[k2].name} overlap while live"


def test_arena_reuses_memory_on_a_deep_network():
    from sparsecc.zoo import build

    g = import_onnx(build("mobilenet_v2", input_size=64))
    PassManager(canonical_passes()).run(g)
    plan = lower(g)
    assert plan.arena_size < plan.naive_arena_size / 4, (plan.arena_size, plan.naive_arena_size)


def test_graph_outputs_stay_live_to_the_end():
    g = import_onnx(two_branch())
    life = lifetimes(g)
    for v in g.outputs:
        assert life[id(v)][1] == len(g.nodes)
