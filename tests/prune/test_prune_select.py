"""Criteria rank the right channels; selection honours ratio, round_to, per-layer caps."""
import math

import numpy as np
import pytest
from prune_check import analysed
from prune_graphs import G

from sparsecc import zoo
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.passes.flops import layer_stats
from sparsecc.compiler.passes.group_prune import GroupPrune, select
from sparsecc.compiler.passes.prune_criteria import score


def conv_bn_conv():
    """conv (3 -> 8) -> BN -> relu -> conv (8 -> 4): one space of 8 prunable channels."""
    g = G(21)
    h = g.node("Relu", [g.bn(g.conv("x", 3, 8), 8)])
    return g.model([1, 3, 6, 6], [g.conv(h, 8, 4)], "conv_bn_conv")


def _first_space_channel(a, graph, cid):
    conv = [n for n in graph.nodes if n.op == "Conv"][0]
    return int(np.nonzero(a.class_of(conv.output) == cid)[0][0])


@pytest.mark.parametrize("criterion", ["l1", "l2"])
def test_magnitude_criteria_remove_the_channel_with_smallest_weights(criterion):
    graph, a = analysed(conv_bn_conv())
    conv1, conv2 = [n for n in graph.nodes if n.op == "Conv"]
    w1, w2 = conv1.inputs[1].const.copy(), conv2.inputs[1].const.copy()
    w1[5] *= 1e-3
    w2[:, 5] *= 1e-3
    conv1.inputs[1].const, conv2.inputs[1].const = w1, w2
    removed = select(a, score(a, graph, criterion), ratio=1 / 8)
    assert [_first_space_channel(a, graph, c) for c in removed] == [5], f"{criterion} picked {removed}"


def test_bn_scale_removes_the_channel_with_smallest_gamma():
    graph, a = analysed(conv_bn_conv())
    bn = [n for n in graph.nodes if n.op == "BatchNormalization"][0]
    gamma = bn.inputs[1].const.copy()
    gamma[2] = 1e-4
    bn.inputs[1].const = gamma
    removed = select(a, score(a, graph, "bn_scale"), ratio=1 / 8)
    assert [_first_space_channel(a, graph, c) for c in removed] == [2]


def test_every_criterion_scores_every_prunable_class():
    graph, a = analysed(zoo.build("mobilenet_v3_block", input_size=32, width=0.5))
    for criterion in ("l1", "l2", "bn_scale"):
        s = score(a, graph, criterion)
        assert set(s) == set(a.prunable), criterion
        assert all(np.isfinite(v) and v >= 0 for v in s.values()), criterion


def test_local_selection_removes_floor_ratio_of_each_space():
    graph, a = analysed(zoo.build("mobilenet_v1", input_size=32, width=0.5))
    removed = select(a, score(a, graph, "l2"), ratio=0.3)
    for s in a.spaces:
        n = len(s.prunable(a))
        got = sum(a.classes[c].space == s.id for c in removed)
        assert got == math.floor(0.3 * n), f"space {s.name}: removed {got} of {n}"


@pytest.mark.parametrize("round_to", [4, 8])
def test_round_to_keeps_channel_counts_multiples(round_to):
    graph, _ = analysed(zoo.build("mobilenet_v1", input_size=32, width=0.5))
    before = layer_stats(graph)
    assert GroupPrune(0.3, round_to=round_to).run(graph)
    after = layer_stats(graph)
    changed = [k for k in before if after[k].channels != before[k].channels]
    assert changed, "nothing was pruned"
    for k in changed:
        assert after[k].channels % round_to == 0 and after[k].channels >= round_to, \
            f"{k}: {before[k].channels} -> {after[k].channels} channels, not a multiple of {round_to}"


def test_global_selection_caps_each_layer():
    graph, a = analysed(zoo.build("mobilenet_v1", input_size=32, width=0.5))
    rng = np.random.default_rng(0)
    scores = {c: float(rng.random()) for c in a.prunable}
    removed = select(a, scores, ratio=0.5, mode="global", max_layer_ratio=0.2)
    assert 0 < len(removed) <= math.floor(0.5 * len(a.prunable))
    for s in a.spaces:
        got = sum(a.classes[c].space == s.id for c in removed)
        assert got <= math.floor(0.2 * len(s.classes)), f"space {s.name}: {got} of {len(s.classes)} removed"


def test_global_selection_normalises_scores_per_layer():
    graph, a = analysed(zoo.build("mobilenet_v1", input_size=32, width=0.5))
    scores = score(a, graph, "l2")
    big = a.spaces[3].id
    scaled = {c: v * (1000.0 if a.classes[c].space == big else 1.0) for c, v in scores.items()}
    assert select(a, scores, 0.3, mode="global") == select(a, scaled, 0.3, mode="global")


def test_bad_arguments_are_clear_errors():
    graph, a = analysed(conv_bn_conv())
    with pytest.raises(CompileError, match="ratio"):
        select(a, score(a, graph, "l2"), ratio=1.0)
    with pytest.raises(CompileError, match="unknown pruning criterion 'magic'"):
        score(a, graph, "magic")
    with pytest.raises(CompileError, match="mode"):
        select(a, score(a, graph, "l2"), ratio=0.3, mode="both")
