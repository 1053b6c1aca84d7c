// ModelBuilder: writes model-file bytes in memory, following docs/model-format.md
// field by field, so the C++ tests need no Python. Independent of the runtime's
// own code (its CRC is a bitwise implementation, not the runtime's table).
//
//   ModelBuilder b;
//   uint32_t x = b.activation("x", {1, 3, 4, 4});
//   uint32_t w = b.constant("w", {8, 3, 3, 3}, weights);
//   uint32_t y = b.activation("y", {1, 8, 2, 2});
//   b.node("conv", "Conv", {x, w}, {y}).ints("strides", {2, 2});
//   b.input(x); b.output(y);
//   std::vector<uint8_t> bytes = b.build();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scctest {

constexpr uint32_t kAbsentId = 0xFFFFFFFFu;

uint32_t crc32_bitwise(const uint8_t* data, size_t size);

// Little-endian byte sink for the meta section.
struct Bytes {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) { for (int i = 0; i < 2; ++i) b.push_back(uint8_t(v >> (8 * i))); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i))); }
  void i64(int64_t v) { u64(uint64_t(v)); }
  void f32(float v);
  void str(const std::string& s) { u32(uint32_t(s.size())); b.insert(b.end(), s.begin(), s.end()); }
};

struct AttrRec {
  std::string key;
  uint8_t type;  // 1 ints, 2 floats, 3 string
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string str;
};

struct NodeRec {
  std::string name, op, kernel = "ref";
  std::vector<uint32_t> inputs, outputs;
  std::vector<AttrRec> attrs;
  NodeRec& ints(const std::string& k, std::vector<int64_t> v) { attrs.push_back({k, 1, std::move(v), {}, {}}); return *this; }
  NodeRec& i(const std::string& k, int64_t v) { return ints(k, {v}); }
  NodeRec& floats(const std::string& k, std::vector<float> v) { attrs.push_back({k, 2, {}, std::move(v), {}}); return *this; }
  NodeRec& f(const std::string& k, float v) { return floats(k, {v}); }
  NodeRec& s(const std::string& k, const std::string& v) { attrs.push_back({k, 3, {}, {}, v}); return *this; }
};

struct TensorRec {
  std::string name;
  uint8_t dtype = 1, kind = 0;
  std::vector<int64_t> dims;
  uint64_t offset = 0, nbytes = 0;
  std::vector<float> data;  // constants only
};

class ModelBuilder {
 public:
  std::string target = "host", producer = "sparsecc C++ tests";
  uint16_t version_major = 1, version_minor = 0;
  int64_t arena_size = -1;  // -1: end of the last activation, rounded up to 64
  std::vector<TensorRec> tensors;
  std::vector<uint32_t> inputs, outputs;
  std::vector<NodeRec> nodes;

  // offset -1: a fresh 64-aligned slot after every earlier activation (no reuse).
  uint32_t activation(const std::string& name, std::vector<int64_t> dims, int64_t offset = -1);
  uint32_t constant(const std::string& name, std::vector<int64_t> dims, std::vector<float> data);
  void input(uint32_t id) { inputs.push_back(id); }
  void output(uint32_t id) { outputs.push_back(id); }
  NodeRec& node(const std::string& name, const std::string& op, std::vector<uint32_t> in, std::vector<uint32_t> out);

  std::vector<uint8_t> meta() const;
  std::vector<uint8_t> blob() const;
  std::vector<uint8_t> build() const { return assemble(meta(), blob(), version_major, version_minor); }

  // header + meta + padding + blob, with both CRCs.
  static std::vector<uint8_t> assemble(const std::vector<uint8_t>& meta, const std::vector<uint8_t>& blob,
                                       uint16_t major = 1, uint16_t minor = 0);

 private:
  uint64_t next_arena_ = 0, next_blob_ = 0;
};

// Recomputes both CRCs of a file in place (so a test's semantic change is what fires).
void fix_crcs(std::vector<uint8_t>& file);
void put_u32(std::vector<uint8_t>& f, size_t at, uint32_t v);
void put_u64(std::vector<uint8_t>& f, size_t at, uint64_t v);

}  // namespace scctest
