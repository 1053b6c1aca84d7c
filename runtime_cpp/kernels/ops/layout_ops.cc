// Op bindings of the layout family: Transpose (kernel name "transpose",
// docs/kernels.md section "layout"). Portable C++, no micro-kernel: the work is
// data movement, so what matters is reading and writing in long runs.
//
// At prepare time the permutation is simplified: size-1 dims are dropped and
// input dims that stay adjacent and in order are merged (attention's
// [1, S, H, D] -> [1, H, S, D] becomes a 3-D [S, H, D] -> [H, S, D] with runs
// of D floats). Then either
//  - the innermost dim is unmoved: the output is a sequence of memcpy'd runs;
//  - otherwise the two innermost output dims are transposed in 16 x 16 blocks
//    (both the reads and the writes stay within a few cache lines per block).
// Outer dims are walked with an odometer; work is split over them.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../../src/op_registry.h"
#include "../reference/transpose_perm.h"

namespace sparsecc::detail {
namespace {

struct Plan {
  std::vector<size_t> dims;    // output dims after simplification (outer..inner)
  std::vector<size_t> stride;  // input element stride of each output dim
};

Plan simplify(const Shape& x, const std::vector<int64_t>& perm) {
  const size_t rank = x.size();
  std::vector<size_t> in_stride(rank, 1);
  for (size_t d = rank; d-- > 1;) in_stride[d - 1] = in_stride[d] * size_t(x[d]);
  Plan p;
  for (size_t i = 0; i < rank; ++i) {
    const size_t src = size_t(perm[i]), dim = size_t(x[src]);
    if (dim == 1) continue;
    // merge with the previous kept output dim when it is the input dim right before src
    if (!p.dims.empty() && p.stride.back() == in_stride[src] * dim) {
      p.dims.back() *= dim;
      p.stride.back() = in_stride[src];
      continue;
    }
    p.dims.push_back(dim);
    p.stride.push_back(in_stride[src]);
  }
  if (p.dims.empty()) p.dims = {1}, p.stride = {1};
  return p;
}

// Input offset of the outer index `o` (dims [0, k) of the plan, row-major).
size_t outer_offset(const Plan& p, size_t k, size_t o) {
  size_t off = 0;
  for (size_t d = k; d-- > 0;) {
    off += (o % p.dims[d]) * p.stride[d];
    o /= p.dims[d];
  }
  return off;
}

Prepared prepare_transpose_fast(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  const size_t rank = x.size();
  const std::vector<int64_t> perm = transpose_perm(*ctx.attrs, x);
  Shape y(rank);
  for (size_t i = 0; i < rank; ++i) y[i] = x[size_t(perm[i])];
  const Plan p = simplify(x, perm);
  const size_t nd = p.dims.size(), n = size_t(numel(x));
  Prepared out;
  out.out_shapes = {y};
  if (p.stride.back() == 1) {  // innermost dim unmoved: runs of `run` floats
    const size_t run = p.dims.back(), runs = n / run;
    out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
      rc.parallel_for(runs, [&](size_t b, size_t e) {
        for (size_t r = b; r < e; ++r)
          std::memcpy(o[0] + r * run, in[0] + outer_offset(p, nd - 1, r), run * sizeof(float));
      }, std::max<size_t>(1, 4096 / run));
    };
    return out;
  }
  // innermost output dim strided in the input: 2-D blocked transpose of the last
  // two output dims (rows = dims[nd-2] or 1, cols = dims[nd-1])
  const size_t cols = p.dims[nd - 1], cstride = p.stride[nd - 1];
  const size_t rows = nd >= 2 ? p.dims[nd - 2] : 1, rstride = nd >= 2 ? p.stride[nd - 2] : 0;
  const size_t outer = n / (rows * cols), outer_dims = nd >= 2 ? nd - 2 : 0;
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    constexpr size_t B = 16;
    rc.parallel_for(outer, [&](size_t b, size_t e) {
      for (size_t t = b; t < e; ++t) {
        const float* src = in[0] + outer_offset(p, outer_dims, t);
        float* dst = o[0] + t * rows * cols;
        for (size_t r0 = 0; r0 < rows; r0 += B)
          for (size_t c0 = 0; c0 < cols; c0 += B) {
            const size_t r1 = std::min(rows, r0 + B), c1 = std::min(cols, c0 + B);
            for (size_t r = r0; r < r1; ++r)
              for (size_t c = c0; c < c1; ++c) dst[r * cols + c] = src[r * rstride + c * cstride];
          }
      }
    }, std::max<size_t>(1, 4096 / (rows * cols)));
  };
  return out;
}

}  // namespace

void register_layout_ops(OpRegistry& r) { r.add("Transpose", "transpose", prepare_transpose_fast); }

}  // namespace sparsecc::detail
