// ModelBuilder implementation: the model-file layout of docs/model-format.md.
#include "model_builder.h"

#include <cstring>

namespace scctest {

uint32_t crc32_bitwise(const uint8_t* data, size_t size) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

void Bytes::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(bits);
}

static uint64_t align64(uint64_t x) { return (x + 63) / 64 * 64; }

static uint64_t count_of(const std::vector<int64_t>& dims) {
  uint64_t n = 1;
  for (int64_t d : dims) n *= uint64_t(d);
  return n;
}

uint32_t ModelBuilder::activation(const std::string& name, std::vector<int64_t> dims, int64_t offset) {
  TensorRec t;
  t.name = name;
  t.kind = 0;
  t.nbytes = count_of(dims) * 4;
  t.dims = std::move(dims);
  if (offset < 0) {
    t.offset = next_arena_;
    next_arena_ = align64(t.offset + t.nbytes);
  } else {
    t.offset = uint64_t(offset);
    if (align64(t.offset + t.nbytes) > next_arena_) next_arena_ = align64(t.offset + t.nbytes);
  }
  tensors.push_back(std::move(t));
  return uint32_t(tensors.size() - 1);
}

uint32_t ModelBuilder::constant(const std::string& name, std::vector<int64_t> dims, std::vector<float> data) {
  TensorRec t;
  t.name = name;
  t.kind = 1;
  t.nbytes = count_of(dims) * 4;
  t.dims = std::move(dims);
  t.data = std::move(data);
  t.data.resize(size_t(t.nbytes / 4), 0.0f);
  t.offset = next_blob_;
  next_blob_ = align64(t.offset + t.nbytes);
  tensors.push_back(std::move(t));
  return uint32_t(tensors.size() - 1);
}

NodeRec& ModelBuilder::node(const std::string& name, const std::string& op, std::vector<uint32_t> in,
                            std::vector<uint32_t> out) {
  NodeRec n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  nodes.push_back(std::move(n));
  return nodes.back();
}

std::vector<uint8_t> ModelBuilder::meta() const {
  Bytes m;
  m.str(target);
  m.str(producer);
  m.u64(arena_size >= 0 ? uint64_t(arena_size) : next_arena_);
  m.u32(uint32_t(tensors.size()));
  for (const TensorRec& t : tensors) {
    m.str(t.name);
    m.u8(t.dtype);
    m.u8(t.kind);
    m.u8(uint8_t(t.dims.size()));
    for (int64_t d : t.dims) m.i64(d);
    m.u64(t.offset);
    m.u64(t.nbytes);
  }
  m.u32(uint32_t(inputs.size()));
  for (uint32_t id : inputs) m.u32(id);
  m.u32(uint32_t(outputs.size()));
  for (uint32_t id : outputs) m.u32(id);
  m.u32(uint32_t(nodes.size()));
  for (const NodeRec& n : nodes) {
    m.str(n.name);
    m.str(n.op);
    m.str(n.kernel);
    m.u32(uint32_t(n.inputs.size()));
    for (uint32_t id : n.inputs) m.u32(id);
    m.u32(uint32_t(n.outputs.size()));
    for (uint32_t id : n.outputs) m.u32(id);
    m.u32(uint32_t(n.attrs.size()));
    for (const AttrRec& a : n.attrs) {
      m.str(a.key);
      m.u8(a.type);
      if (a.type == 3) {
        m.str(a.str);
      } else if (a.type == 1) {
        m.u32(uint32_t(a.ints.size()));
        for (int64_t v : a.ints) m.i64(v);
      } else {
        m.u32(uint32_t(a.floats.size()));
        for (float v : a.floats) m.f32(v);
      }
    }
  }
  return m.b;
}

std::vector<uint8_t> ModelBuilder::blob() const {
  std::vector<uint8_t> b(size_t(next_blob_), 0);
  for (const TensorRec& t : tensors)
    if (t.kind == 1 && !t.data.empty() && t.offset + t.nbytes <= b.size())
      std::memcpy(b.data() + t.offset, t.data.data(), size_t(t.nbytes));
  return b;
}

void put_u32(std::vector<uint8_t>& f, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) f[at + size_t(i)] = uint8_t(v >> (8 * i));
}

void put_u64(std::vector<uint8_t>& f, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) f[at + size_t(i)] = uint8_t(v >> (8 * i));
}

void fix_crcs(std::vector<uint8_t>& f) {
  put_u32(f, 56, crc32_bitwise(f.data() + 64, f.size() - 64));
  put_u32(f, 60, crc32_bitwise(f.data(), 60));
}

std::vector<uint8_t> ModelBuilder::assemble(const std::vector<uint8_t>& meta, const std::vector<uint8_t>& blob,
                                            uint16_t major, uint16_t minor) {
  const uint64_t meta_offset = 64, blob_offset = align64(meta_offset + meta.size());
  const uint64_t file_size = blob_offset + blob.size();
  Bytes h;
  const char magic[8] = {'S', 'C', 'C', 'M', 'O', 'D', 'E', 'L'};
  for (char c : magic) h.u8(uint8_t(c));
  h.u16(major);
  h.u16(minor);
  h.u32(64);
  h.u64(file_size);
  h.u64(meta_offset);
  h.u64(meta.size());
  h.u64(blob_offset);
  h.u64(blob.size());
  h.u32(0);  // data crc, filled below
  h.u32(0);  // header crc
  std::vector<uint8_t> f = h.b;
  f.insert(f.end(), meta.begin(), meta.end());
  f.resize(size_t(blob_offset), 0);
  f.insert(f.end(), blob.begin(), blob.end());
  fix_crcs(f);
  return f;
}

}  // namespace scctest
