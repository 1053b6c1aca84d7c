// Scalar reference pooling: GlobalAveragePool, GlobalMaxPool (any spatial
// rank), AveragePool and MaxPool (2-D, pads, strides, dilations for MaxPool,
// ceil_mode with the ONNX "window starting in the end pad is dropped" rule,
// count_include_pad).
#include <limits>

#include "../../src/op_registry.h"
#include "pool_output_size.h"

namespace sparsecc::detail {
namespace {

template <bool MAX>
Prepared prepare_global_pool(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  ctx.attrs->check_all_used();
  const Shape& x = ctx.in(0);
  if (x.size() < 3) fail("X must have rank >= 3 ([N, C, spatial...]), got ", shape_str(x));
  Shape y(x.size(), 1);
  y[0] = x[0];
  y[1] = x[1];
  const int64_t planes = x[0] * x[1], size = numel(x) / planes;
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t p = 0; p < planes; ++p) {
      const float* X = in[0] + p * size;
      if (MAX) {
        float m = X[0];
        for (int64_t i = 1; i < size; ++i) m = X[i] > m ? X[i] : m;
        o[0][p] = m;
      } else {
        double s = 0.0;
        for (int64_t i = 0; i < size; ++i) s += X[i];
        o[0][p] = float(s / double(size));
      }
    }
  };
  return out;
}

struct Pool2d {
  int64_t kh, kw, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool ceil_mode = false;
};

Pool2d read_pool(PrepareContext& ctx, bool max_pool) {
  const Attrs& a = *ctx.attrs;
  Pool2d p{};
  auto k = a.get_ints_n("kernel_shape", 2);
  auto s = a.get_ints_n("strides", 2, 1);
  auto pads = a.get_ints_n("pads", 4, 0);
  p.kh = k[0], p.kw = k[1], p.sh = s[0], p.sw = s[1];
  p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
  if (max_pool) {
    auto d = a.get_ints_n("dilations", 2, 1);
    p.dh = d[0], p.dw = d[1];
  }
  const int64_t cm = a.get_int("ceil_mode", 0);
  if (cm != 0 && cm != 1) fail("ceil_mode must be 0 or 1, got ", cm);
  p.ceil_mode = cm == 1;
  const int64_t kMax = int64_t(1) << 31;  // keeps every size formula far from int64 overflow
  if (p.kh < 1 || p.kw < 1 || p.kh > kMax || p.kw > kMax) fail("kernel_shape must be in [1, 2^31], got ", shape_str(k));
  if (p.sh < 1 || p.sw < 1 || p.sh > kMax || p.sw > kMax) fail("strides must be in [1, 2^31], got ", shape_str(s));
  if (p.dh < 1 || p.dw < 1 || p.dh > kMax || p.dw > kMax) fail("dilations must be in [1, 2^31]");
  const int64_t keh = p.dh * (p.kh - 1) + 1, kew = p.dw * (p.kw - 1) + 1;
  if (pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0 || p.pt >= keh || p.pb >= keh || p.pl >= kew ||
      p.pr >= kew)
    fail("pads ", shape_str(pads), " must be >= 0 and smaller than the kernel");
  return p;
}

Prepared prepare_average_pool(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.size() != 4) fail("X must have rank 4, got ", shape_str(x));
  Pool2d p = read_pool(ctx, false);
  const int64_t cip = ctx.attrs->get_int("count_include_pad", 0);
  if (cip != 0 && cip != 1) fail("count_include_pad must be 0 or 1, got ", cip);
  const int64_t H = x[2], W = x[3];
  const int64_t OH = pool_out(H, p.pt, p.pb, p.kh, p.sh, p.ceil_mode);
  const int64_t OW = pool_out(W, p.pl, p.pr, p.kw, p.sw, p.ceil_mode);
  const int64_t planes = x[0] * x[1];
  Prepared out;
  out.out_shapes = {{x[0], x[1], OH, OW}};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t c = 0; c < planes; ++c) {
      const float* X = in[0] + c * H * W;
      float* Y = o[0] + c * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t h0 = oh * p.sh - p.pt, w0 = ow * p.sw - p.pl;
          int64_t h1 = std::min(h0 + p.kh, H + p.pb), w1 = std::min(w0 + p.kw, W + p.pr);
          const int64_t padded_count = (h1 - h0) * (w1 - w0);
          h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
          h1 = std::min(h1, H), w1 = std::min(w1, W);
          float sum = 0.0f;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) sum += X[h * W + w];
          const int64_t count = cip ? padded_count : (h1 - h0) * (w1 - w0);
          Y[oh * OW + ow] = count > 0 ? sum / float(count) : 0.0f;
        }
    }
  };
  return out;
}

Prepared prepare_max_pool(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.size() != 4) fail("X must have rank 4, got ", shape_str(x));
  Pool2d p = read_pool(ctx, true);
  const int64_t H = x[2], W = x[3];
  const int64_t OH = pool_out(H, p.pt, p.pb, p.dh * (p.kh - 1) + 1, p.sh, p.ceil_mode);
  const int64_t OW = pool_out(W, p.pl, p.pr, p.dw * (p.kw - 1) + 1, p.sw, p.ceil_mode);
  const int64_t planes = x[0] * x[1];
  Prepared out;
  out.out_shapes = {{x[0], x[1], OH, OW}};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t c = 0; c < planes; ++c) {
      const float* X = in[0] + c * H * W;
      float* Y = o[0] + c * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          float m = std::numeric_limits<float>::lowest();
          for (int64_t ky = 0; ky < p.kh; ++ky) {
            const int64_t h = oh * p.sh - p.pt + ky * p.dh;
            if (h < 0 || h >= H) continue;
            for (int64_t kx = 0; kx < p.kw; ++kx) {
              const int64_t w = ow * p.sw - p.pl + kx * p.dw;
              if (w < 0 || w >= W) continue;
              m = X[h * W + w] > m ? X[h * W + w] : m;
            }
          }
          Y[oh * OW + ow] = m;
        }
    }
  };
  return out;
}

}  // namespace

void register_pool_ref(OpRegistry& r) {
  r.add("GlobalAveragePool", "ref", prepare_global_pool<false>);
  r.add("GlobalMaxPool", "ref", prepare_global_pool<true>);
  r.add("AveragePool", "ref", prepare_average_pool);
  r.add("MaxPool", "ref", prepare_max_pool);
}

}  // namespace sparsecc::detail
