"""Plan -> .scc bytes (docs/model-format.md), and the atomic file write."""
from __future__ import annotations

import os
import struct
import tempfile
import zlib

from ..lower.plan import Plan
from .format import (ATTR_CODES, ATTR_FLOATS, ATTR_INTS, BLOB_ALIGN, DTYPE_F32, HEADER_SIZE, MAGIC, MAX_STR,
                     NO_TENSOR, VERSION_MAJOR, VERSION_MINOR)


class _Buf:
    def __init__(self):
        self.parts: list[bytes] = []

    def u8(self, x): self.parts.append(struct.pack("<B", x))
    def u32(self, x): self.parts.append(struct.pack("<I", x))
    def u64(self, x): self.parts.append(struct.pack("<Q", x))

    def str(self, s: str):
        b = s.encode("utf-8")
        if len(b) > MAX_STR:
            raise ValueError(f"string too long for the model file ({len(b)} bytes): {s[:60]}...")
        self.u32(len(b))
        self.parts.append(b)

    def raw(self, b: bytes): self.parts.append(b)
    def bytes(self) -> bytes: return b"".join(self.parts)


def _meta(plan: Plan, producer: str) -> bytes:
    m = _Buf()
    m.str(plan.target)
    m.str(producer)
    m.u64(plan.arena_size)
    m.u32(len(plan.tensors))
    for t in plan.tensors:
        m.str(t.name)
        m.u8(DTYPE_F32)
        m.u8(t.kind)
        m.u8(len(t.shape))
        m.raw(struct.pack(f"<{len(t.shape)}q", *t.shape))
        m.u64(t.offset)
        m.u64(t.nbytes)
    for ids in (plan.inputs, plan.outputs):
        m.u32(len(ids))
        m.raw(struct.pack(f"<{len(ids)}I", *ids))
    m.u32(len(plan.nodes))
    for n in plan.nodes:
        m.str(n.name)
        m.str(n.op)
        m.str(n.kernel)
        m.u32(len(n.inputs))
        m.raw(struct.pack(f"<{len(n.inputs)}I", *[NO_TENSOR if i is None else i for i in n.inputs]))
        m.u32(len(n.outputs))
        m.raw(struct.pack(f"<{len(n.outputs)}I", *n.outputs))
        m.u32(len(n.attrs))
        for key, typ, val in n.attrs:
            m.str(key)
            code = ATTR_CODES[typ]
            m.u8(code)
            if code == ATTR_INTS:
                m.u32(len(val))
                m.raw(struct.pack(f"<{len(val)}q", *val))
            elif code == ATTR_FLOATS:
                m.u32(len(val))
                m.raw(struct.pack(f"<{len(val)}f", *val))
            else:
                m.str(val)
    return m.bytes()


def serialize(plan: Plan, producer: str = "sparsecc") -> bytes:
    meta = _meta(plan, producer)
    meta_offset = HEADER_SIZE
    blob_offset = (meta_offset + len(meta) + BLOB_ALIGN - 1) // BLOB_ALIGN * BLOB_ALIGN
    blob = bytearray(plan.blob_size)
    for t in plan.tensors:
        if t.data is not None:
            blob[t.offset:t.offset + t.nbytes] = t.data.tobytes()
    body = meta + b"\0" * (blob_offset - meta_offset - len(meta)) + bytes(blob)
    file_size = HEADER_SIZE + len(body)
    head = struct.pack("<8sHHIQQQQQI", MAGIC, VERSION_MAJOR, VERSION_MINOR, HEADER_SIZE, file_size,
                       meta_offset, len(meta), blob_offset, len(blob), zlib.crc32(body) & 0xFFFFFFFF)
    head += struct.pack("<I", zlib.crc32(head) & 0xFFFFFFFF)
    assert len(head) == HEADER_SIZE
    return head + body


def _mode_for(path: str) -> int:
    """The permission bits a plain ``open(path, "wb")`` would give: the old file's, else 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the whole
    new one, never a partial write (temp file in the same folder, fsync, rename).

    Whatever interrupts it (an error, KeyboardInterrupt), the temp file is removed.
    The new file gets the old file's permissions, or those of a plain ``open``
    (mkstemp would leave it readable by its owner only)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path) + "-", dir=folder)
    try:
        try:
            f = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
