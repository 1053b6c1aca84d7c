"""Every kind of damage to a .scc file is refused with a message naming what is wrong, by
the C++ loader (InferenceSession), by the Python reader (``parse``, used by ``inspect``)
and by the CLI (exit 1, one line, no traceback) — never a crash or a wrong run.

Fields are patched and both CRCs recomputed (tests/reliability/scc_bytes.py), so each
case reaches the check it is about instead of stopping at the checksum. Damage already
covered in tests/artifact (random flipped bytes, truncation in parse) is not repeated.
"""
from __future__ import annotations

import re

import pytest
from model_builders import conv_bn_relu
from scc_bytes import patch_header, patch_target, patch_tensor, with_crcs
from typer.testing import CliRunner

import sparsecc
from sparsecc import ModelFileError, _runtime
from sparsecc.cli.main import app
from sparsecc.compiler.artifact import parse


@pytest.fixture(scope="module")
def good() -> bytes:
    # reference kernels: the weight keeps its name and unpacked size (the records patched below)
    return sparsecc.compile(conv_bn_relu(), kernels="ref").to_bytes()


def runtime_error(data: bytes) -> str:
    with pytest.raises(_runtime.SparseccRuntimeError) as e:
        sparsecc.InferenceSession(data)
    return str(e.value)


def reader_error(data: bytes) -> str:
    with pytest.raises(ModelFileError) as e:
        parse(data)
    return str(e.value)


def test_the_unpatched_file_loads_and_reserialising_crcs_changes_nothing(good):
    """The patch helper itself: recomputing the CRCs of a good file gives the same bytes."""
    assert with_crcs(good) == good
    sparsecc.InferenceSession(good)
    parse(good)


# (label, damage, pattern the runtime's message must match, pattern the reader's must match)
HEADER_CASES = [
    ("zero-length", lambda d: b"", r"(?i)trunc|short|size", r"shorter than the header"),
    ("header only", lambda d: d[:64], r"(?i)file_size|trunc|size", r"truncated|header says"),
    ("truncated blob", lambda d: d[:-32], r"(?i)file_size|trunc|size", r"truncated|header says"),
    ("wrong magic", lambda d: with_crcs(b"ONNXMODL" + d[8:]), r"(?i)magic", r"magic"),
    ("major version 2", lambda d: patch_header(d, "version_major", 2), r"version_major", r"version 2\.0"),
    ("newer minor version", lambda d: patch_header(d, "version_minor", 7), r"version_minor", r"version 1\.7"),
    ("header_size 128", lambda d: patch_header(d, "header_size", 128), r"header_size", r"truncated|header"),
    ("file_size too big", lambda d: patch_header(d, "file_size", len(d) + 64), r"file_size", r"header says"),
    ("meta past the end", lambda d: patch_header(d, "meta_size", 1 << 40), r"meta_size", r"sections"),
    ("blob offset huge", lambda d: patch_header(d, "blob_offset", 1 << 40), r"blob", r"sections"),
    ("blob offset unaligned", lambda d: patch_header(d, "blob_offset", 65), r"blob", r"sections"),
    ("blob size huge", lambda d: patch_header(d, "blob_size", 1 << 40), r"blob_size", r"sections"),
    ("data checksum", lambda d: d[:-1] + bytes([d[-1] ^ 1]), r"(?i)checksum|crc", r"checksum"),
    ("header checksum", lambda d: d[:60] + bytes([d[60] ^ 1]) + d[61:], r"(?i)checksum|crc", r"checksum"),
]


@pytest.mark.parametrize("label,damage,runtime_pat,reader_pat", HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_damaged_header_is_rejected_naming_the_field(good, label, damage, runtime_pat, reader_pat):
    bad = damage(good)
    msg = runtime_error(bad)
    assert re.search(runtime_pat, msg), f"{label}: runtime said {msg!r}"
    msg = reader_error(bad)
    assert re.search(reader_pat, msg), f"{label}: reader said {msg!r}"


@pytest.mark.parametrize("target", ["mips", "rv64"])
def test_model_for_another_target_is_refused_by_the_runtime(good, target):
    bad = patch_target(good, target)
    plan, _ = parse(bad)  # the reader (inspect) shows any target; only running it is refused
    assert plan.target == target
    msg = runtime_error(bad)
    assert "target" in msg and repr(target) in msg, msg


# tensors of conv_bn_relu after lowering: 'input' and 'output' live in the arena, 'w_bn' in the blob
TENSOR_CASES = [
    ("weight offset past the blob", "w_bn", "offset", "<Q", 1 << 20, r"outside the blob", r"outside the weight blob"),
    ("weight offset wraps around", "w_bn", "offset", "<Q", (1 << 64) - 64, r"outside", r"outside"),
    ("weight offset unaligned", "w_bn", "offset", "<Q", 4, r"aligned", r"aligned"),
    ("weight nbytes too large", "w_bn", "nbytes", "<Q", 1 << 40, r"nbytes", r"nbytes"),
    ("weight nbytes one short", "w_bn", "nbytes", "<Q", 8 * 27 * 4 - 4, r"nbytes", r"nbytes"),
    ("input offset past the arena", "input", "offset", "<Q", 1 << 30, r"outside the arena", r"activation arena"),
    ("output offset wraps around", "output", "offset", "<Q", (1 << 64) - 64, r"outside the arena", r"arena"),
    ("input dim huge", "input", "dims", "<q", 1 << 40, r"dim", r"dims"),
    ("input dim negative", "input", "dims", "<q", -1, r"dim", r"dims"),
    ("input dim zero", "input", "dims", "<q", 0, r"dim", r"dims"),
    ("dtype not float32", "input", "dtype", "<B", 2, r"dtype", r"dtype"),
    ("unknown kind", "input", "kind", "<B", 7, r"kind", r"kind"),
    ("rank over 8", "input", "rank", "<B", 200, r"rank", r"rank"),
]


@pytest.mark.parametrize("label,tensor,field,fmt,value,runtime_pat,reader_pat", TENSOR_CASES,
                         ids=[c[0] for c in TENSOR_CASES])
def test_tensor_record_out_of_range_is_rejected_naming_the_tensor(good, label, tensor, field, fmt, value,
                                                                  runtime_pat, reader_pat):
    bad = patch_tensor(good, tensor, field, fmt, value)
    msg = runtime_error(bad)
    assert re.search(runtime_pat, msg) and tensor in msg, f"{label}: runtime said {msg!r}"
    msg = reader_error(bad)
    assert re.search(reader_pat, msg) and tensor in msg, f"{label}: reader said {msg!r}"


def test_arena_size_larger_than_all_activations_is_refused(good):
    """A file must not make a session allocate more than its tensors justify."""
    producer_end = 64 + 4 + 4 + 4 + len(parse(good)[1])  # target "host", producer string
    b = bytearray(good)
    b[producer_end:producer_end + 8] = (1 << 50).to_bytes(8, "little")
    msg = runtime_error(with_crcs(b))
    assert "arena_size" in msg, msg


@pytest.mark.parametrize("label,damage", [
    ("wrong target", lambda d: patch_target(d, "mips")),
    ("weight offset past the blob", lambda d: patch_tensor(d, "w_bn", "offset", "<Q", 1 << 20)),
    ("major version 2", lambda d: patch_header(d, "version_major", 2)),
])
def test_cli_run_and_inspect_print_one_line_for_a_damaged_file(good, tmp_path, label, damage):
    path = tmp_path / "bad.scc"
    path.write_bytes(damage(good))
    for cmd in ("run", "inspect"):
        r = CliRunner().invoke(app, [cmd, str(path)])
        assert r.exit_code == 1, f"{label}: sparsecc {cmd} exit {r.exit_code}: {r.output}"
        assert r.output.startswith("error:") and len(r.output.strip().splitlines()) == 1, f"{label}: {cmd}: {r.output}"
