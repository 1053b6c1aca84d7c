// Model-file loader: parses and validates a `.scc` file (docs/model-format.md).
//
// Guarantees (this is a security boundary; the file may be hostile):
//  * Nothing is read outside the bytes given: the header is read at fixed
//    offsets after checking the size, the meta section only through ByteReader
//    (every read bounds-checked, throws Error naming the field).
//  * No allocation is sized from a file value before that value is checked
//    against the remaining bytes (counts x minimum record size) or a fixed bound
//    (string length <= 4096, rank <= 8, n_tensors/n_nodes <= 1e6, attr count <= 2^24).
//  * arena_size is at most the sum of the (64-aligned) activation sizes, so the
//    arena a Session allocates is bounded by what the file declares it needs.
//  * offset + size arithmetic is overflow-safe (checked as `a <= limit && b <= limit - a`).
//  * Both CRCs, every id, every tensor region and alignment, def-before-use,
//    single definition, op/kernel existence, attribute types and counts, output
//    shapes (recomputed by each kernel's prepare step) and arena non-overlap of
//    simultaneously live activations are verified before the Model exists.
//    A kernel's prepare step also proves every index it will read is in range,
//    so a model that loads cannot make a kernel read or write out of bounds.
// Every failure throws sparsecc::Error; no other exception escapes (bad_alloc
// is turned into Error by the caller).
#include <cstring>
#include <map>

#include "byte_reader.h"
#include "crc32.h"
#include "error.h"
#include "model_data.h"
#include "op_registry.h"

namespace sparsecc::detail {
namespace {

constexpr uint8_t kMagic[8] = {'S', 'C', 'C', 'M', 'O', 'D', 'E', 'L'};
constexpr uint16_t kVersionMajor = 1;
constexpr uint16_t kVersionMinor = 0;
constexpr uint64_t kHeaderSize = 64;
constexpr uint32_t kMaxTensors = 1000000;
constexpr uint32_t kMaxNodes = 1000000;
constexpr uint32_t kMaxRank = 8;
constexpr uint32_t kMaxAttrCount = 1u << 24;
constexpr int64_t kMaxElements = int64_t(1) << 31;

uint16_t rd16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t rd32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t rd64(const uint8_t* p) { return uint64_t(rd32(p)) | uint64_t(rd32(p + 4)) << 32; }

// a + b <= limit without overflow
bool fits(uint64_t a, uint64_t b, uint64_t limit) { return a <= limit && b <= limit - a; }

[[noreturn]] void header_fail(const std::string& field, const std::string& why) {
  raise_error("model header: field '" + field + "': " + why);
}

struct Header {
  uint64_t meta_offset, meta_size, blob_offset, blob_size;
};

Header check_header(const uint8_t* d, size_t size) {
  if (size < kHeaderSize)
    raise_error("model file truncated: " + std::to_string(size) + " bytes, shorter than the 64-byte header");
  if (std::memcmp(d, kMagic, 8) != 0) header_fail("magic", "not a sparsecc model file (expected \"SCCMODEL\")");
  uint16_t major = rd16(d + 8), minor = rd16(d + 10);
  if (major != kVersionMajor)
    header_fail("version_major", "file version " + std::to_string(major) + "." + std::to_string(minor) +
                                     ", this runtime reads major version 1 only");
  if (minor > kVersionMinor)
    header_fail("version_minor", "file version 1." + std::to_string(minor) + " is newer than this runtime (1.0)");
  if (crc32(0, d, 60) != rd32(d + 60)) header_fail("header_crc32", "checksum mismatch (header corrupted)");
  if (rd32(d + 12) != kHeaderSize) header_fail("header_size", "expected 64, got " + std::to_string(rd32(d + 12)));
  uint64_t file_size = rd64(d + 16);
  if (file_size != size)
    header_fail("file_size", "header says " + std::to_string(file_size) + " bytes but " + std::to_string(size) +
                                 " were given (truncated or padded file)");
  Header h{rd64(d + 24), rd64(d + 32), rd64(d + 40), rd64(d + 48)};
  if (h.meta_offset != kHeaderSize) header_fail("meta_offset", "expected 64, got " + std::to_string(h.meta_offset));
  if (!fits(h.meta_offset, h.meta_size, size)) header_fail("meta_size", "meta section extends past the end of the file");
  if (h.blob_offset % 64 != 0) header_fail("blob_offset", "not a multiple of 64");
  if (h.blob_offset < h.meta_offset + h.meta_size) header_fail("blob_offset", "blob overlaps the meta section");
  if (!fits(h.blob_offset, h.blob_size, size) || h.blob_offset + h.blob_size != size)
    header_fail("blob_size", "blob_offset + blob_size must equal file_size");
  if (crc32(0, d + kHeaderSize, size - kHeaderSize) != rd32(d + 56))
    header_fail("data_crc32", "checksum mismatch (file corrupted)");
  return h;
}

void read_tensors(ByteReader& r, ModelData& m, uint64_t blob_size) {
  uint32_t n = r.u32("n_tensors");
  if (n > kMaxTensors) r.fail("n_tensors", std::to_string(n) + " exceeds the limit 1000000");
  r.require_items(n, 4 + 3 + 16, "n_tensors");
  m.tensors.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    TensorDesc& t = m.tensors[i];
    t.name = r.str("tensor.name");
    const std::string where = "tensor " + std::to_string(i) + " '" + t.name + "'";
    if (r.u8("tensor.dtype") != 1) r.fail("tensor.dtype", where + ": only dtype 1 (float32) is supported");
    t.kind = r.u8("tensor.kind");
    if (t.kind > 1) r.fail("tensor.kind", where + ": kind must be 0 (activation) or 1 (constant)");
    uint8_t rank = r.u8("tensor.rank");
    if (rank > kMaxRank) r.fail("tensor.rank", where + ": rank " + std::to_string(rank) + " > 8");
    int64_t count = 1;
    for (uint8_t k = 0; k < rank; ++k) {
      int64_t dim = r.i64("tensor.dims");
      if (dim < 1 || dim > kMaxElements) r.fail("tensor.dims", where + ": dim " + std::to_string(dim) + " out of range");
      count *= dim;  // both factors <= 2^31: no overflow
      if (count > kMaxElements) r.fail("tensor.dims", where + ": more than 2^31 elements");
      t.shape.push_back(dim);
    }
    t.offset = r.u64("tensor.offset");
    t.nbytes = r.u64("tensor.nbytes");
    if (t.nbytes != uint64_t(count) * 4)
      r.fail("tensor.nbytes", where + ": " + std::to_string(t.nbytes) + " != 4 x " + std::to_string(count) + " elements");
    if (t.offset % 64 != 0) r.fail("tensor.offset", where + ": offset not 64-byte aligned");
    uint64_t limit = t.kind == 0 ? m.arena_size : blob_size;
    if (!fits(t.offset, t.nbytes, limit))
      r.fail("tensor.offset", where + ": [" + std::to_string(t.offset) + ", +" + std::to_string(t.nbytes) +
                                  ") lies outside the " + (t.kind == 0 ? "arena" : "blob") + " of " +
                                  std::to_string(limit) + " bytes");
  }
}

std::vector<uint32_t> read_ids(ByteReader& r, const char* field, const ModelData& m) {
  uint32_t n = r.u32(field);
  r.require_items(n, 4, field);
  std::vector<uint32_t> ids(n);
  for (auto& id : ids) {
    id = r.u32(field);
    if (id >= m.tensors.size()) r.fail(field, "tensor id " + std::to_string(id) + " out of range");
  }
  return ids;
}

AttrValue read_attr_value(ByteReader& r) {
  AttrValue v;
  uint8_t type = r.u8("attr.type");
  if (type < 1 || type > 3) r.fail("attr.type", "unknown attribute type " + std::to_string(type));
  v.type = static_cast<AttrType>(type);
  if (v.type == AttrType::String) {
    v.str = r.str("attr.value");
    return v;
  }
  uint32_t count = r.u32("attr.count");
  if (count > kMaxAttrCount) r.fail("attr.count", std::to_string(count) + " exceeds 2^24");
  if (v.type == AttrType::Ints) {
    r.require_items(count, 8, "attr.count");
    v.ints.resize(count);
    for (auto& x : v.ints) x = r.i64("attr.ints");
  } else {
    r.require_items(count, 4, "attr.count");
    v.floats.resize(count);
    for (auto& x : v.floats) x = r.f32("attr.floats");
  }
  return v;
}

void read_node(ByteReader& r, ModelData& m, NodeDesc& node) {
  node.name = r.str("node.name");
  node.op = r.str("node.op");
  node.kernel = r.str("node.kernel");
  for (int pass = 0; pass < 2; ++pass) {
    const char* field = pass == 0 ? "node.n_in" : "node.n_out";
    uint32_t n = r.u32(field);
    r.require_items(n, 4, field);
    auto& ids = pass == 0 ? node.inputs : node.outputs;
    ids.resize(n);
    for (auto& id : ids) {
      id = r.u32(pass == 0 ? "node.inputs" : "node.outputs");
      bool absent_ok = pass == 0 && id == kAbsent;
      if (!absent_ok && id >= m.tensors.size())
        r.fail(field, "node '" + node.name + "': tensor id " + std::to_string(id) + " out of range");
    }
  }
  uint32_t n_attrs = r.u32("node.n_attrs");
  r.require_items(n_attrs, 4 + 1 + 4, "node.n_attrs");
  for (uint32_t a = 0; a < n_attrs; ++a) {
    std::string key = r.str("attr.key");
    node.attrs.emplace_back(std::move(key), read_attr_value(r));
  }
}

}  // namespace

void check_graph(ModelData& m);  // model_graph_check.cc

std::unique_ptr<ModelData> load_model(AlignedBuffer file) {
  const uint8_t* d = file.data();
  Header h = check_header(d, file.size());
  auto m = std::make_unique<ModelData>();
  m->blob_offset = h.blob_offset;

  ByteReader r(d + h.meta_offset, size_t(h.meta_size), "model meta");
  m->target = r.str("target");
  if (!target_supported(m->target))
    r.fail("target", "model was compiled for target '" + m->target + "', which this runtime was not built for");
  m->producer = r.str("producer");
  m->arena_size = r.u64("arena_size");
  if (m->arena_size % 64 != 0) r.fail("arena_size", "not a multiple of 64");
  read_tensors(r, *m, h.blob_size);
  uint64_t all_slots = 0;  // every activation in its own slot: no valid plan needs more
  for (const TensorDesc& t : m->tensors)
    if (t.kind == 0) all_slots += (t.nbytes + 63) / 64 * 64;  // <= 1e6 x 2^33: no overflow
  if (m->arena_size > all_slots)
    r.fail("arena_size", std::to_string(m->arena_size) + " exceeds the " + std::to_string(all_slots) +
                             " bytes of all activations placed side by side");
  m->input_ids = read_ids(r, "n_inputs", *m);
  m->output_ids = read_ids(r, "n_outputs", *m);
  uint32_t n_nodes = r.u32("n_nodes");
  if (n_nodes > kMaxNodes) r.fail("n_nodes", std::to_string(n_nodes) + " exceeds the limit 1000000");
  r.require_items(n_nodes, 3 * 4 + 3 * 4, "n_nodes");
  m->nodes.resize(n_nodes);
  for (auto& node : m->nodes) read_node(r, *m, node);
  if (r.remaining() != 0)
    r.fail("meta section", std::to_string(r.remaining()) + " trailing bytes after the last node");

  m->file = std::move(file);
  check_graph(*m);
  return m;
}

bool target_supported(const std::string& target) {
  if (target == "host" || target == "generic" || target == "scalar") return true;
  auto starts = [&](const char* p) { return target.rfind(p, 0) == 0; };
#if defined(__x86_64__) || defined(_M_X64)
  return starts("x86_64") || starts("x86-64");
#elif defined(__aarch64__)
  return starts("arm64") || starts("aarch64");
#elif defined(__wasm32__)
  return starts("wasm32");
#else
  (void)starts;
  return false;
#endif
}

}  // namespace sparsecc::detail
