// Runs one node with a chosen kernel name and thread count, so a fast kernel
// can be compared with the reference kernel ("ref") on the same node. Inputs
// as in op_runner.h (graph inputs or constants); header-only test helper.
#pragma once

#include <string>
#include <vector>

#include "model_builder.h"
#include "op_runner.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"  // SCC_TEST_EXCEPTIONS, kNeedsExceptions

namespace scctest {

inline std::vector<float> run_with_kernel(const std::string& op, const std::string& kernel,
                                          const std::vector<In>& inputs, const std::vector<int64_t>& out_shape,
                                          const std::function<void(NodeRec&)>& set_attrs = {}, int threads = 1) {
  ModelBuilder b;
  std::vector<uint32_t> ids;
  std::vector<const float*> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const In& in = inputs[i];
    const std::string name = "in" + std::to_string(i);
    if (in.absent) {
      ids.push_back(kAbsentId);
    } else if (in.constant) {
      ids.push_back(b.constant(name, in.shape, in.data));
    } else {
      ids.push_back(b.activation(name, in.shape));
      b.input(ids.back());
      feeds.push_back(in.data.data());
    }
  }
  const uint32_t out_id = b.activation("out", out_shape);
  b.output(out_id);
  NodeRec& n = b.node("node_" + op, op, ids, {out_id});
  n.kernel = kernel;
  if (set_attrs) set_attrs(n);
  const std::vector<uint8_t> bytes = b.build();
  auto model = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  sparsecc::SessionOptions opts;
  opts.num_threads = threads;
  sparsecc::Session session(model, opts);
  std::vector<float> out(size_t(sparsecc::num_elements(out_shape)), -12345.0f);
  std::vector<float*> outs = {out.data()};
  session.run(feeds, outs);
  return out;
}

// The loader's error for that node ("" if it loads).
inline std::string kernel_load_error(const std::string& op, const std::string& kernel, const std::vector<In>& inputs,
                                     const std::vector<int64_t>& out_shape,
                                     const std::function<void(NodeRec&)>& set_attrs = {}) {
#if SCC_TEST_EXCEPTIONS
  try {
    run_with_kernel(op, kernel, inputs, out_shape, set_attrs);
  } catch (const sparsecc::Error& e) {
    return e.what();
  }
  return "";
#else
  (void)op, (void)kernel, (void)inputs, (void)out_shape, (void)set_attrs;
  return kNeedsExceptions;  // loading would end the program (see test_harness.h)
#endif
}

}  // namespace scctest
