// The parsed, validated contents of a model file (internal to the runtime).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aligned_buffer.h"
#include "kernel_api.h"
#include "sparsecc/runtime.h"

namespace sparsecc::detail {

constexpr uint32_t kAbsent = 0xFFFFFFFFu;

struct TensorDesc {
  std::string name;
  uint8_t kind = 0;  // 0 = activation (arena), 1 = constant (blob)
  Shape shape;
  uint64_t offset = 0;
  uint64_t nbytes = 0;
};

struct NodeDesc {
  std::string name, op, kernel;
  std::vector<uint32_t> inputs;   // kAbsent for an absent optional input
  std::vector<uint32_t> outputs;
  std::vector<std::pair<std::string, AttrValue>> attrs;
  KernelFn run;                   // bound at load time, stateless
  size_t scratch_bytes = 0;       // from its Prepared: shared and per-thread scratch
  size_t thread_scratch_bytes = 0;
};

struct ModelData {
  AlignedBuffer file;             // the whole file, 64-byte aligned
  std::string target, producer;
  uint64_t arena_size = 0;
  uint64_t blob_offset = 0;
  std::vector<TensorDesc> tensors;
  std::vector<uint32_t> input_ids, output_ids;
  std::vector<NodeDesc> nodes;
  size_t max_scratch_bytes = 0;         // max over nodes: what a Session allocates
  size_t max_thread_scratch_bytes = 0;  // (the per-thread part times its thread count)
  // public views
  std::vector<TensorInfo> input_info, output_info;
  std::vector<NodeInfo> node_info;

  const float* constant_data(uint32_t id) const {
    return reinterpret_cast<const float*>(file.data() + blob_offset + tensors[id].offset);
  }
};

// Parses and validates `data` (which must hold the whole file). Throws Error.
std::unique_ptr<ModelData> load_model(AlignedBuffer data);

// True when this runtime build can run models compiled for `target`.
bool target_supported(const std::string& target);

}  // namespace sparsecc::detail
