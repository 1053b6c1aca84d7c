"""``sparsecc run`` refuses inputs that do not fit the model with one line naming the
input (exit 1, no traceback, no output file written): a missing input, an unknown
name, a wrong shape, an integer array, a file that is not .npy, a missing file.
The Python API's checks are in tests/api; this is the CLI path over them."""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper
from ort_check import make_model
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """y = a + b, both [2, 3]."""
    vi = helper.make_tensor_value_info
    m = make_model([helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                   [vi("a", TensorProto.FLOAT, [2, 3]), vi("b", TensorProto.FLOAT, [2, 3])],
                   [vi("y", TensorProto.FLOAT, [2, 3])])
    return sparsecc.compile(m).save(tmp_path_factory.mktemp("model") / "add.scc")


def _npy(folder, name, arr):
    path = folder / f"{name}.npy"
    np.save(path, arr)
    return f"{path}"


def _run(model_file, tmp_path, inputs: dict):
    """``sparsecc run`` with one ``--input`` per entry: an array (saved as .npy), or a token:
    NOT_NPY (a text file), MISSING (an absent path), NO_EQUALS (a spec without '=FILE')."""
    args = ["run", str(model_file), "--output-dir", str(tmp_path / "outs")]
    for name, value in inputs.items():
        if isinstance(value, np.ndarray):
            args += ["--input", f"{name}={_npy(tmp_path, name, value)}"]
        elif value == "NOT_NPY":
            (tmp_path / "text.npy").write_text("not numpy")
            args += ["--input", f"{name}={tmp_path / 'text.npy'}"]
        elif value == "MISSING":
            args += ["--input", f"{name}={tmp_path / 'absent.npy'}"]
        else:
            args += ["--input", name]
    return CliRunner().invoke(app, args)


def _ok(shape=(2, 3)):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def test_good_inputs_run(model_file, tmp_path):
    a, b = _ok(), _ok() * 2
    r = _run(model_file, tmp_path, {"a": a, "b": b})
    assert r.exit_code == 0, r.output
    np.testing.assert_array_equal(np.load(tmp_path / "outs" / "y.npy"), a + b)


@pytest.mark.parametrize("label,inputs,pattern", [
    ("missing input", {"a": _ok()}, r"missing inputs \['b'\]"),
    ("unknown input", {"a": _ok(), "b": _ok(), "c": _ok()}, r"unknown inputs \['c'\]"),
    ("wrong shape", {"a": _ok(), "b": _ok((3, 2))}, r"input 'b' has shape \[3, 2\]; expected \[2, 3\]"),
    ("wrong rank", {"a": _ok((6,)), "b": _ok()}, r"input 'a' has shape \[6\]; expected \[2, 3\]"),
    ("int64 array", {"a": _ok(), "b": np.ones((2, 3), np.int64)}, r"input 'b' has dtype int64"),
    ("not a .npy file", {"a": _ok(), "b": "NOT_NPY"}, r"--input b: cannot read"),
    ("missing file", {"a": _ok(), "b": "MISSING"}, r"(?i)no such file"),
    ("no '=' in spec", {"a": _ok(), "b": "NO_EQUALS"}, r"expected NAME=FILE\.npy"),
])
def test_bad_input_is_one_line_naming_it(model_file, tmp_path, label, inputs, pattern):
    import re

    r = _run(model_file, tmp_path, inputs)
    assert r.exit_code == 1, f"{label}: exit {r.exit_code}: {r.output}"
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), f"{label}: {r.output}"
    assert re.search(pattern, r.output), f"{label}: {r.output}"
    assert not (tmp_path / "outs").exists(), f"{label}: outputs written despite the error"
