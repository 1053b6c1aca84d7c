"""Smoke test of python -m bench.sparsity_sweep on a tiny MobileNet-v1: JSON fields, PNG, the sparse
models match onnxruntime on the same zeroed weights, E is computed for the sparsified layers."""
from __future__ import annotations

import json

from bench.sparsity_sweep import main


def test_sparsity_sweep_smoke(tmp_path):
    out = tmp_path / "sweep.json"
    main(["--models", "mobilenet_v1", "--input-size", "32", "--width", "0.25", "--sparsities", "0.5,0.9",
          "--repeat", "2", "--warmup", "1", "--out", str(out)])
    doc = json.loads(out.read_text())
    assert (tmp_path / "sweep.png").stat().st_size > 1000, "no plot written"
    (res,) = doc["results"]
    assert [r["sparsity"] for r in res["rows"]] == [0.0, 0.5, 0.9]
    for r in res["rows"]:
        assert r["ms"] > 0 and r["speedup_vs_onnxruntime"] > 0, r
        assert r["rel_err_vs_onnxruntime_same_weights"] < 1e-4, f"{r['sparsity']}: sparse model disagrees with ort"
    for r in res["rows"][1:]:
        assert r["layers"], f"{r['sparsity']}: no per-layer efficiency rows"
        for la in r["layers"]:
            assert la["E"] is not None and la["E"] > 0 and abs(la["sparsity"] - r["sparsity"]) < 0.02, la
    assert res["rows"][0]["speedup_vs_dense"] == 1.0
