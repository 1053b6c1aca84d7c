"""A malformed ONNX model is a CompileError whose message names the node, input or
initializer at fault — from ``sparsecc.compile`` and from ``sparsecc compile`` (exit 1,
one line, no output file) — never another exception. Huge claimed sizes are refused
before anything is allocated. NaN/Inf weights compile with a warning naming them.
(Import-level cases in tests/frontend/test_import.py are not repeated here.)
"""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import onnx
import pytest
from malformed_onnx import CASES, raw_model, relu, vi
from onnx import helper, numpy_helper
from ort_check import ort_run
from typer.testing import CliRunner

import sparsecc
from sparsecc import CompileError
from sparsecc.cli.main import app


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_model_is_a_compile_error_naming_the_culprit(case):
    model, names = CASES[case]()
    with pytest.raises(CompileError) as e:
        sparsecc.compile(model)
    for name in names:
        assert name in str(e.value), f"{case}: message does not name {name}: {e.value}"


HUGE = ["huge input", "huge initializer claim", "expand to huge", "constant of shape huge", "tile to huge",
        "resize to huge"]


@pytest.mark.parametrize("case", HUGE)
def test_huge_claimed_sizes_fail_fast_without_allocating(case):
    model, _ = CASES[case]()
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(CompileError, match="limit"):
            sparsecc.compile(model)
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"{case}: compile allocated {peak / 2**20:.0f} MiB before refusing"
    assert seconds < 5, f"{case}: took {seconds:.1f} s to refuse"


@pytest.mark.parametrize("case", ["missing initializer", "cycle", "int64 input", "huge input", "opset 22",
                                  "output never produced"])
def test_cli_compile_prints_one_line_and_writes_nothing(tmp_path, case):
    model, names = CASES[case]()
    src, out = tmp_path / "bad.onnx", tmp_path / "bad.scc"
    onnx.save(model, src)
    r = CliRunner().invoke(app, ["compile", str(src), "-o", str(out)])
    assert r.exit_code == 1, f"{case}: exit {r.exit_code}: {r.output}"
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), f"{case}: {r.output}"
    assert all(n in r.output for n in names), f"{case}: {r.output}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.onnx"], f"{case}: left {list(tmp_path.iterdir())}"


@pytest.mark.parametrize("given,pattern", [([1, 2], "rank 2 but the model declares rank 3"),
                                           ([1, 0, 3], "every dim must be >= 1")])
def test_cli_input_shape_that_contradicts_the_model_is_one_line(tmp_path, given, pattern):
    onnx.save(relu(["N", "C", 3]), tmp_path / "m.onnx")
    spec = "x:" + ",".join(map(str, given))
    r = CliRunner().invoke(app, ["compile", str(tmp_path / "m.onnx"), "--input-shape", spec])
    assert r.exit_code == 1 and pattern in r.output, f"--input-shape {spec}: {r.output}"


def test_nan_and_inf_weights_compile_with_a_warning_naming_the_initializer():
    consts = np.array([np.nan, np.inf, 1.0], np.float32)
    model = raw_model([helper.make_node("Add", ["x", "bad_bias"], ["y"], name="add")], [vi("x", [3])],
                      [vi("y", [3])], [numpy_helper.from_array(consts, "bad_bias")])
    with pytest.warns(UserWarning, match="initializer 'bad_bias' contains NaN or Inf"):
        compiled = sparsecc.compile(model)
    x = np.array([1.0, 2.0, 3.0], np.float32)
    got = sparsecc.InferenceSession(compiled).run(None, {"x": x})[0]
    np.testing.assert_array_equal(got, x + consts)  # NaN and Inf propagate as in IEEE arithmetic


def test_finite_weights_give_no_warning(recwarn):
    model = raw_model([helper.make_node("Add", ["x", "bias"], ["y"], name="add")], [vi("x", [3])], [vi("y", [3])],
                      [numpy_helper.from_array(np.ones(3, np.float32), "bias")])
    sparsecc.compile(model)
    assert not [w for w in recwarn if "NaN" in str(w.message)]


def test_graph_not_in_topological_order_is_sorted_and_matches_onnxruntime():
    """onnxruntime accepts nodes listed out of order; so does sparsecc (a real cycle is an error)."""
    nodes = [helper.make_node("Relu", ["a"], ["y"], name="listed_first_runs_second"),
             helper.make_node("Neg", ["x"], ["a"], name="listed_second_runs_first")]
    model = raw_model(nodes, [vi("x", [2, 3])], [vi("y", [2, 3])])
    x = np.random.default_rng(7).standard_normal((2, 3)).astype(np.float32)
    compiled = sparsecc.compile(model)
    assert [n.name for n in compiled.plan.nodes] == ["listed_second_runs_first", "listed_first_runs_second"]
    got = sparsecc.InferenceSession(compiled).run(None, {"x": x})[0]
    np.testing.assert_array_equal(got, ort_run(model, {"x": x})["y"])
