// (op name, kernel name) -> prepare function. Every kernel family registers its
// ops from one function listed in op_registry.cc (explicit calls, no static
// initialisers, so nothing is dropped when linking the static library).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kernel_api.h"

namespace sparsecc::detail {

class OpRegistry {
 public:
  static const OpRegistry& instance();

  void add(const std::string& op, const std::string& kernel, PrepareFn fn);
  // nullptr if unknown.
  PrepareFn find(const std::string& op, const std::string& kernel) const;
  bool has_op(const std::string& op) const;
  std::vector<std::pair<std::string, std::string>> list() const;

 private:
  std::map<std::pair<std::string, std::string>, PrepareFn> table_;
};

// One registration function per kernel family (runtime_cpp/kernels/reference/).
void register_conv_ref(OpRegistry& r);
void register_gemm_ref(OpRegistry& r);
void register_elementwise_ref(OpRegistry& r);
void register_pool_ref(OpRegistry& r);
void register_reduce_ref(OpRegistry& r);
void register_normalization_ref(OpRegistry& r);
void register_shape_ref(OpRegistry& r);
void register_resize_ref(OpRegistry& r);
void register_pad_ref(OpRegistry& r);

// Fast-kernel op bindings (runtime_cpp/kernels/ops/<name>_ops.cc), registered
// when CMake found the file (SCC_HAVE_<NAME>_OPS). Kernel names: docs/kernels.md.
void register_gemm_ops(OpRegistry& r);
void register_pgemm_ops(OpRegistry& r);
void register_dwconv_ops(OpRegistry& r);
void register_vector_ops(OpRegistry& r);
void register_pool_ops(OpRegistry& r);
void register_norm_ops(OpRegistry& r);
void register_layout_ops(OpRegistry& r);
void register_spmm_ops(OpRegistry& r);
void register_spmv_ops(OpRegistry& r);

}  // namespace sparsecc::detail
