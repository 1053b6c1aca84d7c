"""ARM estimate under --runner qemu: the TCG plugin's instruction counts, llvm-mca IPC, the estimate.

- the plugin counts exactly the instructions of a hand-written aarch64 loop between
  two markers (known by construction), and sees no marker when the env var is off;
- the hot-loop picker finds the accumulation loop in a synthetic listing;
- llvm-mca gives the gemm kernel a plausible IPC for a 4-wide core;
- an arm64 sweep under qemu: every layer has instructions, cycles = instructions / IPC,
  ms = cycles / clock, and zeroing 90% of the groups cuts the pointwise layers' instructions.
Needs qemu-aarch64, aarch64-linux-gnu-gcc, clang-16, llvm-mca-16 and the built plugin
(skip ad hoc, fail in CI).
"""
import json
import os
import subprocess

import pytest
from profile_helpers import require, require_tool, small_mobilenet

from sparsecc.profile import CompileOptions, RunOptions, profile
from sparsecc.profile.options import sweep_options
from sparsecc.profile.runners.qemu import BUILD_HINT, SYSROOT, find_plugin
from sparsecc.profile.schema import validate

MAGIC = 0x5CC1A7E5   # kLayerMarkerMagic (runtime_cpp/src/layer_markers.h)
LOOP_ITERS = 50000   # < 65536: one mov immediate

# three instructions per iteration (add, subs, b.ne) between the begin and end markers
PROGRAM = r"""
#include <sys/syscall.h>
#include <unistd.h>
static void marker(unsigned long layer, unsigned long phase) { syscall(SYS_getppid, %(magic)dUL, layer, phase); }
int main(void) {
  for (int run = 0; run < 2; ++run) {
    marker(3, 0);
    __asm__ volatile("mov x9, #%(iters)d\n1:\nadd x10, x10, #1\nsubs x9, x9, #1\nb.ne 1b\n" ::: "x9", "x10", "cc");
    marker(3, 1);
  }
  return 0;
}
"""


@pytest.fixture(scope="module")
def plugin():
    require_tool("qemu-aarch64")
    p = find_plugin()
    require(p is not None, f"the qemu plugin is not built ({BUILD_HINT})")
    return p


def _counts(plugin, program, tmp_path, env=None):
    out = tmp_path / "counts.json"
    subprocess.run(["qemu-aarch64", "-L", SYSROOT, "-plugin", f"{plugin},out={out}", str(program)],
                   check=True, env=env, capture_output=True)
    return json.loads(out.read_text())


def test_plugin_counts_the_instructions_between_markers(plugin, tmp_path):
    gcc = require_tool("aarch64-linux-gnu-gcc")
    src = tmp_path / "loop.c"
    src.write_text(PROGRAM % {"magic": MAGIC, "iters": LOOP_ITERS})
    exe = tmp_path / "loop"
    subprocess.run([gcc, "-O1", str(src), "-o", str(exe)], check=True)
    doc = _counts(plugin, exe, tmp_path)
    layers = {l["index"]: l for l in doc["layers"]}
    assert layers[3]["runs"] == 2 and doc["markers"] == 4, doc
    per_run = layers[3]["instructions"] / 2
    # the loop's 3 x N instructions plus the marker call's own few dozen
    assert 3 * LOOP_ITERS <= per_run <= 3 * LOOP_ITERS + 80, f"counted {per_run} for a {3 * LOOP_ITERS} loop"
    assert layers[3]["min"] == layers[3]["max"], "both runs execute the same instructions"
    assert all(l["runs"] == 0 for k, l in layers.items() if k != 3)


def test_no_markers_unless_the_env_var_is_set(plugin, tmp_path):
    from sparsecc.profile.runners.locate import find_tool
    from sparsecc.profile.options import ProfileError

    try:
        tool = find_tool("arm64")
    except ProfileError as e:
        require(False, f"arm64 sparsecc-run not built ({e})")
    model = small_mobilenet(tmp_path / "m.onnx", input_size=32)
    import sparsecc

    scc = tmp_path / "m.scc"
    sparsecc.compile(model, target="arm64").save(scc)
    out = tmp_path / "counts.json"
    base = ["qemu-aarch64", "-L", SYSROOT, "-plugin", f"{plugin},out={out}", str(tool), str(scc), "--repeat", "1",
            "--warmup", "0"]
    env = {k: v for k, v in os.environ.items() if k != "SPARSECC_LAYER_MARKERS"}
    subprocess.run(base, check=True, env=env, capture_output=True)
    assert json.loads(out.read_text())["markers"] == 0, "markers must be off by default"
    subprocess.run(base, check=True, env={**env, "SPARSECC_LAYER_MARKERS": "1"}, capture_output=True)
    n_layers = len(sparsecc.compile(model, target="arm64").plan.nodes)
    assert json.loads(out.read_text())["markers"] == 2 * n_layers, "one begin and one end marker per layer"


SYNTHETIC_ASM = """
f:
.LBB0_1:                 // outer loop
    mov x3, x4
.LBB0_2:                 // inner loop: the accumulation
    ldr q1, [x0], #16
    fmla v0.4s, v1.4s, v2.s[0]
    fmla v3.4s, v1.4s, v2.s[1]
    subs x3, x3, #1
    b.ne .LBB0_2
    fadd v4.4s, v4.4s, v0.4s
    subs x5, x5, #1
    b.ne .LBB0_1
.LBB0_3:                 // activation epilogue with a division: not the core
    fmla v5.4s, v6.4s, v7.4s
    fmla v5.4s, v6.4s, v7.4s
    fmla v5.4s, v6.4s, v7.4s
    fdiv v5.4s, v5.4s, v8.4s
    subs x6, x6, #1
    b.ne .LBB0_3
    ret
"""


def test_hot_loop_is_the_innermost_accumulation_loop():
    from sparsecc.profile.estimate.mca import hot_loop

    assert hot_loop(SYNTHETIC_ASM) == ["ldr q1, [x0], #16", "fmla v0.4s, v1.4s, v2.s[0]",
                                       "fmla v3.4s, v1.4s, v2.s[1]", "subs x3, x3, #1", "b.ne .LBB0_2"]
    assert hot_loop("f:\n  ret\n") == []


def test_llvm_mca_ipc_of_the_gemm_kernel_is_plausible():
    require_tool("clang-16")
    require_tool("llvm-mca-16")
    from sparsecc.profile.estimate.mca import kernel_ipc

    stats = kernel_ipc("gemm-8x8", "cortex-a76")
    assert stats is not None and stats["source"].endswith("f32-gemm-8x8-neon.cc")
    assert 0.2 < stats["ipc"] <= 4.0, f"cortex-a76 dispatches at most 4 instructions per cycle: {stats}"
    assert stats["cycles_per_iteration"] == pytest.approx(stats["loop_instructions"] / stats["ipc"], rel=0.05)
    assert kernel_ipc("ref", "cortex-a76") is None, "scalar reference kernels have no NEON source"


def test_qemu_sweep_reports_an_arm_estimate_per_layer(plugin, tmp_path):
    require_tool("clang-16")
    require_tool("llvm-mca-16")
    from sparsecc.profile.runners.locate import find_tool
    from sparsecc.profile.options import ProfileError

    try:
        find_tool("arm64")
    except ProfileError as e:
        require(False, f"arm64 sparsecc-run not built ({e})")
    model = small_mobilenet(tmp_path / "m.onnx")
    doc = profile(model, sweep_options(CompileOptions(target="arm64"), [0.0, 0.9]), RunOptions(warmup=0, repeat=1),
                  runner="qemu", device="cortex-a55")
    validate(doc)
    dense, sparse = doc["runs"]
    for run in doc["runs"]:
        est = run["arm_estimate"]
        assert est["device"] == "cortex-a55" and est["mcpu"] == "cortex-a55" and est["freq_ghz"] == 1.8
        for l in run["layers"]:
            e = l["estimate"]
            assert e["instructions"] > 0, f"no instructions counted for {l['name']}"
            assert e["cycles"] == pytest.approx(e["instructions"] / e["ipc"], rel=1e-9)
            assert e["ms"] == pytest.approx(e["cycles"] / 1.8e6, rel=1e-9)
        assert est["total_ms"] == pytest.approx(sum(l["estimate"]["ms"] for l in run["layers"]), rel=1e-9)
    cut = [(d["name"], d["estimate"]["instructions"], s["estimate"]["instructions"])
           for d, s in zip(dense["layers"], sparse["layers"]) if (s["sparsity"] or 0) > 0.8 and s["op"] == "Conv"]
    assert cut, "some pointwise conv must be 90% sparse"
    for name, d, s in cut:
        assert s < 0.6 * d, f"{name}: {s} instructions at 90% sparsity vs {d} dense"
    assert doc["sweep"][1]["estimated_ms"] < doc["sweep"][0]["estimated_ms"]


@pytest.mark.parametrize("args,msg", [
    (["--device", "cortex-a76"], "--device sets the clock of the ARM estimate, which only --runner qemu makes"),
    (["--target", "arm64", "--device", "nokia-3310"], "has no device 'nokia-3310'"),
])
def test_bad_device_is_a_one_line_error(tmp_path, args, msg):
    from typer.testing import CliRunner

    from sparsecc.cli.main import app

    model = small_mobilenet(tmp_path / "m.onnx", input_size=32)
    r = CliRunner().invoke(app, ["profile", str(model), "--quiet", *args])
    assert r.exit_code != 0 and msg in r.output and "Traceback" not in r.output, r.output
