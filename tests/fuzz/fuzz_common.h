// Shared by the libFuzzer targets: CRC patching (so mutations reach the meta
// section and graph checks instead of stopping at the checksum), the size/work
// bounds that keep one input fast, and "run on zero inputs".
//
// Bounds: a model is only *run* when its arena is <= 64 MiB, it has <= 10,000
// nodes and its estimated work (multiply-adds, see estimated_work) is <= 2e8.
// Larger models are still loaded and validated; they are legitimate files whose
// cost is not a memory-safety question (docs/security.md, "not guaranteed").
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "crc32.h"       // runtime_cpp/src
#include "model_data.h"  // runtime_cpp/src: the parsed tables, for the work estimate
#include "sparsecc/runtime.h"

namespace sccfuzz {

constexpr uint64_t kMaxArenaBytes = uint64_t(64) << 20;
constexpr size_t kMaxNodes = 10000;
constexpr double kMaxWork = 2e8;

inline void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

// A copy of the input with file_size, data crc and header crc made consistent
// (empty if the input is shorter than the 64-byte header).
inline std::vector<uint8_t> with_valid_crcs(const uint8_t* data, size_t size) {
  if (size < 64) return {};
  std::vector<uint8_t> f(data, data + size);
  put64(f.data() + 16, uint64_t(size));
  put32(f.data() + 56, sparsecc::detail::crc32(0, f.data() + 64, size - 64));
  put32(f.data() + 60, sparsecc::detail::crc32(0, f.data(), 60));
  return f;
}

// Upper estimate of the multiply-adds of one run: elementwise-like ops cost
// their input + output elements; Conv/ConvTranspose/MatMul/Gemm/pools multiply
// output (or input) elements by the reduction length, which attributes or
// weight shapes can make far larger than any tensor.
inline double estimated_work(const sparsecc::Model& model) {
  using namespace sparsecc::detail;
  const ModelData& m = model.data();
  auto elems = [&](uint32_t id) { return id == kAbsent ? 0.0 : double(numel(m.tensors[id].shape)); };
  auto shape = [&](const NodeDesc& n, size_t i) -> const Shape* {
    return i < n.inputs.size() && n.inputs[i] != kAbsent ? &m.tensors[n.inputs[i]].shape : nullptr;
  };
  double total = 0.0;
  for (const NodeDesc& n : m.nodes) {
    double in = 0.0, out = 0.0;
    for (uint32_t id : n.inputs) in += elems(id);
    for (uint32_t id : n.outputs) out += elems(id);
    double per_out = 1.0;
    const Shape* x = shape(n, 0);
    const Shape* w = shape(n, 1);
    if ((n.op == "Conv" || n.op == "ConvTranspose") && w && !w->empty() && (*w)[0] > 0) {
      const double per_row = double(numel(*w)) / double((*w)[0]);
      if (n.op == "Conv") per_out = per_row;
      else in += elems(n.inputs[0]) * per_row;  // each input element scatters a weight row
    } else if ((n.op == "MaxPool" || n.op == "AveragePool")) {
      for (const auto& kv : n.attrs)
        if (kv.first == "kernel_shape")
          for (int64_t k : kv.second.ints) per_out *= double(std::max<int64_t>(k, 1));
    } else if ((n.op == "MatMul" || n.op == "Gemm") && x) {
      for (int64_t d : *x) per_out = std::max(per_out, double(d));  // >= the reduction length
    } else if (n.op == "Resize") {
      per_out = 4.0;  // bilinear: 2x2 taps
    }
    total += in + out * per_out + 1.0;
  }
  return total;
}

inline bool small_enough(const sparsecc::Model& m) {
  return m.arena_bytes() <= kMaxArenaBytes && m.nodes().size() <= kMaxNodes && estimated_work(m) <= kMaxWork;
}

// Zero-filled buffers for every input and output of `m`.
struct IoBuffers {
  std::vector<std::vector<float>> in, out;
  std::vector<const float*> in_ptr;
  std::vector<float*> out_ptr;
  explicit IoBuffers(const sparsecc::Model& m) {
    for (const auto& t : m.inputs()) in.emplace_back(size_t(sparsecc::num_elements(t.shape)), 0.0f);
    for (const auto& t : m.outputs()) out.emplace_back(size_t(sparsecc::num_elements(t.shape)), 0.0f);
    for (auto& v : in) in_ptr.push_back(v.data());
    for (auto& v : out) out_ptr.push_back(v.data());
  }
};

}  // namespace sccfuzz
