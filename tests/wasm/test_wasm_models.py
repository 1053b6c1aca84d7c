"""Models compiled for wasm32 give the outputs of onnxruntime and of the host runtime.

Each model is compiled with ``target="wasm32"`` (wasm SIMD kernel tiles) and run
1. under node through the JS wrapper (web/js/sparsecc.mjs + sparsecc_runtime.wasm),
2. under wasmtime as a WASI command (sparsecc-run.wasm --input ... --save-outputs),
on one seeded input; both are compared with onnxruntime and with the host runtime
running the same ONNX compiled for the host with its reference kernels. Error measure: tests/ort_check.py's
rel_err (max abs error / max |expected|); tolerance 1e-4 (float reassociation in
different SIMD tiles; the host comparisons elsewhere use 1e-5 per op).
"""
from __future__ import annotations

import functools
import os

import numpy as np
import onnx
import pytest
import wasm_env
from ort_check import ort_run, rel_err

import sparsecc
from sparsecc import zoo

FIXTURES = os.path.join(wasm_env.ROOT, "tests", "fixtures")
TOL = 1e-4

# small resolutions keep wasm runs (and the ORT/host references) to about a second each
CASES = {
    "mobilenet_v1@96": lambda: zoo.build("mobilenet_v1", input_size=96),
    "mobilenet_v2@96": lambda: zoo.build("mobilenet_v2", input_size=96),
    "resnet18@64": lambda: zoo.build("resnet18", input_size=64),
    "mobilenet_v3_block": lambda: zoo.build("mobilenet_v3_block"),
    "transformer_block": lambda: zoo.build("transformer_block"),
    "mnist_cnn": lambda: onnx.load(os.path.join(FIXTURES, "mnist_cnn.onnx")),
    "torch_mobilenetv2_tiny": lambda: onnx.load(os.path.join(FIXTURES, "torch_mobilenetv2_tiny.onnx")),
}


@functools.lru_cache(maxsize=None)
def prepared(name: str, tmp_root: str):
    """(wasm32 .scc path, feeds, onnxruntime outputs, host-runtime outputs) of one case."""
    model = CASES[name]()
    rng = np.random.default_rng(7)
    feeds = {}
    for vi in model.graph.input:
        shape = [d.dim_value if d.dim_value > 0 else 1 for d in vi.type.tensor_type.shape.dim]
        feeds[vi.name] = rng.standard_normal(shape).astype(np.float32)
    shapes = {k: list(v.shape) for k, v in feeds.items()}
    path = os.path.join(tmp_root, f"{name}.wasm32.scc")
    sparsecc.compile(model, target="wasm32", input_shapes=shapes).save(path)
    ort = ort_run(model, feeds)
    # the host runtime on its scalar reference kernels: an oracle independent of any SIMD tile
    host = sparsecc.InferenceSession(sparsecc.compile(model, target="host", input_shapes=shapes, kernels="ref"))
    names = [o.name for o in model.graph.output]
    host_out = dict(zip(names, host.run(None, feeds)))
    return path, feeds, ort, host_out


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("wasm_models"))


def check(label: str, names: list[str], got: list[np.ndarray], ort: dict, host: dict) -> None:
    assert len(got) == len(names), f"{label}: {len(got)} outputs, expected {len(names)}"
    for name, g in zip(names, got):
        assert np.all(np.isfinite(g)), f"{label}: output {name!r} has NaN/Inf"
        e_ort = rel_err(g, ort[name])
        e_host = rel_err(g, host[name])
        assert e_ort <= TOL, f"{label}: output {name!r} rel_err vs onnxruntime {e_ort:.3g} > {TOL:g}"
        assert e_host <= TOL, f"{label}: output {name!r} rel_err vs host runtime {e_host:.3g} > {TOL:g}"


@pytest.mark.parametrize("name", list(CASES))
def test_wasm32_model_under_node_matches_onnxruntime_and_host(name, wasm_build, tmp_root):
    path, feeds, ort, host = prepared(name, tmp_root)
    outs, info = wasm_env.run_node(path, list(feeds.values()))
    check(f"{name} [node]", [o["name"] for o in info["outputs"]], outs, ort, host)
    kernels = {layer["kernel"] for layer in info["layers"]}
    if name.startswith(("mobilenet", "resnet", "torch_")):
        # the wasm SIMD tiles were chosen (and so the wasmsimd micro-kernels ran)
        assert any(k.endswith("4x8") for k in kernels), f"{name}: no 4x8 wasm gemm tile in {sorted(kernels)}"


@pytest.mark.parametrize("name", list(CASES))
def test_wasm32_model_under_wasmtime_matches_onnxruntime_and_host(name, wasm_build, tmp_root):
    path, feeds, ort, host = prepared(name, tmp_root)
    names = list(ort)
    outs = wasm_env.run_wasmtime(path, list(feeds.values()), list(feeds), [list(ort[n].shape) for n in names])
    check(f"{name} [wasmtime]", names, outs, ort, host)


def test_wasm32_scalar_fallback_matches_simd_kernels(wasm_build, tmp_root):
    """SPARSECC_ARCH=scalar in the wasm build runs the scalar twins of the same tiles: same result."""
    path, feeds, ort, host = prepared("mobilenet_v2@96", tmp_root)
    simd, _ = wasm_env.run_node(path, list(feeds.values()))
    scalar, _ = wasm_env.run_node(path, list(feeds.values()), arch="scalar")
    err = rel_err(scalar[0], simd[0])
    assert err <= TOL, f"mobilenet_v2@96: scalar vs wasmsimd kernels rel_err {err:.3g} > {TOL:g}"
