"""--compare onnxruntime: interleaved end-to-end samples and onnxruntime's per-node profile mapped to our layers."""
import pytest
from profile_helpers import small_mobilenet

from sparsecc.profile import CompileOptions, RunOptions, profile
from sparsecc.profile.ort_compare import match_layers, parse_ort_profile
from sparsecc.profile.schema import validate


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    path = small_mobilenet(tmp_path_factory.mktemp("m") / "mv1.onnx", input_size=64, width=0.25)
    return profile(path, CompileOptions(), RunOptions(warmup=1, repeat=8), runner="local", compare="onnxruntime")


def test_compare_reports_onnxruntime_samples_and_ratio(doc):
    validate(doc)
    run = doc["runs"][0]
    cmp = run["compare"]
    assert cmp["engine"] == "onnxruntime" and cmp["threads"] == 1
    assert cmp["end_to_end_ms"]["n"] == 8, "one onnxruntime run after each of our timed runs"
    assert cmp["ratio"] == pytest.approx(run["end_to_end_ms"]["median"] / cmp["end_to_end_ms"]["median"])


def test_every_conv_and_gemm_layer_is_matched_to_an_onnxruntime_node_of_the_same_shape(doc):
    run = doc["runs"][0]
    nodes = run["compare"]["nodes"]
    matched = {n["matched_layer"]: n for n in nodes if n["matched_layer"] is not None}
    for l in run["layers"]:
        if l["op"] in ("Conv", "Gemm"):
            assert l["index"] in matched, f"layer {l['name']} ({l['op']} {l['output_shape']}) has no onnxruntime node"
            theirs = matched[l["index"]]["output_shape"]
            if theirs != l["output_shape"]:  # onnxruntime's NCHWc layout pads channels to its block
                assert theirs[:1] + theirs[2:] == l["output_shape"][:1] + l["output_shape"][2:] and \
                    l["output_shape"][1] < theirs[1] < l["output_shape"][1] + 16, (l["name"], theirs)
            assert l["onnxruntime_ms"] == matched[l["index"]]["median_ms"], l["name"]


def _node(name, op, shape):
    return {"name": name, "op": op, "output_shape": shape}


def test_match_layers_follows_order_and_skips_layout_nodes():
    ours = [_node("stem.conv_1", "Conv", [1, 8, 4, 4]), _node("pw.conv_2", "Conv", [1, 16, 4, 4]),
            _node("fc", "Gemm", [1, 10])]
    ort = [_node("ReorderInput", "ReorderInput", [1, 8, 4, 4]), _node("stem.act_nchwc", "Conv", [1, 8, 4, 4]),
           _node("pw.act_nchwc", "FusedConv", [1, 16, 4, 4]), _node("fc", "Gemm", [1, 10])]
    assert match_layers(ours, ort) == [1, 2, 3]
    # a layer onnxruntime does not have stays unmatched, and does not derail the rest
    ours.insert(1, _node("extra", "Relu", [1, 8, 4, 4]))
    assert match_layers(ours, ort) == [1, None, 2, 3]
    # channels padded to onnxruntime's NCHWc block still match; a different spatial size does not
    ours = [_node("c", "Conv", [1, 8, 4, 4]), _node("d", "Conv", [1, 8, 2, 2])]
    ort = [_node("c_nchwc", "Conv", [1, 16, 4, 4]), _node("d_nchwc", "Conv", [1, 16, 4, 4])]
    assert match_layers(ours, ort) == [0, None]


def test_parse_ort_profile_keeps_the_last_runs_of_each_node():
    ev = [{"cat": "Session", "name": "model_run", "dur": 999}]
    for r, dur in enumerate((500, 100, 300)):  # the first run is a warm-up
        ev.append({"cat": "Node", "name": "conv_kernel_time", "dur": dur,
                   "args": {"op_name": "Conv", "output_type_shape": [{"float": [1, 4, 2, 2]}]}})
    nodes = parse_ort_profile(ev, keep_last=2)
    assert nodes == [{"name": "conv", "op": "Conv", "output_shape": [1, 4, 2, 2], "samples_ms": [0.1, 0.3],
                      "median_ms": pytest.approx(0.2)}]
