// Runs one operator through the whole runtime path (ModelBuilder bytes ->
// Model::load_bytes -> Session::run) for the kernel tests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model_builder.h"

namespace scctest {

struct In {
  std::vector<int64_t> shape;
  std::vector<float> data;
  bool constant = false;
  bool absent = false;
};

inline In absent_input() { return In{{}, {}, false, true}; }
inline In constant(std::vector<int64_t> shape, std::vector<float> data) { return In{shape, data, true, false}; }

std::vector<float> ramp(size_t n, float start = 0.0f, float step = 1.0f);

// Builds a one-node model with the given inputs (graph inputs or constants),
// attributes and declared output shapes, runs it, and returns the outputs.
std::vector<std::vector<float>> run_op(const std::string& op, const std::vector<In>& inputs,
                                       const std::vector<std::vector<int64_t>>& out_shapes,
                                       const std::function<void(NodeRec&)>& set_attrs = {});

// Same model, but only loaded: returns the loader's error message ("" if it loads).
std::string load_error(const std::string& op, const std::vector<In>& inputs,
                       const std::vector<std::vector<int64_t>>& out_shapes,
                       const std::function<void(NodeRec&)>& set_attrs = {});

}  // namespace scctest
