// The permutation of a Transpose node (attribute "perm", default: reversed
// dims), validated -- shared by the reference and the fast "transpose" kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "../../src/op_registry.h"

namespace sparsecc::detail {

inline std::vector<int64_t> transpose_perm(const Attrs& attrs, const Shape& x) {
  const size_t rank = x.size();
  std::vector<int64_t> dflt(rank);
  for (size_t i = 0; i < rank; ++i) dflt[i] = int64_t(rank - 1 - i);
  std::vector<int64_t> perm = attrs.get_ints("perm", dflt);
  if (perm.size() != rank) fail("perm ", shape_str(perm), " must have ", rank, " entries for input ", shape_str(x));
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(rank) || seen[size_t(p)]) fail("perm ", shape_str(perm), " is not a permutation");
    seen[size_t(p)] = true;
  }
  return perm;
}

}  // namespace sparsecc::detail
