// Scalar reference Conv and ConvTranspose (2-D, NCHW, groups, dilations,
// asymmetric pads, optional bias, fused epilogue activation). Direct loops,
// float accumulation; the ground truth the optimised kernels are tested against.
#include "../../src/op_registry.h"
#include "f32-activation-ref-scalar.h"

namespace sparsecc::detail {
namespace {

struct Conv2dParams {
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0, oph = 0, opw = 0, group = 1;
};

std::vector<int64_t> ints_of_len(const Attrs& a, const char* key, size_t n, int64_t dflt) {
  std::vector<int64_t> v = a.get_ints(key, std::vector<int64_t>(n, dflt));
  if (v.size() != n) fail("attribute '", key, "' must have ", n, " values, got ", v.size());
  return v;
}

Conv2dParams read_params(const Attrs& a, bool transpose) {
  Conv2dParams p;
  auto s = ints_of_len(a, "strides", 2, 1);
  auto d = ints_of_len(a, "dilations", 2, 1);
  auto pads = ints_of_len(a, "pads", 4, 0);
  p.sh = s[0], p.sw = s[1], p.dh = d[0], p.dw = d[1];
  p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
  if (transpose) {
    auto op = ints_of_len(a, "output_padding", 2, 0);
    p.oph = op[0], p.opw = op[1];
    if (p.oph < 0 || p.opw < 0) fail("output_padding must be >= 0, got [", p.oph, ", ", p.opw, "]");
  }
  p.group = a.get_int("group", 1);
  const int64_t kMax = int64_t(1) << 31;  // keeps every size formula far from int64 overflow
  if (p.sh < 1 || p.sw < 1 || p.sh > kMax || p.sw > kMax) fail("strides must be in [1, 2^31], got [", p.sh, ", ", p.sw, "]");
  if (p.dh < 1 || p.dw < 1 || p.dh > kMax || p.dw > kMax)
    fail("dilations must be in [1, 2^31], got [", p.dh, ", ", p.dw, "]");
  if (p.oph > kMax || p.opw > kMax) fail("output_padding too large");
  for (int64_t v : pads)
    if (v < 0 || v > (int64_t(1) << 31)) fail("pads must be in [0, 2^31], got ", shape_str(pads));
  if (p.group < 1) fail("group must be >= 1, got ", p.group);
  return p;
}

void check_rank4(const Shape& s, const char* what) {
  if (s.size() != 4) fail(what, " must have rank 4, got shape ", shape_str(s));
}

Prepared prepare_conv(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const bool has_b = ctx.optional_in(2) != nullptr;
  const Shape* b = ctx.optional_in(2);
  check_rank4(x, "X");
  check_rank4(w, "W");
  Conv2dParams p = read_params(*ctx.attrs, false);
  Activation act = parse_epilogue(*ctx.attrs);
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], M = w[0], kh = w[2], kw = w[3];
  if (C % p.group || M % p.group)
    fail("channels C=", C, " and M=", M, " must be divisible by group=", p.group);
  if (w[1] != C / p.group) fail("W ", shape_str(w), " must have C/group = ", C / p.group, " input channels");
  if (b && *b != Shape{M}) fail("bias B ", shape_str(*b), " must have shape [", M, "]");
  const int64_t OH = (H + p.pt + p.pb - p.dh * (kh - 1) - 1) / p.sh + 1;
  const int64_t OW = (W + p.pl + p.pr - p.dw * (kw - 1) - 1) / p.sw + 1;
  if (H + p.pt + p.pb - p.dh * (kh - 1) - 1 < 0 || W + p.pl + p.pr - p.dw * (kw - 1) - 1 < 0)
    fail("dilated kernel ", kh, "x", kw, " is larger than the padded input ", H, "x", W);
  Prepared out;
  out.out_shapes = {{N, M, OH, OW}};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *X = in[0], *Wt = in[1], *B = has_b ? in[2] : nullptr;
    float* Y = o[0];
    const int64_t Cg = C / p.group, Mg = M / p.group;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        const int64_t g = m / Mg;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            float acc = has_b ? B[m] : 0.0f;
            for (int64_t c = 0; c < Cg; ++c) {
              const float* xc = X + ((n * C + g * Cg + c) * H) * W;
              const float* wc = Wt + ((m * Cg + c) * kh) * kw;
              for (int64_t ky = 0; ky < kh; ++ky) {
                const int64_t ih = oh * p.sh - p.pt + ky * p.dh;
                if (ih < 0 || ih >= H) continue;
                for (int64_t kx = 0; kx < kw; ++kx) {
                  const int64_t iw = ow * p.sw - p.pl + kx * p.dw;
                  if (iw < 0 || iw >= W) continue;
                  acc += xc[ih * W + iw] * wc[ky * kw + kx];
                }
              }
            }
            Y[((n * M + m) * OH + oh) * OW + ow] = act(acc);
          }
      }
  };
  return out;
}

Prepared prepare_conv_transpose(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const bool has_b = ctx.optional_in(2) != nullptr;
  const Shape* b = ctx.optional_in(2);
  check_rank4(x, "X");
  check_rank4(w, "W");
  Conv2dParams p = read_params(*ctx.attrs, true);
  Activation act = parse_epilogue(*ctx.attrs);
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], kh = w[2], kw = w[3];
  if (w[0] != C) fail("W ", shape_str(w), " must have C = ", C, " rows (X has ", C, " channels)");
  if (C % p.group) fail("channels C=", C, " must be divisible by group=", p.group);
  const int64_t Mg = w[1], M = Mg * p.group;
  if (b && *b != Shape{M}) fail("bias B ", shape_str(*b), " must have shape [", M, "]");
  const int64_t OH = p.sh * (H - 1) + p.oph + p.dh * (kh - 1) + 1 - p.pt - p.pb;
  const int64_t OW = p.sw * (W - 1) + p.opw + p.dw * (kw - 1) + 1 - p.pl - p.pr;
  if (OH < 1 || OW < 1) fail("output size ", OH, "x", OW, " is empty (pads too large)");
  Prepared out;
  out.out_shapes = {{N, M, OH, OW}};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *X = in[0], *Wt = in[1], *B = has_b ? in[2] : nullptr;
    float* Y = o[0];
    const int64_t Cg = C / p.group, plane = OH * OW;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        float* y = Y + (n * M + m) * plane;
        const float bias = has_b ? B[m] : 0.0f;
        for (int64_t i = 0; i < plane; ++i) y[i] = bias;
      }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t g = 0; g < p.group; ++g)
        for (int64_t c = 0; c < Cg; ++c) {
          const int64_t ci = g * Cg + c;
          const float* xc = X + (n * C + ci) * H * W;
          for (int64_t mo = 0; mo < Mg; ++mo) {
            float* y = Y + (n * M + g * Mg + mo) * plane;
            const float* wk = Wt + ((ci * Mg + mo) * kh) * kw;
            for (int64_t ih = 0; ih < H; ++ih)
              for (int64_t iw = 0; iw < W; ++iw) {
                const float v = xc[ih * W + iw];
                for (int64_t ky = 0; ky < kh; ++ky) {
                  const int64_t oh = ih * p.sh - p.pt + ky * p.dh;
                  if (oh < 0 || oh >= OH) continue;
                  for (int64_t kx = 0; kx < kw; ++kx) {
                    const int64_t ow = iw * p.sw - p.pl + kx * p.dw;
                    if (ow < 0 || ow >= OW) continue;
                    y[oh * OW + ow] += v * wk[ky * kw + kx];
                  }
                }
              }
          }
        }
    apply_activation(act, Y, N * M * plane);
  };
  return out;
}

}  // namespace

void register_conv_ref(OpRegistry& r) {
  r.add("Conv", "ref", prepare_conv);
  r.add("ConvTranspose", "ref", prepare_conv_transpose);
}

}  // namespace sparsecc::detail
