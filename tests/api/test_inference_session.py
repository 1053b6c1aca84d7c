"""InferenceSession behaves like onnxruntime's and refuses bad calls with clear errors."""
import numpy as np
import pytest
from model_builders import conv_bn_relu, two_branch
from ort_check import ort_run, rel_err

import sparsecc
from sparsecc import InvalidArgument


@pytest.fixture(scope="module")
def model():
    return two_branch()


@pytest.fixture(scope="module")
def sess(model):
    return sparsecc.InferenceSession(sparsecc.compile(model))


def _x(seed=0):
    return np.random.default_rng(seed).standard_normal((1, 4, 8, 8)).astype(np.float32)


def test_inputs_and_outputs_are_described(sess):
    assert [(a.name, a.shape, a.type) for a in sess.get_inputs()] == [("input", [1, 4, 8, 8], "tensor(float)")]
    assert [(a.name, a.shape) for a in sess.get_outputs()] == [("sum", [1, 4, 8, 8]), ("r", [1, 4, 8, 8])]


def test_run_returns_outputs_in_requested_order(sess, model):
    x = _x()
    expected = ort_run(model, {"input": x})
    r, s = sess.run(["r", "sum"], {"input": x})
    assert rel_err(r, expected["r"]) < 1e-6 and rel_err(s, expected["sum"]) < 1e-6
    all_outs = sess.run(None, {"input": x})
    assert len(all_outs) == 2 and np.array_equal(all_outs[0], s)


def test_session_from_saved_file_and_bytes_agree(tmp_path):
    compiled = sparsecc.compile(conv_bn_relu())
    path = compiled.save(tmp_path / "m.scc")
    x = np.random.default_rng(1).standard_normal((1, 3, 10, 10)).astype(np.float32)
    a = sparsecc.InferenceSession(path).run(None, {"input": x})[0]
    b = sparsecc.InferenceSession(compiled.to_bytes()).run(None, {"input": x})[0]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("feeds,pattern", [
    ({}, "missing inputs \\['input'\\]"),
    ({"input": _x(), "extra": _x()}, "unknown inputs \\['extra'\\]"),
    ({"input": np.zeros((1, 4, 8, 9), np.float32)}, "input 'input' has shape \\[1, 4, 8, 9\\]; expected \\[1, 4, 8, 8\\]"),
    ({"input": np.zeros((1, 4, 8, 8), np.int64)}, "dtype int64; expected float32"),
])
def test_bad_feeds_name_the_offending_input(sess, feeds, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        sess.run(None, feeds)


def test_unknown_output_name_is_an_error(sess):
    with pytest.raises(InvalidArgument, match="unknown outputs \\['nope'\\]"):
        sess.run(["nope"], {"input": _x()})


def test_float64_input_is_converted(sess, model):
    x = _x().astype(np.float64)
    out = sess.run(["r"], {"input": x})[0]
    assert out.dtype == np.float32 and np.allclose(out, np.maximum(x, 0))


def test_run_with_profile_times_every_layer(sess):
    outs, layers = sess.run_with_profile(None, {"input": _x()})
    assert [(layer.op, layer.kernel) for layer in layers] == [(n["op"], n["kernel"]) for n in sess.nodes]
    assert all(layer.seconds >= 0 for layer in layers)


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file"):
        sparsecc.InferenceSession(tmp_path / "absent.scc")
