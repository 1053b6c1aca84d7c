"""Patch a .scc model file in place of an attacker: change a field, then recompute both
CRCs (zlib.crc32, as docs/model-format.md says) so that the check under test is the
one that fires, not the checksum."""
from __future__ import annotations

import struct
import zlib

HEADER = {"magic": (0, "8s"), "version_major": (8, "<H"), "version_minor": (10, "<H"), "header_size": (12, "<I"),
          "file_size": (16, "<Q"), "meta_offset": (24, "<Q"), "meta_size": (32, "<Q"), "blob_offset": (40, "<Q"),
          "blob_size": (48, "<Q")}


def with_crcs(data: bytes | bytearray) -> bytes:
    """The bytes with the data CRC (offset 56) and header CRC (offset 60) recomputed."""
    b = bytearray(data)
    struct.pack_into("<I", b, 56, zlib.crc32(bytes(b[64:])) & 0xFFFFFFFF)
    struct.pack_into("<I", b, 60, zlib.crc32(bytes(b[:60])) & 0xFFFFFFFF)
    return bytes(b)


def patch_header(data: bytes, field: str, value) -> bytes:
    offset, fmt = HEADER[field]
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return with_crcs(b)


def meta_string_span(data: bytes, index: int) -> tuple[int, int]:
    """(start, end) of the index-th string at the start of the meta section (0 = target, 1 = producer)."""
    pos = 64
    for _ in range(index):
        pos += 4 + struct.unpack_from("<I", data, pos)[0]
    n = struct.unpack_from("<I", data, pos)[0]
    return pos + 4, pos + 4 + n


def patch_target(data: bytes, target: str) -> bytes:
    """The file with its target string replaced by one of the same length (nothing else moves)."""
    start, end = meta_string_span(data, 0)
    new = target.encode()
    if len(new) != end - start:
        raise ValueError(f"target {target!r} must have {end - start} bytes, like {data[start:end]!r}")
    return with_crcs(data[:start] + new + data[end:])


def tensor_field(data: bytes, name: str, field: str) -> int:
    """Byte offset of a field (dtype, kind, rank, dims, offset, nbytes) of the tensor record ``name``."""
    key = struct.pack("<I", len(name)) + name.encode()
    p = data.index(key, 64) + len(key)
    rank = data[p + 2]
    return {"dtype": p, "kind": p + 1, "rank": p + 2, "dims": p + 3, "offset": p + 3 + 8 * rank,
            "nbytes": p + 11 + 8 * rank}[field]


def patch_tensor(data: bytes, name: str, field: str, fmt: str, value) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, tensor_field(data, name, field), value)
    return with_crcs(b)
