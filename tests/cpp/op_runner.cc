#include "op_runner.h"

#include "sparsecc/runtime.h"
#include "test_harness.h"  // SCC_TEST_EXCEPTIONS, kNeedsExceptions

namespace scctest {

std::vector<float> ramp(size_t n, float start, float step) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * float(i);
  return v;
}

static std::vector<uint8_t> build_op(const std::string& op, const std::vector<In>& inputs,
                                     const std::vector<std::vector<int64_t>>& out_shapes,
                                     const std::function<void(NodeRec&)>& set_attrs) {
  ModelBuilder b;
  std::vector<uint32_t> in_ids, out_ids;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const In& in = inputs[i];
    const std::string name = "in" + std::to_string(i);
    if (in.absent) {
      in_ids.push_back(kAbsentId);
    } else if (in.constant) {
      in_ids.push_back(b.constant(name, in.shape, in.data));
    } else {
      in_ids.push_back(b.activation(name, in.shape));
      b.input(in_ids.back());
    }
  }
  for (size_t i = 0; i < out_shapes.size(); ++i) {
    out_ids.push_back(b.activation("out" + std::to_string(i), out_shapes[i]));
    b.output(out_ids.back());
  }
  NodeRec& n = b.node("node_" + op, op, in_ids, out_ids);
  if (set_attrs) set_attrs(n);
  return b.build();
}

std::vector<std::vector<float>> run_op(const std::string& op, const std::vector<In>& inputs,
                                       const std::vector<std::vector<int64_t>>& out_shapes,
                                       const std::function<void(NodeRec&)>& set_attrs) {
  std::vector<uint8_t> bytes = build_op(op, inputs, out_shapes, set_attrs);
  auto model = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  sparsecc::Session session(model);
  std::vector<const float*> in_ptrs;
  for (const In& in : inputs)
    if (!in.absent && !in.constant) in_ptrs.push_back(in.data.data());
  std::vector<std::vector<float>> outs;
  std::vector<float*> out_ptrs;
  for (const auto& s : out_shapes) outs.emplace_back(size_t(sparsecc::num_elements(s)), -12345.0f);
  for (auto& o : outs) out_ptrs.push_back(o.data());
  session.run(in_ptrs, out_ptrs);
  return outs;
}

std::string load_error(const std::string& op, const std::vector<In>& inputs,
                       const std::vector<std::vector<int64_t>>& out_shapes,
                       const std::function<void(NodeRec&)>& set_attrs) {
  std::vector<uint8_t> bytes = build_op(op, inputs, out_shapes, set_attrs);
#if SCC_TEST_EXCEPTIONS
  try {
    sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  } catch (const sparsecc::Error& e) {
    return e.what();
  }
  return "";
#else
  return kNeedsExceptions;  // loading would end the program (see test_harness.h)
#endif
}

}  // namespace scctest
