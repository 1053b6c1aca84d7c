// The runtime's kernel table: built once, read-only afterwards (thread-safe).
#include "op_registry.h"

namespace sparsecc::detail {

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_conv_ref(r);
    register_gemm_ref(r);
    register_elementwise_ref(r);
    register_pool_ref(r);
    register_reduce_ref(r);
    register_normalization_ref(r);
    register_shape_ref(r);
    register_resize_ref(r);
    register_pad_ref(r);
#ifdef SCC_HAVE_GEMM_OPS
    register_gemm_ops(r);
#endif
#ifdef SCC_HAVE_PGEMM_OPS
    register_pgemm_ops(r);
#endif
#ifdef SCC_HAVE_DWCONV_OPS
    register_dwconv_ops(r);
#endif
#ifdef SCC_HAVE_VECTOR_OPS
    register_vector_ops(r);
#endif
#ifdef SCC_HAVE_POOL_OPS
    register_pool_ops(r);
#endif
#ifdef SCC_HAVE_NORM_OPS
    register_norm_ops(r);
#endif
#ifdef SCC_HAVE_LAYOUT_OPS
    register_layout_ops(r);
#endif
#ifdef SCC_HAVE_SPMM_OPS
    register_spmm_ops(r);
#endif
#ifdef SCC_HAVE_SPMV_OPS
    register_spmv_ops(r);
#endif
    return r;
  }();
  return registry;
}

void OpRegistry::add(const std::string& op, const std::string& kernel, PrepareFn fn) {
  table_[{op, kernel}] = fn;
}

PrepareFn OpRegistry::find(const std::string& op, const std::string& kernel) const {
  auto it = table_.find({op, kernel});
  return it == table_.end() ? nullptr : it->second;
}

bool OpRegistry::has_op(const std::string& op) const {
  for (const auto& kv : table_)
    if (kv.first.first == op) return true;
  return false;
}

std::vector<std::pair<std::string, std::string>> OpRegistry::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : table_) out.push_back(kv.first);
  return out;
}

}  // namespace sparsecc::detail
