// Shared fixture of the loader tests: a small valid model and load helpers.
#pragma once

#include <memory>
#include <vector>

#include "model_builder.h"
#include "sparsecc/runtime.h"

namespace scctest {


// x[1,2,5,5] -> Conv(3x3, pad 1, bias, relu) -> y[1,3,5,5] -> Add(y, c[3,1,1]) -> z; outputs z, c, x.
inline ModelBuilder valid_builder() {
  ModelBuilder b;
  uint32_t x = b.activation("x", {1, 2, 5, 5});
  uint32_t w = b.constant("w", {3, 2, 3, 3}, std::vector<float>(54, 0.5f));
  uint32_t bias = b.constant("b", {3}, {1.0f, -2.0f, 3.0f});
  uint32_t c = b.constant("c", {3, 1, 1}, {0.25f, 0.5f, 0.75f});
  uint32_t y = b.activation("y", {1, 3, 5, 5});
  uint32_t z = b.activation("z", {1, 3, 5, 5});
  b.node("conv", "Conv", {x, w, bias}, {y}).ints("pads", {1, 1, 1, 1}).s("activation", "relu");
  b.node("add", "Add", {y, c}, {z});
  b.input(x);
  b.output(z);
  b.output(c);
  b.output(x);
  return b;
}

inline std::shared_ptr<const sparsecc::Model> load(const std::vector<uint8_t>& f) {
  return sparsecc::Model::load_bytes(f.data(), f.size());
}

inline bool rejects(const std::vector<uint8_t>& f) {
  try {
    load(f);
  } catch (const sparsecc::Error&) {
    return true;
  }
  return false;
}

// byte offset of the u32 n_tensors field in the meta section of valid_builder()'s file
inline size_t n_tensors_at(const ModelBuilder& b) { return 64 + 4 + b.target.size() + 4 + b.producer.size() + 8; }


}  // namespace scctest
