"""The channel dependency analysis couples exactly the channels that must go together."""
import numpy as np
import pytest
from prune_check import analysed
from prune_graphs import GRAPHS

from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.ir import Graph
from sparsecc.compiler.passes.channel_space import analyze_channels
from sparsecc.compiler.passes.group_prune import apply_pruning


def nodes(graph, op):
    return [n for n in graph.nodes if n.op == op]


def weight_indices(cls, node, input_index, axis):
    return sorted(s.index[0] for s in cls.params if s.node is node and s.input_index == input_index
                  and s.axes == (axis,))


def test_residual_add_chain_is_one_space_of_single_channels():
    g, a = analysed(GRAPHS["residual_chain"]())
    adds = nodes(g, "Add")
    stem = nodes(g, "Conv")[0].output
    ref = a.class_of(stem)
    for add in adds:
        for v in add.inputs + [add.output]:
            assert np.array_equal(a.class_of(v), ref), f"residual value {v.name} not coupled with the stem channels"
    assert len(set(ref.tolist())) == 8 and all(a.classes[c].prunable for c in ref)


def test_concat_of_two_branches_keeps_channel_offsets():
    g, a = analysed(GRAPHS["concat_branches"]())
    (cat,) = nodes(g, "Concat")
    out = a.class_of(cat.output)
    assert np.array_equal(out[:5], a.class_of(cat.inputs[0])), "first branch must map to concat channels 0..4"
    assert np.array_equal(out[5:], a.class_of(cat.inputs[1])), "second branch must map to concat channels 5..11"
    assert len(set(out.tolist())) == 12


def test_concat_of_same_tensor_twice_couples_both_copies():
    g, a = analysed(GRAPHS["concat_same_twice"]())
    (cat,) = nodes(g, "Concat")
    out, src = a.class_of(cat.output), a.class_of(cat.inputs[0])
    assert np.array_equal(out[:6], src) and np.array_equal(out[6:], src)
    consumer = nodes(g, "Conv")[1]
    for c in range(6):  # removing channel c removes input columns c and c + 6 of the next conv
        assert weight_indices(a.classes[src[c]], consumer, 1, 1) == [c, c + 6]


def test_split_on_channels_maps_offsets():
    g, a = analysed(GRAPHS["split_channels"]())
    (sp,) = nodes(g, "Split")
    src = a.class_of(sp.inputs[0])
    assert np.array_equal(a.class_of(sp.outputs[0]), src[:3])
    assert np.array_equal(a.class_of(sp.outputs[1]), src[3:])


@pytest.mark.parametrize("k", [1, 2])
def test_depthwise_couples_each_input_channel_with_its_multiplier_outputs(k):
    g, a = analysed(GRAPHS[f"depthwise_x{k}"]())
    dw = [n for n in nodes(g, "Conv") if n.attrs.get("group", 1) > 1][0]
    src, out = a.class_of(dw.inputs[0]), a.class_of(dw.output)
    for c in range(6):
        assert all(out[c * k + j] == src[c] for j in range(k)), f"depthwise x{k}: channel {c} not coupled"
    assert len(set(src.tolist())) == 6


@pytest.mark.parametrize("groups", [2, 4])
def test_grouped_conv_removes_whole_groups(groups):
    g, a = analysed(GRAPHS[f"grouped_{groups}"]())
    gc = [n for n in nodes(g, "Conv") if n.attrs.get("group", 1) > 1][0]
    src, out = a.class_of(gc.inputs[0]), a.class_of(gc.output)
    size = 8 // groups
    for c in range(8):
        assert src[c] == src[(c // size) * size] == out[c], f"group {groups}: channel {c} not with its group"
    assert len(set(src.tolist())) == groups


def test_conv_with_one_output_channel_is_not_treated_as_depthwise():
    g, a = analysed(GRAPHS["one_channel"]())
    c1, c2, _ = nodes(g, "Conv")
    single = a.classes[a.class_of(c1.output)[0]]
    assert weight_indices(single, c2, 1, 1) == [0], "the 1->6 conv reads its one input channel through W axis 1"
    outs = a.class_of(c2.output)
    assert len(set(outs.tolist())) == 6 and single.id not in outs, "the 6 outputs must not follow the 1 input"
    with pytest.raises(CompileError, match="every channel"):
        apply_pruning(g, a, [single.id])


def test_flatten_to_gemm_maps_channel_to_feature_stride():
    g, a = analysed(GRAPHS["flatten_gemm"]())
    (gemm,) = nodes(g, "Gemm")
    conv = nodes(g, "Conv")[0]
    for c, cid in enumerate(a.class_of(conv.output)):
        assert weight_indices(a.classes[cid], gemm, 1, 1) == list(range(9 * c, 9 * c + 9)), f"channel {c}"


def test_se_block_couples_excitation_with_feature_channels():
    g, a = analysed(GRAPHS["se_block"]())
    (mul,) = nodes(g, "Mul")
    x, s = mul.inputs
    assert np.array_equal(a.class_of(x), a.class_of(s)), "Mul(x, s) with s [1,C,1,1] couples channel c"
    squeeze = nodes(g, "Conv")[1]
    assert a.classes[a.class_of(squeeze.output)[0]].space != a.classes[a.class_of(x)[0]].space


def test_attention_prunes_whole_heads_with_q_and_k_coupled():
    g, a = analysed(GRAPHS["attention"]())
    mm = [n for n in nodes(g, "MatMul") if n.inputs[1].is_const]
    q, k, v, proj = mm
    heads = {a.class_of(q.output)[e] for e in range(16)}
    assert len(heads) == 4 and all(a.classes[h].prunable for h in heads)
    for h_cls in heads:
        cls = a.classes[h_cls]
        cols = weight_indices(cls, q, 1, 1)
        h = cols[0] // 4
        expect = list(range(4 * h, 4 * h + 4))
        assert cols == expect, f"Q columns of one class {cols} are not one head"
        assert weight_indices(cls, k, 1, 1) == expect, "K columns of the head must go with Q's"
        assert weight_indices(cls, v, 1, 1) == expect, "V columns of the head must go with Q's"
        assert weight_indices(cls, proj, 1, 0) == expect, "output projection rows of the head"


def test_layernorm_over_channels_is_a_barrier():
    g, a = analysed(GRAPHS["mlp_layernorm"]())
    fc1 = nodes(g, "MatMul")[0]
    cls = [a.classes[c] for c in set(a.class_of(fc1.output).tolist())]
    assert all(c.barrier for c in cls)
    assert "LayerNormalization" in cls[0].barrier_reasons[0]
    assert a.prunable == []


def test_gather_on_channels_is_a_barrier():
    g, a = analysed(GRAPHS["gather_channels"]())
    conv = nodes(g, "Conv")[0]
    cls = [a.classes[c] for c in set(a.class_of(conv.output).tolist())]
    assert all(c.barrier and "Gather" in c.barrier_reasons[0] for c in cls)


def test_unknown_op_is_a_barrier_on_every_input_channel():
    g = Graph("custom")
    x = g.add_input("x", (1, 3, 4, 4))
    w = g.const("w", np.ones((5, 3, 1, 1), np.float32))
    conv = g.add_node("Conv", [x, w], [(1, 5, 4, 4)])
    custom = g.add_node("MyCustomOp", [conv.output], [(1, 5, 4, 4)], name="custom")
    w2 = g.const("w2", np.ones((2, 5, 1, 1), np.float32))
    out = g.add_node("Conv", [custom.output, w2], [(1, 2, 4, 4)])
    g.outputs.append(out.output)
    a = analyze_channels(g)
    assert a.track(custom.output) is None, "an unknown op's output must not be tracked"
    for cid in a.class_of(conv.output):
        assert a.classes[cid].barrier and "'custom'" in a.classes[cid].barrier_reasons[0]
    assert a.prunable == []


def test_graph_outputs_are_barriers():
    g, a = analysed(GRAPHS["intermediate_output"]())
    first = nodes(g, "Conv")[0]
    assert all(a.classes[c].barrier for c in a.class_of(first.output))
    second = nodes(g, "Conv")[1]
    assert all(a.classes[c].prunable for c in a.class_of(second.output))


def test_describe_names_spaces_and_barrier_reasons():
    _, a = analysed(GRAPHS["gather_channels"]())
    text = a.describe()
    assert "channel spaces" in text and "barrier: Gather" in text and "graph output" in text
