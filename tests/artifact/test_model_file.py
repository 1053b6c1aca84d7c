"""The model file: round trip, and every kind of damage rejected with a message."""
import os

import numpy as np
import pytest
from model_builders import conv_bn_relu

import sparsecc
from sparsecc.compiler.artifact import ModelFileError, parse, write_atomic


@pytest.fixture(scope="module")
def compiled():
    return sparsecc.compile(conv_bn_relu())


def test_round_trip_keeps_nodes_tensors_and_weights(compiled):
    plan, producer = parse(compiled.to_bytes())
    assert producer.startswith("sparsecc ")
    assert [n.op for n in plan.nodes] == [n.op for n in compiled.plan.nodes]
    assert [n.attrs for n in plan.nodes] == [
        [(k, t, [float(np.float32(x)) for x in v] if t == "floats" else v) for k, t, v in n.attrs]
        for n in compiled.plan.nodes]
    for a, b in zip(plan.tensors, compiled.plan.tensors):
        assert (a.name, a.shape, a.kind, a.offset, a.nbytes) == (b.name, b.shape, b.kind, b.offset, b.nbytes)
        if b.data is not None:
            np.testing.assert_array_equal(a.data, b.data)
            assert a.offset % 64 == 0


def test_header_and_blob_are_aligned(compiled):
    data = compiled.to_bytes()
    assert data[:8] == b"SCCMODEL"
    blob_offset = int.from_bytes(data[40:48], "little")
    assert blob_offset % 64 == 0 and int.from_bytes(data[16:24], "little") == len(data)


def _runtime_rejects(data: bytes) -> str:
    from sparsecc import _runtime

    with pytest.raises(_runtime.SparseccRuntimeError) as e:
        sparsecc.InferenceSession(data)
    return str(e.value)


def test_truncated_file_is_rejected(compiled, tmp_path):
    data = compiled.to_bytes()
    for cut in (0, 10, 63, 64, len(data) // 2, len(data) - 1):
        with pytest.raises(ModelFileError):
            parse(data[:cut])
        msg = _runtime_rejects(data[:cut])
        assert msg, f"empty message for truncation at {cut}"
    path = tmp_path / "cut.scc"
    path.write_bytes(data[: len(data) // 2])
    from sparsecc import _runtime

    with pytest.raises(_runtime.SparseccRuntimeError, match="(?i)trunc|size"):
        sparsecc.InferenceSession(path)


def test_one_flipped_byte_is_rejected(compiled):
    data = compiled.to_bytes()
    rng = np.random.default_rng(0)
    positions = sorted({0, 9, 20, 59, 62, 64, 70, len(data) - 1, *rng.integers(0, len(data), 40).tolist()})
    for pos in positions:
        bad = bytearray(data)
        bad[pos] ^= 0x10
        with pytest.raises(ModelFileError):
            parse(bytes(bad))
        assert _runtime_rejects(bytes(bad)), f"flip at byte {pos} accepted"


def test_non_model_file_is_rejected(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not a model\n" * 10)
    msg = _runtime_rejects(path.read_bytes())
    assert "magic" in msg.lower() or "not a" in msg.lower(), msg
    with pytest.raises(ModelFileError, match="magic"):
        parse(path.read_bytes())


def test_write_atomic_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "m.scc"
    path.write_bytes(b"old")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(path, b"new contents")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.scc"], "a temp file was left behind"
