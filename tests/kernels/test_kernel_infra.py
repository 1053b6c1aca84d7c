"""Fast-kernel infrastructure: the kernel table parser and its invariants, the
per-node selection (SIMD tile preferred, scalar-only fallback, ref mode,
errors naming the node), packing through lowering, targets, and sessions with
several threads giving the results of one thread."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sparsecc
from sparsecc.compiler.errors import CompileError
from sparsecc.compiler.ir import Graph
from sparsecc.compiler.lower import kernel_specs, lower
from sparsecc.compiler.lower.kernel_select import choose_spec, select_kernel
from sparsecc.compiler.lower.kernel_specs import KernelSpec, Packed
from sparsecc.compiler.lower.kernel_table import kernel_rows, parse_table, table_path
from sparsecc.compiler.lower.targets import get_target, kernels_for

KERNELS_DIR = Path(__file__).resolve().parents[2] / "runtime_cpp" / "kernels"


# ---- the table ----------------------------------------------------------------

@pytest.mark.parametrize("text, needle", [
    ("gemm 6x16 avx2 f", "t.def:1: expected 5 columns"),
    ("\n# c\nblas 6x16 avx2 f a.cc", "t.def:3: unknown family 'blas'"),
    ("gemm 6x16 sse9 f a.cc", "unknown arch 'sse9'"),
    ("gemm 6x16 avx2 f a.cc\ngemm 6x16 avx2 g b.cc", "t.def:2: duplicate row gemm 6x16 avx2"),
])
def test_parse_table_rejects_bad_rows_naming_the_line(text, needle):
    with pytest.raises(CompileError, match=needle):
        parse_table(text, origin="t.def")


def test_parse_table_maps_dash_to_no_tile_and_skips_comments():
    rows = parse_table("# family tile arch function source\n\nvact - scalar f v.cc  # not a comment col\n"
                       .replace("  # not a comment col", ""))
    assert [(r.family, r.tile, r.arch, r.function, r.source, r.line) for r in rows] == \
        [("vact", "", "scalar", "f", "v.cc", 3)]


def test_real_table_has_scalar_fallback_existing_sources_and_matching_names():
    rows = kernel_rows()
    assert rows, f"no rows in {table_path()}"
    pairs = {(r.family, r.tile) for r in rows}
    scalar = {(r.family, r.tile) for r in rows if r.arch == "scalar"}
    assert pairs - scalar == set(), f"(family, tile) without a scalar row: {sorted(pairs - scalar)}"
    for r in rows:
        assert (KERNELS_DIR / r.source).is_file(), f"kernels.def:{r.line}: missing {r.source}"
        assert r.function.endswith(f"__{r.arch}"), f"kernels.def:{r.line}: {r.function} vs arch {r.arch}"
        assert r.tile in r.function, f"kernels.def:{r.line}: {r.function} does not name tile {r.tile}"


# ---- targets ------------------------------------------------------------------

def test_unknown_target_lists_the_known_ones():
    with pytest.raises(CompileError, match="known targets: host, x86_64, arm64, wasm32, generic"):
        get_target("riscv")


def test_kernels_for_ends_with_ref_and_generic_target_is_scalar_only():
    assert kernels_for("generic", "Relu")[-1] == "ref"
    assert get_target("generic").archs == ("scalar",)
    assert get_target("arm64").archs == ("neon", "scalar")
    assert kernels_for("host", "NoSuchOp") == []


# ---- selection with synthetic specs --------------------------------------------

@pytest.fixture
def fake_registry(monkeypatch):
    """An isolated spec registry holding only the specs a test registers."""
    reg: list[KernelSpec] = []
    monkeypatch.setattr(kernel_specs, "_REGISTRY", reg)
    monkeypatch.setattr(kernel_specs, "_loaded", True)
    return reg


def _relu_graph():
    g = Graph()
    x = g.add_input("x", (1, 4, 3, 3))
    n = g.add_node("Relu", [x], [(1, 4, 3, 3)], name="act")
    g.outputs.append(n.outputs[0])
    return g, n


def _table_tile(arch, family="gemm"):
    return next(r.tile for r in kernel_rows() if r.family == family and r.arch == arch)


def test_selection_prefers_a_spec_with_simd_rows_over_a_scalar_only_one(fake_registry):
    simd_rows = {(r.family, r.tile) for r in kernel_rows() if r.arch == "avx2"}
    scalar_only = {(r.family, r.tile) for r in kernel_rows() if r.arch == "scalar"} - simd_rows
    if not simd_rows or not scalar_only:
        pytest.skip("table needs an avx2 tile and a scalar-only tile")
    _, node = _relu_graph()
    kernel_specs.register(KernelSpec("slow", "Relu", (sorted(scalar_only)[0],), lambda n: True))
    kernel_specs.register(KernelSpec("fast", "Relu", (sorted(simd_rows)[0],), lambda n: True))
    assert choose_spec(node, get_target("x86_64")).name == "fast"
    # the generic target has no SIMD arch: registration order decides
    assert choose_spec(node, get_target("generic")).name == "slow"


def test_selection_skips_specs_that_do_not_apply_or_lack_rows_and_falls_back_to_ref(fake_registry):
    g, node = _relu_graph()
    kernel_specs.register(KernelSpec("absent", "Relu", (("gemm", "999x999"),), lambda n: True))
    kernel_specs.register(KernelSpec("picky", "Relu", (), lambda n: n.inputs[0].shape[1] == 5))
    assert select_kernel(node, g, get_target("host")) == ("ref", None)
    kernel_specs.register(KernelSpec("any", "Relu", (), lambda n: True))
    assert select_kernel(node, g, get_target("host"))[0] == "any"
    assert select_kernel(node, g, get_target("host"), mode="ref") == ("ref", None)
    with pytest.raises(CompileError, match="unknown kernel mode 'turbo'"):
        select_kernel(node, g, get_target("host"), mode="turbo")


def test_spec_that_crashes_is_reported_with_node_and_spec_name(fake_registry):
    g, node = _relu_graph()
    kernel_specs.register(KernelSpec("buggy", "Relu", (), lambda n: n.attrs["nope"]))
    with pytest.raises(CompileError, match=r"node 'act' \(Relu\): kernel spec 'buggy' failed"):
        select_kernel(node, g, get_target("host"))
    with pytest.raises(CompileError, match="registered twice"):
        kernel_specs.register(KernelSpec("buggy", "Relu", (), lambda n: True))


def test_lowering_stores_packed_inputs_and_typed_extra_attrs(fake_registry):
    g = Graph()
    x = g.add_input("x", (2, 3))
    w = g.const("w", np.arange(12, dtype=np.float32).reshape(3, 4))
    n = g.add_node("MatMul", [x, w], [(2, 4)], name="mm")
    g.outputs.append(n.outputs[0])

    def pack(node, graph):
        wt = node.inputs[1].const.T.copy()  # a stand-in layout: transposed
        return Packed([node.inputs[0], graph.const("w_packed", wt)], {"panel": ("ints", [4])})

    kernel_specs.register(KernelSpec("fake-mm", "MatMul", (), lambda node: True, pack))
    plan = lower(g, "host")
    (pn,) = plan.nodes
    assert pn.kernel == "fake-mm"
    packed = plan.tensors[pn.inputs[1]]
    assert packed.name == "w_packed" and packed.shape == (4, 3)
    np.testing.assert_array_equal(packed.data, np.arange(12, dtype=np.float32).reshape(3, 4).T)
    assert ("panel", "ints", [4]) in pn.attrs
    assert w.const.shape == (3, 4), "packing must not modify the graph's constant"
    ref_plan = lower(g, "host", kernels="ref")
    assert ref_plan.nodes[0].kernel == "ref"
    assert ref_plan.tensors[ref_plan.nodes[0].inputs[1]].shape == (3, 4)


# ---- threads end to end --------------------------------------------------------

@pytest.mark.parametrize("kernels", ["ref", "fast"])
def test_session_with_several_threads_matches_one_thread_on_a_zoo_model(kernels, monkeypatch):
    monkeypatch.setenv("SPARSECC_KERNELS", kernels)
    onnx_path = Path(__file__).resolve().parents[1] / "fixtures" / "torch_mobilenetv2_tiny.onnx"
    compiled = sparsecc.compile(str(onnx_path))
    rng = np.random.default_rng(3)
    s1 = sparsecc.InferenceSession(compiled, num_threads=1)
    feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32) for i in s1.get_inputs()}
    want = s1.run(None, feeds)
    for threads in (2, 3):
        got = sparsecc.InferenceSession(compiled, num_threads=threads).run(None, feeds)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5,
                                       err_msg=f"kernels={kernels}: num_threads={threads} differs from 1 thread")


def test_each_node_keeps_its_own_packed_constant_when_many_nodes_are_packed(fake_registry):
    # regression: packed Values are temporaries; the lowering must not confuse two of them
    g = Graph()
    x = g.add_input("x", (1, 2))
    cur = x
    for i in range(24):
        w = g.const(f"w{i}", np.full((2, 2), float(i), dtype=np.float32))
        cur = g.add_node("MatMul", [cur, w], [(1, 2)], name=f"mm{i}").outputs[0]
    g.outputs.append(cur)

    def pack(node, graph):
        return Packed([node.inputs[0], graph.const(node.name + "_packed", node.inputs[1].const + 0.5)])

    kernel_specs.register(KernelSpec("fake-mm", "MatMul", (), lambda node: True, pack))
    plan = lower(g, "host")
    for i, pn in enumerate(plan.nodes):
        t = plan.tensors[pn.inputs[1]]
        assert t.name == f"mm{i}_packed" and float(t.data[0, 0]) == i + 0.5, f"node mm{i} got tensor {t.name}"
