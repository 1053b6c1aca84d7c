"""Target descriptions (targets/*.toml): every file loads, agrees with the compiler's
target list and the kernel table, and bad files are rejected naming file and key;
`sparsecc targets` lists them."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from sparsecc.cli.main import app
from sparsecc.compiler.lower import targets as compiler_targets
from sparsecc.compiler.lower.kernel_table import kernel_rows
from sparsecc.compiler.lower.target_desc import (TargetDescError, get_target_desc, list_target_descs,
                                                 load_target_desc, targets_dir)

TOML_FILES = sorted(targets_dir().glob("*.toml"))


def test_targets_folder_has_the_x86_64_and_arm64_descriptions():
    names = [p.stem for p in TOML_FILES]
    assert "x86_64" in names and "arm64" in names, f"targets/ holds {names}"


@pytest.mark.parametrize("path", TOML_FILES, ids=lambda p: p.stem)
def test_description_agrees_with_compiler_target_and_kernel_table(path):
    d = load_target_desc(path)
    assert d.name in compiler_targets.TARGETS, f"{path.name}: {d.name!r} is not a compiler target"
    assert d.kernel_arch == compiler_targets.get_target(d.name).simd, \
        f"{path.name}: kernel_arch {d.kernel_arch!r} != compiler's {compiler_targets.get_target(d.name).simd!r}"
    assert any(r.arch == d.kernel_arch for r in kernel_rows()), f"{path.name}: no {d.kernel_arch} row in kernels.def"
    assert d.kernel_arch in d.isa_features or d.kernel_arch == "wasmsimd", f"{path.name}: isa_features {d.isa_features}"
    text = d.toolchain.read_text()
    m = re.search(r"set\(CMAKE_SYSTEM_PROCESSOR\s+(\S+)\)", text)
    if m:   # a cross toolchain: its processor is the triple's
        assert m.group(1) == d.triple.split("-")[0], f"{d.toolchain.name} sets processor {m.group(1)}, triple {d.triple}"


def test_arm64_has_the_device_tags_of_the_cost_model():
    d = get_target_desc("arm64")
    assert set(d.devices) >= {"cortex-a76", "cortex-a55", "raspberry-pi-4"}, sorted(d.devices)
    assert d.runner.kind == "qemu" and d.runner.command[0] == "qemu-aarch64"
    a76, a55 = d.device("cortex-a76"), d.device("cortex-a55")
    assert a76.peak_gflops > a55.peak_gflops, "an A76 cluster should out-compute an A55 cluster"
    with pytest.raises(TargetDescError, match="cortex-a76"):   # the error lists the known tags
        d.device("cortex-x9")


def test_unknown_target_lists_the_described_ones():
    with pytest.raises(TargetDescError, match="described targets: .*arm64"):
        get_target_desc("riscv64")


GOOD = """name = "t"
triple = "aarch64-linux-gnu"
kernel_arch = "neon"
isa_features = ["neon"]
vector_bits = 128
cores = 4
l1d_kib = 64
l2_kib = 512
toolchain = "tc.cmake"
[runner]
kind = "qemu"
command = ["qemu-aarch64"]
[devices.a]
cores = 4
l1d_kib = 64
l2_kib = 512
freq_ghz = 2.0
fma_lanes_per_cycle = 8
"""

# (what is wrong, edit of GOOD, the key the error must name)
BAD = [
    ("missing key", lambda s: s.replace('triple = "aarch64-linux-gnu"\n', ""), "key 'triple'"),
    ("wrong type", lambda s: s.replace("vector_bits = 128", 'vector_bits = "128"'), "key 'vector_bits'"),
    ("non-positive", lambda s: s.replace("cores = 4\nl1d", "cores = 0\nl1d", 1), "key 'cores'"),
    ("unknown key (typo)", lambda s: s.replace("l2_kib = 512\ntoolchain", "l2_kb = 512\ntoolchain"), "key 'l2_kb'"),
    ("unknown arch", lambda s: s.replace('kernel_arch = "neon"', 'kernel_arch = "sve"'), "key 'kernel_arch'"),
    ("missing toolchain file", lambda s: s.replace("tc.cmake", "nope.cmake"), "key 'toolchain'"),
    ("bad runner kind", lambda s: s.replace('kind = "qemu"', 'kind = "ssh"'), "key 'runner.kind'"),
    ("runner without command", lambda s: s.replace('command = ["qemu-aarch64"]', "command = []"), "key 'runner.command'"),
    ("device key wrong", lambda s: s.replace("freq_ghz = 2.0", "freq_ghz = -1"), "key 'devices.a.freq_ghz'"),
    ("device key missing", lambda s: s.replace("fma_lanes_per_cycle = 8\n", ""), "key 'devices.a.fma_lanes_per_cycle'"),
    ("name differs from file", lambda s: s.replace('name = "t"', 'name = "u"'), "key 'name'"),
    ("invalid TOML", lambda s: s.replace("cores = 4\nl1d", "cores = = 4\nl1d", 1), "invalid TOML"),
]


def test_a_valid_description_loads(tmp_path):
    (tmp_path / "tc.cmake").write_text("")
    (tmp_path / "t.toml").write_text(GOOD)
    d = load_target_desc(tmp_path / "t.toml")
    assert d.device("a").peak_gflops == pytest.approx(2 * 8 * 2.0 * 4)


@pytest.mark.parametrize("what,edit,key", BAD, ids=[b[0] for b in BAD])
def test_invalid_description_is_rejected_naming_file_and_key(tmp_path, what, edit, key):
    (tmp_path / "tc.cmake").write_text("")
    path = tmp_path / "t.toml"
    path.write_text(edit(GOOD))
    assert edit(GOOD) != GOOD, f"the edit for {what!r} changed nothing"
    with pytest.raises(TargetDescError) as info:
        load_target_desc(path)
    msg = str(info.value)
    assert str(path) in msg and key in msg, f"{what}: message does not name {path} and {key}: {msg}"
    assert "\n" not in msg


def test_cli_targets_json_lists_every_description():
    res = CliRunner().invoke(app, ["targets", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [t["name"] for t in data["targets"]] == [d.name for d in list_target_descs()]
    arm = next(t for t in data["targets"] if t["name"] == "arm64")
    assert arm["devices"]["cortex-a76"]["fma_lanes_per_cycle"] == get_target_desc("arm64").device("cortex-a76") \
        .fma_lanes_per_cycle
    assert arm["toolchain"].endswith("toolchains/arm64.cmake")


def test_cli_targets_table_shows_targets_and_device_tags():
    res = CliRunner().invoke(app, ["targets"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    for word in ("arm64", "aarch64-linux-gnu", "x86_64", "cortex-a76", "cortex-a55", "raspberry-pi-4"):
        assert word in res.stdout, f"{word!r} missing from:\n{res.stdout}"


def test_cli_targets_reports_a_broken_description_in_one_line(tmp_path, monkeypatch):
    shutil.copytree(targets_dir(), tmp_path / "targets")
    bad = tmp_path / "targets" / "arm64.toml"
    bad.write_text(bad.read_text().replace("vector_bits = 128", "vector_bits = 0"))
    monkeypatch.setenv("SPARSECC_TARGETS_DIR", str(tmp_path / "targets"))
    res = CliRunner().invoke(app, ["targets"])
    assert res.exit_code == 1, res.output
    assert "error:" in res.output and "arm64.toml" in res.output and "vector_bits" in res.output, res.output
    assert "Traceback" not in res.output
