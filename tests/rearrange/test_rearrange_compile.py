"""sparsecc.compile(rearrange=...) and sparsecc compile --rearrange/--no-rearrange/--rearrange-budget."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app

MNIST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "mnist_cnn.onnx")


def _names(compiled):
    return [r.name for r in compiled.pass_results]


def test_rearrange_runs_right_before_group_sparsity():
    c = sparsecc.compile(MNIST, sparsity=0.7, rearrange=True, rearrange_budget=2.0)
    names = _names(c)
    assert names[-2:] == ["rearrange", "group_sparsity"], names
    assert c.rearrange_report and any(r.status == "permuted" for r in c.rearrange_report), \
        [(r.name, r.status) for r in c.rearrange_report]


def test_default_follows_sparsity_and_can_be_turned_off():
    assert "rearrange" not in _names(sparsecc.compile(MNIST))  # no sparsity: nothing to rearrange for
    assert "rearrange" not in _names(sparsecc.compile(MNIST, rearrange=True))
    assert "rearrange" not in _names(sparsecc.compile(MNIST, sparsity=0.5, rearrange=False))
    default = "rearrange" in _names(sparsecc.compile(MNIST, sparsity=0.5, rearrange_budget=1.0))
    assert default == sparsecc.compile_model.REARRANGE_DEFAULT["magnitude"]
    d = np.load(os.path.join(os.path.dirname(MNIST), "mnist_data.npz"))
    calib = {"image": (d["calib_x"][:16].astype(np.float32) / 255.0)[:, None]}
    obs = "rearrange" in _names(sparsecc.compile(MNIST, sparsity=0.5, calibration=calib, rearrange_budget=1.0))
    assert obs == sparsecc.compile_model.REARRANGE_DEFAULT["obs"]


def test_cli_reports_the_rearrangement(tmp_path):
    out = tmp_path / "m.scc"
    r = CliRunner().invoke(app, ["compile", MNIST, "-o", str(out), "--sparsity", "0.7", "--rearrange",
                                 "--rearrange-budget", "2", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    ra = summary["rearrange"]
    assert ra["permuted"] >= 1 and ra["kept_after"] >= ra["kept_before"], ra
    assert ra["cut_by_budget"] is False, "the step bound, not the 2 s safety net, should end this search"
    assert [p["name"] for p in summary["passes"]][-2:] == ["rearrange", "group_sparsity"]
    r = CliRunner().invoke(app, ["compile", MNIST, "-o", str(out), "--sparsity", "0.7", "--no-rearrange", "--json"])
    assert r.exit_code == 0 and "rearrange" not in json.loads(r.output), r.output


@pytest.mark.parametrize("args, msg", [(["--rearrange-budget", "-1"], "rearrange budget must be >= 0 seconds"),
                                        (["--rearrange-budget", "soon"], "--rearrange-budget")])
def test_bad_rearrange_options_are_one_line_errors(tmp_path, args, msg):
    out = tmp_path / "m.scc"
    r = CliRunner().invoke(app, ["compile", MNIST, "-o", str(out), "--sparsity", "0.5"] + args)
    assert r.exit_code != 0 and msg in r.output, r.output
    assert "Traceback" not in r.output and not out.exists()
