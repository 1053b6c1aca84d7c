""".scc bytes -> Plan, for ``sparsecc inspect`` and tests. Checks the header, both
CRCs and every bound (the C++ loader is the authority for running a file; this
reader refuses anything it cannot parse exactly)."""
from __future__ import annotations

import struct
import zlib

import numpy as np

from ..lower.plan import ACTIVATION, CONSTANT, Plan, PlanNode, PlanTensor
from .format import (ATTR_FLOATS, ATTR_INTS, ATTR_NAMES, ATTR_STRING, BLOB_ALIGN, DTYPE_F32, HEADER_SIZE, MAGIC,
                     MAX_RANK, MAX_STR, NO_TENSOR, VERSION_MAJOR, VERSION_MINOR)


MAX_ELEMENTS = 1 << 31  # per tensor (docs/model-format.md)


class ModelFileError(ValueError):
    """The bytes are not a valid sparsecc model file."""


class _Cursor:
    def __init__(self, data: bytes, start: int, end: int):
        self.data, self.pos, self.end = data, start, end

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise ModelFileError(f"model file truncated or corrupt: {what} runs past the meta section")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def unpack(self, fmt: str, what: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def u8(self, what): return self.unpack("B", what)[0]
    def u32(self, what): return self.unpack("I", what)[0]
    def u64(self, what): return self.unpack("Q", what)[0]

    def str(self, what: str) -> str:
        n = self.u32(what)
        if n > MAX_STR:
            raise ModelFileError(f"{what}: string length {n} over the limit {MAX_STR}")
        try:
            return self.take(n, what).decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError(f"{what}: not UTF-8") from None

    def count(self, what: str, item_bytes: int) -> int:
        n = self.u32(what)
        if n * item_bytes > self.end - self.pos:
            raise ModelFileError(f"{what}: count {n} is larger than the bytes left")
        return n


def parse(data: bytes) -> tuple[Plan, str]:
    """Returns (plan, producer)."""
    if len(data) < HEADER_SIZE:
        raise ModelFileError(f"not a sparsecc model file: {len(data)} bytes, shorter than the header")
    head = struct.unpack("<8sHHIQQQQQII", data[:HEADER_SIZE])
    magic, major, minor, hsize, fsize, moff, msize, boff, bsize, crc, hcrc = head
    if magic != MAGIC:
        raise ModelFileError("not a sparsecc model file (bad magic)")
    if zlib.crc32(data[:60]) & 0xFFFFFFFF != hcrc:
        raise ModelFileError("model file header is corrupt (header checksum mismatch)")
    if major != VERSION_MAJOR or minor > VERSION_MINOR:
        raise ModelFileError(f"model file version {major}.{minor} is not supported (this reader: "
                             f"{VERSION_MAJOR}.{VERSION_MINOR})")
    if hsize != HEADER_SIZE or fsize != len(data):
        raise ModelFileError(f"model file truncated or padded: header says {fsize} bytes, got {len(data)}")
    if not (moff == HEADER_SIZE and moff + msize <= boff and boff % 64 == 0 and boff + bsize == fsize):
        raise ModelFileError("model file sections are inconsistent")
    if zlib.crc32(data[HEADER_SIZE:]) & 0xFFFFFFFF != crc:
        raise ModelFileError("model file is corrupt (checksum mismatch)")

    c = _Cursor(data, moff, moff + msize)
    plan = Plan(target=c.str("target"))
    producer = c.str("producer")
    plan.arena_size = c.u64("arena_size")
    plan.blob_size = bsize
    for i in range(c.count("tensor count", 23)):
        name = c.str(f"tensor {i} name")
        dtype = c.u8(f"tensor {name} dtype")
        kind = c.u8(f"tensor {name} kind")
        rank = c.u8(f"tensor {name} rank")
        if dtype != DTYPE_F32:
            raise ModelFileError(f"tensor {name}: dtype {dtype} is not 1 (float32)")
        if kind not in (ACTIVATION, CONSTANT):
            raise ModelFileError(f"tensor {name}: kind {kind} is neither 0 (activation) nor 1 (constant)")
        if rank > MAX_RANK:
            raise ModelFileError(f"tensor {name}: rank {rank} over {MAX_RANK}")
        shape = c.unpack(f"{rank}q", f"tensor {name} dims")
        if any(d < 1 or d > MAX_ELEMENTS for d in shape) or int(np.prod(shape, dtype=object)) > MAX_ELEMENTS:
            raise ModelFileError(f"tensor {name}: dims {list(shape)} out of range (each >= 1, "
                                 f"at most {MAX_ELEMENTS} elements)")
        offset, nbytes = c.u64(f"tensor {name} offset"), c.u64(f"tensor {name} nbytes")
        if nbytes != 4 * int(np.prod(shape, dtype=object)):
            raise ModelFileError(f"tensor {name}: nbytes {nbytes} does not match dims {list(shape)}")
        if offset % BLOB_ALIGN:
            raise ModelFileError(f"tensor {name}: offset {offset} is not {BLOB_ALIGN}-byte aligned")
        region, size = ("weight blob", bsize) if kind == CONSTANT else ("activation arena", plan.arena_size)
        if offset + nbytes > size:
            raise ModelFileError(f"tensor {name}: [{offset}, +{nbytes}) lies outside the {region} of {size} bytes")
        data_arr = None
        if kind == CONSTANT:
            data_arr = np.frombuffer(data, "<f4", nbytes // 4, boff + offset).reshape(shape)
        plan.tensors.append(PlanTensor(name, tuple(shape), kind, offset, nbytes, data_arr))
    n_t = len(plan.tensors)

    def tid(x, what):
        if x >= n_t:
            raise ModelFileError(f"{what}: tensor id {x} out of range")
        return x

    for field in ("inputs", "outputs"):
        n = c.count(f"graph {field} count", 4)
        setattr(plan, field, [tid(x, f"graph {field}") for x in c.unpack(f"{n}I", f"graph {field}")])
    for i in range(c.count("node count", 24)):
        name, op, kernel = c.str(f"node {i} name"), c.str(f"node {i} op"), c.str(f"node {i} kernel")
        n_in = c.count(f"node {name} inputs", 4)
        ins = [None if x == NO_TENSOR else tid(x, f"node {name}") for x in c.unpack(f"{n_in}I", f"node {name}")]
        n_out = c.count(f"node {name} outputs", 4)
        outs = [tid(x, f"node {name}") for x in c.unpack(f"{n_out}I", f"node {name}")]
        attrs = []
        for _ in range(c.count(f"node {name} attrs", 9)):
            key = c.str(f"node {name} attr key")
            code = c.u8(f"node {name} attr {key} type")
            if code == ATTR_INTS:
                n = c.count(f"attr {key}", 8)
                attrs.append((key, ATTR_NAMES[code], list(c.unpack(f"{n}q", f"attr {key}"))))
            elif code == ATTR_FLOATS:
                n = c.count(f"attr {key}", 4)
                attrs.append((key, ATTR_NAMES[code], list(c.unpack(f"{n}f", f"attr {key}"))))
            elif code == ATTR_STRING:
                attrs.append((key, ATTR_NAMES[code], c.str(f"attr {key}")))
            else:
                raise ModelFileError(f"node {name}: attribute {key} has unknown type {code}")
        plan.nodes.append(PlanNode(name, op, kernel, ins, outs, attrs))
    if c.pos != c.end:
        raise ModelFileError("model file meta section has trailing bytes")
    return plan, producer
