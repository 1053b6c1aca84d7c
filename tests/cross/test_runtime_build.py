"""`sparsecc runtime build --target arm64`: the installed layout, that its files are
aarch64 code, that the shipped header + library link into an app that runs under
qemu and agrees with the host runtime, and one-line errors for bad requests."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cross_env import ROOT, arm64_build_dir, require_tool
from ort_check import rel_err
from typer.testing import CliRunner

import sparsecc
from sparsecc import zoo
from sparsecc.cli.main import app

EM_AARCH64 = 183   # ELF e_machine of aarch64

NATIVE_LAYOUT = ["include/sparsecc/runtime.h", "include/sparsecc/c_api.h", "lib/libsparsecc_runtime.a",
                 "lib/libsparsecc_runtime.so", "bin/sparsecc-run"]


def _elf_machine(data: bytes) -> int:
    assert data[:4] == b"\x7fELF", "not an ELF file"
    return int.from_bytes(data[18:20], "little")


def test_installed_layout_is_complete_and_aarch64(arm64_dist):
    for rel in NATIVE_LAYOUT:
        assert (arm64_dist / rel).is_file(), f"{rel} missing from {arm64_dist}"
    for rel in ("lib/libsparsecc_runtime.so", "bin/sparsecc-run"):
        assert _elf_machine((arm64_dist / rel).read_bytes()[:64]) == EM_AARCH64, f"{rel} is not aarch64 code"
    archive = (arm64_dist / "lib/libsparsecc_runtime.a").read_bytes()
    assert archive.startswith(b"!<arch>\n"), "libsparsecc_runtime.a is not an ar archive"
    first_obj = archive.index(b"\x7fELF")
    assert _elf_machine(archive[first_obj:first_obj + 64]) == EM_AARCH64, "the static library holds non-aarch64 objects"
    src_header = ROOT / "runtime_cpp/include/sparsecc/c_api.h"
    assert (arm64_dist / "include/sparsecc/c_api.h").read_bytes() == src_header.read_bytes()


def test_sparsecc_run_usage_documents_save_outputs(arm64_dist, arm64_runner):
    proc = subprocess.run([*arm64_runner, str(arm64_dist / "bin/sparsecc-run"), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "--save-outputs DIR" in proc.stderr and "usage:" in proc.stderr, proc.stderr


C_APP = r"""
#include <stdio.h>
#include <stdlib.h>
#include "sparsecc/c_api.h"
/* c_app model.scc input.bin output.bin: one run through the C API */
int main(int argc, char** argv) {
  scc_model* m = NULL; scc_session* s = NULL;
  if (argc != 4 || scc_model_load_file(argv[1], &m) != SCC_OK) { fprintf(stderr, "%s\n", scc_last_error()); return 1; }
  if (scc_session_create(m, 1, &s) != SCC_OK) { fprintf(stderr, "%s\n", scc_last_error()); return 1; }
  const int64_t* dims; size_t rank, n_in = 1, n_out = 1;
  scc_session_input_shape(s, 0, &dims, &rank);
  for (size_t i = 0; i < rank; ++i) n_in *= (size_t)dims[i];
  scc_session_output_shape(s, 0, &dims, &rank);
  for (size_t i = 0; i < rank; ++i) n_out *= (size_t)dims[i];
  float* in = malloc(n_in * 4); float* out = malloc(n_out * 4);
  FILE* f = fopen(argv[2], "rb");
  if (!f || fread(in, 4, n_in, f) != n_in) return 3;
  fclose(f);
  const float* ins[1] = {in}; float* outs[1] = {out};
  if (scc_session_run(s, ins, 1, outs, 1) != SCC_OK) { fprintf(stderr, "%s\n", scc_last_error()); return 1; }
  f = fopen(argv[3], "wb"); fwrite(out, 4, n_out, f); fclose(f);
  scc_session_free(s); scc_model_free(m); free(in); free(out);
  printf("ok %zu\n", n_out);
  return 0;
}
"""


@pytest.mark.parametrize("link", ["shared", "static"])
def test_c_app_links_the_installed_library_and_matches_host(arm64_dist, arm64_runner, tmp_path, link):
    cc = require_tool("clang-16", "compiling the C API example for aarch64")
    (tmp_path / "app.c").write_text(C_APP)
    lib = arm64_dist / "lib"
    libs = ([f"-L{lib}", "-lsparsecc_runtime", f"-Wl,-rpath,{lib}"] if link == "shared"
            else [str(lib / "libsparsecc_runtime.a"), "-lstdc++", "-lm", "-lpthread"])
    build = subprocess.run([cc, "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-O1", f"-I{arm64_dist / 'include'}",
                            str(tmp_path / "app.c"), "-o", str(tmp_path / "app"), *libs],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"linking against the {link} library failed: {build.stderr}"

    model = zoo.build("mobilenet_v3_block", input_size=32)
    x = np.random.default_rng(3).standard_normal((1, 3, 32, 32)).astype(np.float32)
    sparsecc.compile(model, target="arm64").save(tmp_path / "m.scc")
    x.tofile(tmp_path / "in.bin")
    proc = subprocess.run([*arm64_runner, str(tmp_path / "app"), str(tmp_path / "m.scc"), str(tmp_path / "in.bin"),
                           str(tmp_path / "out.bin")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"C app ({link}) failed: {proc.stderr}"
    got = np.fromfile(tmp_path / "out.bin", dtype="<f4")
    want = sparsecc.InferenceSession(sparsecc.compile(model)).run(None, {"input": x})[0].ravel()
    assert rel_err(got, want) <= 1e-4, f"C app ({link}) output differs from the host runtime: {rel_err(got, want):.3g}"


def test_cli_runtime_build_json_lists_the_installed_files(arm64_dist, tmp_path):
    # same CMake build folder as the session's runtime: configure + no-op build + install
    args = ["runtime", "build", "--target", "arm64", "-o", str(tmp_path / "out"), "--json",
            "--build-dir", str(arm64_build_dir())]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    listed = sorted(f["path"] for f in data["files"])
    assert listed == sorted(NATIVE_LAYOUT), listed
    for f in data["files"]:
        p = Path(data["out_dir"]) / f["path"]
        assert p.stat().st_size == f["bytes"] > 0, f"{p}: size {p.stat().st_size} != listed {f['bytes']}"


def test_cli_runtime_build_unknown_target_is_one_line(tmp_path):
    res = CliRunner().invoke(app, ["runtime", "build", "--target", "riscv64", "-o", str(tmp_path)])
    assert res.exit_code == 1
    assert "error: unknown target 'riscv64'" in res.output and "arm64" in res.output, res.output
    assert "Traceback" not in res.output


def test_cli_runtime_build_names_a_missing_tool_and_the_fix(tmp_path, monkeypatch):
    from sparsecc.compiler.lower.target_desc import targets_dir

    shutil.copytree(targets_dir(), tmp_path / "targets")
    desc = tmp_path / "targets" / "arm64.toml"
    desc.write_text(desc.read_text().replace('"clang++-16"', '"clang++-no-such-version"'))
    monkeypatch.setenv("SPARSECC_TARGETS_DIR", str(tmp_path / "targets"))
    res = CliRunner().invoke(app, ["runtime", "build", "--target", "arm64", "-o", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    assert "clang++-no-such-version" in res.output and "install_cross.sh" in res.output, res.output
    assert not (tmp_path / "out").exists(), "nothing should be created before the tools are checked"


def test_cli_runtime_build_reports_a_cmake_failure_with_the_log(tmp_path, monkeypatch):
    from sparsecc.compiler.lower.target_desc import targets_dir

    shutil.copytree(targets_dir(), tmp_path / "targets")
    tc = tmp_path / "targets" / "toolchains" / "x86_64.cmake"
    tc.write_text('message(FATAL_ERROR "deliberately broken toolchain")\n')
    monkeypatch.setenv("SPARSECC_TARGETS_DIR", str(tmp_path / "targets"))
    res = CliRunner().invoke(app, ["runtime", "build", "--target", "x86_64", "-o", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    assert "cmake configure for x86_64 failed" in res.output and "sparsecc-build.log" in res.output, res.output
    assert "deliberately broken toolchain" in (tmp_path / "out" / ".build" / "sparsecc-build.log").read_text()


def test_cli_runtime_build_refuses_a_build_dir_of_another_toolchain(tmp_path):
    # CMake ignores a changed toolchain on reconfigure: x86-64 binaries would be installed as arm64
    build = tmp_path / "b"
    build.mkdir()
    (build / "CMakeCache.txt").write_text(f"CMAKE_TOOLCHAIN_FILE:FILEPATH={ROOT / 'targets/toolchains/x86_64.cmake'}\n")
    res = CliRunner().invoke(app, ["runtime", "build", "--target", "arm64", "-o", str(tmp_path / "out"),
                                   "--build-dir", str(build)])
    assert res.exit_code == 1, res.output
    assert "x86_64.cmake" in res.output and "another --build-dir" in res.output, res.output


def test_sparsecc_run_save_outputs_to_a_missing_folder_is_one_error_line(arm64_dist, arm64_runner, tmp_path):
    model = zoo.build("mobilenet_v3_block", input_size=32)
    sparsecc.compile(model, target="arm64").save(tmp_path / "m.scc")
    proc = subprocess.run([*arm64_runner, str(arm64_dist / "bin/sparsecc-run"), str(tmp_path / "m.scc"), "--repeat", "1",
                           "--save-outputs", str(tmp_path / "no" / "such")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == f"sparsecc-run: --save-outputs: cannot write '{tmp_path}/no/such/0.bin'", proc.stderr
