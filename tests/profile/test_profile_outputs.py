"""The CLI's outputs: rich table, --json, --trace (Chrome trace events), --plot (PNG), --quiet."""
import json
import struct

import numpy as np
import pytest
from profile_helpers import small_mobilenet
from rich.console import Console
from typer.testing import CliRunner

from sparsecc.cli.main import app
from sparsecc.profile.schema import validate
from sparsecc.profile.table import layer_table, summary_lines

REPEAT = 6


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("out")
    model = small_mobilenet(tmp / "mv1.onnx")
    paths = {"json": tmp / "p.json", "trace": tmp / "p.trace.json", "plot": tmp / "p.png"}
    r = CliRunner().invoke(app, ["profile", str(model), "--repeat", str(REPEAT), "--warmup", "1", "--compare",
                                 "onnxruntime", "--json", str(paths["json"]), "--trace", str(paths["trace"]),
                                 "--plot", str(paths["plot"])])
    assert r.exit_code == 0, r.output
    return r.output, json.loads(paths["json"].read_text()), paths, model


def test_json_output_follows_the_schema(outputs):
    _, doc, _, _ = outputs
    validate(doc)
    assert doc["run_options"] == {"threads": 1, "warmup": 1, "repeat": REPEAT, "seed": 0}


def test_schema_rejects_a_document_missing_layer_fields(outputs):
    import jsonschema

    _, doc, _, _ = outputs
    broken = json.loads(json.dumps(doc))
    del broken["runs"][0]["layers"][0]["median_ms"]
    with pytest.raises(jsonschema.ValidationError, match="median_ms"):
        validate(broken)
    broken = json.loads(json.dumps(doc))
    broken["version"] = 2
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_table_lists_every_layer_with_its_median_and_share(outputs):
    _, doc, _, _ = outputs
    run = doc["runs"][0]
    console = Console(width=300, record=True, file=open("/dev/null", "w"))
    console.print(layer_table(doc, run))
    text = console.export_text()
    for l in run["layers"]:
        row = next((line for line in text.splitlines() if f" {l['name']} " in line), None)
        assert row is not None, f"layer {l['name']} missing from the table"
        assert f"{l['median_ms']:.3f}" in row and f"{100 * l['share']:.1f}" in row, row
    assert "ort ms" in text


def test_cli_prints_the_summary_lines(outputs):
    out, doc, _, _ = outputs
    flat = " ".join(out.split())
    for line in summary_lines(doc["runs"][0]):
        assert " ".join(line.split()) in flat, f"missing from the CLI output: {line}"


def test_trace_has_one_track_per_run_and_layer_durations_from_the_samples(outputs):
    _, doc, paths, _ = outputs
    trace = json.loads(paths["trace"].read_text())
    events = trace["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    assert all(isinstance(e["ts"], (int, float)) and e["dur"] >= 0 for e in complete)
    tracks = sorted({e["tid"] for e in complete})
    assert tracks == list(range(1, REPEAT + 1)), "one track (tid) per timed run"
    run = doc["runs"][0]
    for r, tid in enumerate(tracks):
        on_track = [e for e in complete if e["tid"] == tid]
        whole = [e for e in on_track if e["cat"] == "run"]
        layers = [e for e in on_track if e["cat"] != "run"]
        assert len(whole) == 1 and whole[0]["dur"] == pytest.approx(run["end_to_end_ms"]["samples"][r] * 1e3, abs=1e-2)
        assert [e["name"] for e in layers] == [l["name"] for l in run["layers"]]
        for e, l in zip(layers, run["layers"]):
            assert e["dur"] == pytest.approx(l["samples_ms"][r] * 1e3, abs=1e-2), (r, l["name"])
        starts = [e["ts"] for e in layers]
        assert starts == sorted(starts) and starts[0] == pytest.approx(whole[0]["ts"])
        # back to back: each layer starts where the previous one ended
        assert np.allclose(np.diff(starts), [e["dur"] for e in layers[:-1]], atol=2e-3)


def test_plot_is_a_png_of_real_size(outputs):
    _, _, paths, _ = outputs
    data = paths["plot"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300 and len(data) > 10_000, (width, height, len(data))
    import matplotlib.image

    img = matplotlib.image.imread(paths["plot"])
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 10, "the chart looks blank"


def test_quiet_prints_only_the_final_line_or_nothing_with_files(outputs, tmp_path):
    _, _, _, model = outputs
    r = CliRunner().invoke(app, ["profile", str(model), "--repeat", "2", "--warmup", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "median" in lines[0], r.output
    r = CliRunner().invoke(app, ["profile", str(model), "--repeat", "2", "--warmup", "0", "--quiet",
                                 "--json", str(tmp_path / "q.json")])
    assert r.exit_code == 0 and r.output.strip() == "", r.output
    validate(json.loads((tmp_path / "q.json").read_text()))
