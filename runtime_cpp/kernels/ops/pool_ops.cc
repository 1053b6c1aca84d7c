// Op binding of the pooling family (kernel name "pool", docs/kernels.md section
// "pool"): MaxPool and AveragePool on 4-D NCHW input with any kernel_shape,
// strides, pads (each smaller than the window), MaxPool dilations, ceil_mode
// and count_include_pad -- the attributes, defaults and output-size rule of the
// reference kernel (kernels/reference/f32-pool-ref-scalar.cc), checked again here.
//
// Work item = one output row of one plane (N*C*OH items over the thread pool):
// the op lists the window's valid input rows and calls the row micro-kernel
// (ukernel::PoolFn), which reduces them into a padded row buffer in per-thread
// scratch and then reduces along the width. Average pooling's 1/count factors
// out into rows x columns (both counts are products of a row and a column
// term, for count_include_pad 0 and 1), so the column factors are computed once
// here and the row factor per output row.
#include <algorithm>
#include <string>
#include <vector>

#include "../../src/op_registry.h"
#include "../reference/pool_output_size.h"
#include "../dispatch.h"

namespace sparsecc::detail {
namespace {

// One spatial axis: input size, kernel, stride, dilation, pads, output size.
struct Axis {
  int64_t in, k, s, d, p0, p1, out;
  int64_t k_eff() const { return d * (k - 1) + 1; }
  int64_t start(int64_t o) const { return o * s - p0; }
  // window positions inside [0, in) (avg: d == 1) and inside the padded extent [-p0, in + p1)
  int64_t valid(int64_t o) const {
    const int64_t a = start(o), b = std::min(a + k, in);
    return std::max<int64_t>(0, b - std::max<int64_t>(a, 0));
  }
  int64_t padded(int64_t o) const { return std::min(start(o) + k, in + p1) - start(o); }
};

template <ukernel::PoolOp OP>
Prepared prepare_pool(PrepareContext& ctx) {
  constexpr bool kMax = OP == ukernel::PoolOp::max;
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.size() != 4) fail("kernel pool needs a 4-D NCHW input, got ", shape_str(x));
  const Attrs& a = *ctx.attrs;
  const auto k = a.get_ints_n("kernel_shape", 2), s = a.get_ints_n("strides", 2, 1);
  const auto p = a.get_ints_n("pads", 4, 0);
  const auto d = kMax ? a.get_ints_n("dilations", 2, 1) : std::vector<int64_t>{1, 1};
  const int64_t cm = a.get_int("ceil_mode", 0), cip = kMax ? 0 : a.get_int("count_include_pad", 0);
  a.check_all_used();
  if (cm != 0 && cm != 1) fail("ceil_mode must be 0 or 1, got ", cm);
  if (cip != 0 && cip != 1) fail("count_include_pad must be 0 or 1, got ", cip);
  const int64_t kLim = int64_t(1) << 31;  // keeps every size formula far from int64 overflow
  for (size_t i = 0; i < 2; ++i)
    if (k[i] < 1 || s[i] < 1 || d[i] < 1 || k[i] > kLim || s[i] > kLim || d[i] > kLim)
      fail("kernel_shape, strides and dilations must be in [1, 2^31], got ", shape_str(k), ", ", shape_str(s), ", ",
           shape_str(d));
  Axis ah{x[2], k[0], s[0], d[0], p[0], p[2], 0}, aw{x[3], k[1], s[1], d[1], p[1], p[3], 0};
  for (Axis* ax : {&ah, &aw}) {
    if (ax->p0 < 0 || ax->p1 < 0 || ax->p0 >= ax->k_eff() || ax->p1 >= ax->k_eff())
      fail("pads ", shape_str(p), " must be >= 0 and smaller than the kernel");
    ax->out = pool_out(ax->in, ax->p0, ax->p1, ax->k_eff(), ax->s, cm == 1);
  }
  const size_t OH = size_t(ah.out), OW = size_t(aw.out), H = size_t(ah.in), W = size_t(aw.in);
  const size_t planes = size_t(x[0] * x[1]);
  const ukernel::PoolRow row{W, OW, size_t(aw.k), size_t(aw.s), size_t(aw.d), size_t(aw.p0)};
  // 1/count per output column (avg): count = rows(oh) * cols(ow) in both modes
  std::vector<float> col_scale(kMax ? 0 : OW);
  for (size_t ow = 0; ow < col_scale.size(); ++ow) {
    const int64_t c = cip ? aw.padded(int64_t(ow)) : aw.valid(int64_t(ow));
    col_scale[ow] = c > 0 ? 1.0f / float(c) : 0.0f;
  }
  const kernels::KernelEntry* e = kernels::best("pool", "");
  if (!e) fail("no usable 'pool' micro-kernel in this runtime build");
  const ukernel::PoolFn fn = kernels::as<ukernel::PoolFn>(*e);
  const size_t buf_floats = (ukernel::pool_buf_floats(row) + 15) / 16 * 16;  // keeps the row list 64-byte aligned
  const size_t max_rows = size_t(ah.k);
  // about 8k element operations per chunk so a chunk outweighs the hand-out cost
  const size_t grain = std::max<size_t>(1, 8192 / (max_rows * W + size_t(aw.k) * OW + 1));
  Prepared out;
  out.out_shapes = {{x[0], x[1], ah.out, aw.out}};
  out.thread_scratch_bytes = buf_floats * sizeof(float) + max_rows * sizeof(const float*);
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    rc.parallel_for(
        planes * OH,
        [&](size_t begin, size_t end, size_t worker) {
          float* buf = rc.thread_scratch<float>(worker);
          const float** rows = reinterpret_cast<const float**>(buf + buf_floats);
          for (size_t item = begin; item < end; ++item) {
            const size_t pc = item / OH, oh = item % OH;
            const float* plane = X + pc * H * W;
            size_t nrows = 0;
            const int64_t h0 = ah.start(int64_t(oh));
            for (int64_t ky = 0; ky < ah.k; ++ky) {
              const int64_t h = h0 + ky * ah.d;
              if (h >= 0 && h < ah.in) rows[nrows++] = plane + size_t(h) * W;
            }
            float row_scale = 0.0f;
            if (!kMax) {
              const int64_t c = cip ? ah.padded(int64_t(oh)) : int64_t(nrows);
              row_scale = c > 0 ? 1.0f / float(c) : 0.0f;
            }
            fn(OP, rows, nrows, row, col_scale.data(), row_scale, buf, Y + pc * OH * OW + oh * OW);
          }
        },
        grain);
  };
  return out;
}

}  // namespace

void register_pool_ops(OpRegistry& r) {
  r.add("MaxPool", "pool", prepare_pool<ukernel::PoolOp::max>);
  r.add("AveragePool", "pool", prepare_pool<ukernel::PoolOp::avg>);
}

}  // namespace sparsecc::detail
