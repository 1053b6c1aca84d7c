"""ssh:// and adb runners against a fake device (stub ssh/scp/adb on PATH running commands locally).

They must push the tool and the model into a fresh temp folder on the device, run
the tool there, pull its JSON back, and remove the folder -- also when a step fails.
"""
import json
import re

import pytest
from profile_helpers import FakeDevice, host_tool, small_mobilenet
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app
from sparsecc.profile import CompileOptions, RunOptions, profile
from sparsecc.profile.options import ProfileError
from sparsecc.profile.schema import validate


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return small_mobilenet(tmp_path_factory.mktemp("m") / "mv1.onnx")


@pytest.fixture()
def device(tmp_path, monkeypatch):
    return FakeDevice(tmp_path, monkeypatch)


def _expected_layers(model_path):
    sess = sparsecc.InferenceSession(sparsecc.compile(model_path))
    return [(n["name"], n["kernel"], list(n["output_shapes"][0])) for n in sess.nodes]


def _tool_dir(tmp_path):
    """A runtime folder (bin/sparsecc-run) holding the host tool, as `sparsecc runtime build` lays it out."""
    d = tmp_path / "rt"
    (d / "bin").mkdir(parents=True)
    (d / "bin" / "sparsecc-run").symlink_to(host_tool())
    return d


def test_ssh_runner_pushes_runs_pulls_and_cleans_up(model_path, device, tmp_path):
    doc = profile(model_path, CompileOptions(), RunOptions(warmup=1, repeat=4), runner="ssh://pi@127.0.0.1:2222",
                  runtime_dir=_tool_dir(tmp_path))
    validate(doc)
    run = doc["runs"][0]
    assert [(l["name"], l["kernel"], l["output_shape"]) for l in run["layers"]] == _expected_layers(model_path)
    assert run["end_to_end_ms"]["n"] == 4 and run["runner"]["name"] == "ssh"
    calls = device.calls()
    assert [c["tool"] for c in calls] == ["ssh", "scp", "scp", "ssh", "scp", "ssh"], calls
    assert calls[0]["argv"][-1] == "mktemp -d /tmp/sparsecc-profile.XXXXXX"
    folder = re.fullmatch(r"pi@127\.0\.0\.1:(/tmp/sparsecc-profile\.\w{6})/sparsecc-run", calls[1]["argv"][-1]).group(1)
    assert all("pi@127.0.0.1" in " ".join(c["argv"]) for c in calls)
    assert all(c["argv"][c["argv"].index("-p" if c["tool"] == "ssh" else "-P") + 1] == "2222" for c in calls)
    assert calls[3]["argv"][-1].startswith(f"chmod +x {folder}/sparsecc-run && {folder}/sparsecc-run {folder}/model.scc")
    assert calls[4]["argv"][-2] == f"pi@127.0.0.1:{folder}/result.json"
    assert calls[2]["argv"][-1] == f"pi@127.0.0.1:{folder}/model.scc"
    assert calls[-1]["argv"][-1] == f"rm -rf {folder}"
    assert device.leftovers() == [], "the temp folder must be removed from the device"


def test_adb_runner_with_serial_pushes_runs_pulls_and_cleans_up(model_path, device, tmp_path):
    doc = profile(model_path, CompileOptions(), RunOptions(warmup=0, repeat=3), runner="adb:emulator-5554",
                  runtime_dir=_tool_dir(tmp_path))
    validate(doc)
    run = doc["runs"][0]
    assert [(l["name"], l["kernel"], l["output_shape"]) for l in run["layers"]] == _expected_layers(model_path)
    calls = device.calls()
    assert [c["argv"][2] for c in calls] == ["shell", "push", "push", "shell", "pull", "shell"], calls
    assert all(c["argv"][:2] == ["-s", "emulator-5554"] for c in calls)
    assert calls[0]["argv"][3].startswith("mktemp -d /data/local/tmp/")
    assert calls[-1]["argv"][3].startswith("rm -rf /data/local/tmp/sparsecc-profile.")
    assert device.leftovers() == []


def test_remote_folder_is_removed_when_the_run_fails(model_path, device, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_DEVICE_FAIL_ON", "model.scc --repeat")  # the run command drops the connection
    with pytest.raises(ProfileError, match=r"sparsecc-run on the device failed \(exit 255\): fake device: connection lost"):
        profile(model_path, CompileOptions(), RunOptions(warmup=0, repeat=2), runner="adb",
                runtime_dir=_tool_dir(tmp_path))
    calls = device.calls()
    assert calls[-1]["argv"][1].startswith("rm -rf /data/local/tmp/sparsecc-profile."), calls
    assert device.leftovers() == []


def test_remote_folder_is_removed_when_the_tool_fails(model_path, device, tmp_path):
    bad = tmp_path / "bad" / "bin"
    bad.mkdir(parents=True)
    (bad / "sparsecc-run").write_text("#!/bin/sh\necho 'sparsecc-run: model file is corrupt' >&2\nexit 1\n")
    (bad / "sparsecc-run").chmod(0o755)
    with pytest.raises(ProfileError, match="model file is corrupt"):
        profile(model_path, CompileOptions(), RunOptions(warmup=0, repeat=2), runner="ssh://dev@10.0.0.2",
                runtime_dir=bad.parent)
    assert device.calls()[-1]["argv"][-1].startswith("rm -rf /tmp/sparsecc-profile.")
    assert device.leftovers() == []


def test_cli_profile_on_fake_ssh_device_writes_valid_json(model_path, device, tmp_path):
    out = tmp_path / "p.json"
    r = CliRunner().invoke(app, ["profile", str(model_path), "--runner", "ssh://pi@127.0.0.1", "--runtime-dir",
                                 str(_tool_dir(tmp_path)), "--repeat", "3", "--warmup", "0", "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    validate(doc)
    assert "ssh" in doc["runs"][0]["runner"]["device"]
    assert device.leftovers() == []


@pytest.mark.parametrize("spec,msg", [("ssh://", "expected ssh://user@host"), ("ssh://pi@h:port", "port must be a number"),
                                      ("adb:", "expected adb or adb:SERIAL")])
def test_bad_runner_specs_are_one_line_errors(model_path, spec, msg):
    r = CliRunner().invoke(app, ["profile", str(model_path), "--runner", spec])
    assert r.exit_code == 1 and msg in r.output and "Traceback" not in r.output, r.output
