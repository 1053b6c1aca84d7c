"""--sparsity / --pattern / --sweep: per-layer sparsity from the model file, the sweep summary, plot.

One CLI sweep (0 and 0.9, g4) on a small MobileNet-v1 with --compare: the JSON must
carry, per layer, the sparsity the compiler recorded on the node (checked against
an independent compile), and the sweep summary must follow from the runs' samples.
"""
import json

import numpy as np
import pytest
from profile_helpers import small_mobilenet
from rich.console import Console
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app
from sparsecc.profile.schema import validate
from sparsecc.profile.table import layer_table, sweep_table

REPEAT = 3


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    model = small_mobilenet(tmp / "mv1.onnx")
    paths = {"json": tmp / "s.json", "plot": tmp / "s.png"}
    r = CliRunner().invoke(app, ["profile", str(model), "--sweep", "0,0.9", "--pattern", "g4", "--repeat",
                                 str(REPEAT), "--warmup", "1", "--compare", "onnxruntime",
                                 "--json", str(paths["json"]), "--plot", str(paths["plot"])])
    assert r.exit_code == 0, r.output
    return r.output, json.loads(paths["json"].read_text()), paths, model


def _recorded_sparsity(model, s):
    """{node name: sparsity attribute} of an independent compile (None: no attribute, dense)."""
    plan = sparsecc.compile(model, sparsity=s, pattern="g4").plan if s else sparsecc.compile(model).plan
    out = {}
    for n in plan.nodes:
        attrs = {a[0]: a[2] for a in n.attrs}
        v = attrs.get("sparsity")
        out[n.name] = float(v[0] if isinstance(v, list) else v) if v is not None else None
    return out


def test_sweep_document_has_one_run_per_sparsity_and_follows_the_schema(sweep):
    _, doc, _, _ = sweep
    validate(doc)
    assert [r["compile"]["sparsity"] for r in doc["runs"]] == [0.0, 0.9]
    assert [r["label"] for r in doc["runs"]] == ["s=0", "s=0.9"]
    assert all(r["compile"]["pattern"] == "g4" for r in doc["runs"])


def test_layer_sparsity_is_the_one_recorded_in_the_model(sweep):
    _, doc, _, model = sweep
    for run, s in zip(doc["runs"], (0.0, 0.9)):
        want = _recorded_sparsity(model, s)
        got = {l["name"]: l["sparsity"] for l in run["layers"]}
        for name, value in got.items():
            assert (value is None) == (want[name] is None), f"s={s}: layer {name}: {value} vs model {want[name]}"
            if value is not None:
                assert value == pytest.approx(want[name], abs=1e-6), f"s={s}: layer {name}"
                assert next(l for l in run["layers"] if l["name"] == name)["sparsity_pattern"] == "g4"
    dense, sparse = doc["runs"]
    assert all(l["sparsity"] is None for l in dense["layers"]), "sparsity 0 leaves every layer dense"
    assert max(l["sparsity"] or 0 for l in sparse["layers"]) > 0.8, "at 0.9 some layer must be ~90% sparse"


def test_sweep_summary_follows_from_the_runs(sweep):
    _, doc, _, _ = sweep
    rows = doc["sweep"]
    base = float(np.median(doc["runs"][0]["end_to_end_ms"]["samples"]))
    for row, run in zip(rows, doc["runs"]):
        med = float(np.median(run["end_to_end_ms"]["samples"]))
        ort = float(np.median(run["compare"]["end_to_end_ms"]["samples"]))
        assert row["median_ms"] == pytest.approx(med, rel=1e-9)
        assert row["speedup"] == pytest.approx(base / med, rel=1e-9), f"speedup of {row['label']}"
        assert row["over_onnxruntime"] == pytest.approx(med / ort, rel=1e-9), f"ratio of {row['label']}"
        assert row["estimated_ms"] is None, "no ARM estimate on the host"


def test_tables_show_the_sweep_and_the_layer_sparsity(sweep):
    out, doc, _, _ = sweep
    console = Console(width=300, record=True, file=open("/dev/null", "w"))
    console.print(sweep_table(doc))
    console.print(layer_table(doc, doc["runs"][1]))
    text = console.export_text()
    for row in doc["sweep"]:
        line = next((x for x in text.splitlines() if f"{row['median_ms']:.3f}" in x), None)
        assert line is not None and f"{row['speedup']:.2f}x" in line, f"sweep row {row['label']} missing"
    for l in doc["runs"][1]["layers"]:
        if l["sparsity"] is not None:
            row = next(x for x in text.splitlines() if f" {l['name']} " in x)
            assert f"{100 * l['sparsity']:.0f}% g4" in row, row
    assert "sparsity sweep" in out


def test_sweep_plot_is_a_png_with_content(sweep):
    import matplotlib.image

    _, _, paths, _ = sweep
    img = matplotlib.image.imread(paths["plot"])
    assert img.shape[0] > img.shape[1], "two panels stacked: taller than wide"
    assert float(np.std(img)) > 0.01, "the plot is blank"


@pytest.mark.parametrize("args,msg", [
    (["--sweep", "0,1.5"], "--sweep sparsities must be in [0, 1)"),
    (["--sweep", "0,x"], "--sweep expects comma-separated sparsities"),
    (["--sweep", "0,0.5", "--sparsity", "0.5"], "either --sparsity or --sweep"),
    (["--sparsity", "1.0"], "--sparsity must be in [0, 1)"),
    (["--pattern", "g3"], "unknown --pattern 'g3'"),
    (["--calib", "/nonexistent.npz"], "--calib: no such file"),
])
def test_bad_sparsity_options_are_one_line_errors(tmp_path, args, msg):
    model = small_mobilenet(tmp_path / "m.onnx", input_size=32)
    r = CliRunner().invoke(app, ["profile", str(model), "--quiet", *args])
    assert r.exit_code != 0 and msg in r.output, r.output
    assert "Traceback" not in r.output


def test_sparsity_on_a_compiled_model_file_is_refused(tmp_path):
    model = small_mobilenet(tmp_path / "m.onnx", input_size=32)
    scc = tmp_path / "m.scc"
    sparsecc.compile(model).save(scc)
    r = CliRunner().invoke(app, ["profile", str(scc), "--sparsity", "0.5", "--quiet"])
    assert r.exit_code != 0 and "a .scc file is already compiled" in r.output, r.output
