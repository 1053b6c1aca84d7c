// Output size of a pooling window along one axis, shared by the reference
// pooling kernels and the fast "pool" binding so both accept and shape exactly
// the same nodes.
#pragma once

#include <cstdint>

#include "../../src/op_registry.h"

namespace sparsecc::detail {

// ONNX output size with the ceil_mode rule (a window starting in the end pad is
// dropped); k_eff is the dilated kernel extent. Fails when the window does not fit.
inline int64_t pool_out(int64_t in, int64_t p0, int64_t p1, int64_t k_eff, int64_t s, bool ceil_mode) {
  const int64_t span = in + p0 + p1 - k_eff;
  if (span < 0) fail("pooling window ", k_eff, " is larger than the padded input ", in + p0 + p1);
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p0) --out;
  return out;
}

}  // namespace sparsecc::detail
