"""Models compiled with --target arm64 and run by the arm64 runtime under qemu give
the same outputs as onnxruntime and as the host (x86-64) runtime.

Tolerance: rel_err (tests/ort_check.py: max abs error / max |expected|) <= 1e-4
for every output. The arm64 build runs the NEON micro-kernels (fused
multiply-add, a different summation order than AVX2 and onnxruntime), so exact
equality is not expected; 1e-4 is ~14x the largest difference measured (docs/targets.md).
Inputs are seeded, fixed per model; the MNIST model gets real test images.
"""
from __future__ import annotations

import os

import numpy as np
import onnx
import pytest
from cross_env import run_sparsecc_run
from ort_check import WORST_ERRORS, ort_run, rel_err

import sparsecc
from sparsecc import zoo

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
TOL = 1e-4


def _zoo(name, **kw):
    return lambda: (zoo.build(name, **kw), None)


def _mnist():
    model = onnx.load(os.path.join(FIXTURES, "mnist_cnn.onnx"))
    x = np.load(os.path.join(FIXTURES, "mnist_data.npz"))["test_x"][:8].astype(np.float32)[:, None] / 255.0
    return model, {"image": x}


def _torch_mv2():
    model = onnx.load(os.path.join(FIXTURES, "torch_mobilenetv2_tiny.onnx"))
    x = np.load(os.path.join(FIXTURES, "torch_mobilenetv2_tiny.npz"))["input"].astype(np.float32)
    return model, {"input": x}


# name -> () -> (ONNX model, fixed feeds or None for seeded normal data)
CASES = {
    "mobilenet_v1_64": _zoo("mobilenet_v1", input_size=64),
    "mobilenet_v2_96": _zoo("mobilenet_v2", input_size=96),
    "resnet18_64": _zoo("resnet18", input_size=64),
    "mobilenet_v3_block_64": _zoo("mobilenet_v3_block", input_size=64),
    "transformer_block": _zoo("transformer_block", seq=32),
    "mnist_cnn": _mnist,
    "torch_mobilenetv2_tiny": _torch_mv2,
}


def _seeded_feeds(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    init = {i.name for i in model.graph.initializer}
    feeds = {}
    for inp in model.graph.input:
        if inp.name in init:
            continue
        dims = [d.dim_value if d.dim_value > 0 else 1 for d in inp.type.tensor_type.shape.dim]
        feeds[inp.name] = rng.standard_normal(dims).astype(np.float32)
    return feeds


def _check(label: str, got: np.ndarray, expected: np.ndarray) -> float:
    assert np.all(np.isfinite(got)), f"{label}: NaN/Inf in the arm64 output"
    err = rel_err(got, expected)
    WORST_ERRORS[label] = max(WORST_ERRORS.get(label, 0.0), err)
    assert err <= TOL, f"{label}: rel_err {err:.3g} > {TOL:g}"
    return err


@pytest.mark.parametrize("case", list(CASES))
def test_arm64_model_matches_onnxruntime_and_host_runtime(case, arm64_dist, arm64_runner, tmp_path):
    model, feeds = CASES[case]()
    feeds = feeds or _seeded_feeds(model)
    shapes = {k: list(v.shape) for k, v in feeds.items()}
    expected = ort_run(model, feeds)

    host = sparsecc.InferenceSession(sparsecc.compile(model, input_shapes=shapes, target="host"))
    host_out = dict(zip([o.name for o in host.get_outputs()], host.run(None, feeds)))

    arm = sparsecc.compile(model, input_shapes=shapes, target="arm64")
    path = tmp_path / f"{case}.scc"
    arm.save(path)
    report, outs = run_sparsecc_run(arm64_runner, arm64_dist, path, feeds, tmp_path / "run")

    assert report["target"] == "arm64", f"{case}: sparsecc-run reports target {report['target']!r}"
    names = [o["name"] for o in report["outputs"]]
    assert sorted(names) == sorted(expected), f"{case}: arm64 outputs {names} != onnxruntime's {sorted(expected)}"
    for name, got in zip(names, outs):
        _check(f"{case} {name} [arm64 vs onnxruntime]", got, expected[name])
        _check(f"{case} {name} [arm64 vs host runtime]", got, host_out[name])
    fast = [layer["kernel"] for layer in report["layers"] if layer["kernel"] != "ref"]
    if case != "transformer_block":   # CNNs: the convolutions must run on NEON kernels, not only "ref"
        assert fast, f"{case}: every layer of the arm64 model uses the reference kernel"


def test_host_runtime_rejects_a_model_compiled_for_arm64(tmp_path):
    model = zoo.build("mobilenet_v3_block", input_size=32)
    path = tmp_path / "arm.scc"
    sparsecc.compile(model, target="arm64").save(path)
    with pytest.raises(Exception) as info:
        sparsecc.InferenceSession(str(path))
    msg = str(info.value)
    assert "arm64" in msg and "not built for" in msg, f"unclear rejection message: {msg!r}"


def test_arm64_runtime_rejects_a_model_compiled_for_x86_64(arm64_dist, arm64_runner, tmp_path):
    model = zoo.build("mobilenet_v3_block", input_size=32)
    path = tmp_path / "x86.scc"
    sparsecc.compile(model, target="x86_64").save(path)
    proc = run_sparsecc_run(arm64_runner, arm64_dist, path, {}, tmp_path / "run", check=False)
    assert proc.returncode == 1, f"expected exit 1, got {proc.returncode}: {proc.stderr}"
    err = proc.stderr.strip()
    assert "x86_64" in err and "not built for" in err, f"unclear rejection message: {err!r}"
    assert len(err.splitlines()) == 1, f"expected one error line, got: {err!r}"
    assert not list((tmp_path / "run" / "outputs").iterdir()), "outputs written for a rejected model"
