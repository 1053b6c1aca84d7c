// Geometry of a group-1 NCHW Conv as the fast op bindings see it: strides,
// dilations and pads read from the node's attributes and checked once, here,
// with the same messages for every kernel that runs such a conv (gemm /
// im2col-gemm / igemm in gemm_ops.cc, the sparse k x k conv in spmm_ops.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "../../src/kernel_api.h"
#include "igemm_driver.h"

namespace sparsecc::detail {

struct ConvGeometry {
  int64_t N, C, H, W, M, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW;

  bool plain_1x1() const {  // 1x1, stride 1, dilation 1, no padding: an NCHW GEMM
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
  }
  igemm::ConvShape shape() const {
    return {size_t(C), size_t(H), size_t(W), size_t(M), size_t(kh), size_t(kw), size_t(sh),
            size_t(sw), size_t(dh), size_t(dw), size_t(pt), size_t(pl), size_t(pb), size_t(pr)};
  }
};

// x: the input shape (rank 4, checked); w: the weight's shape [M, C, kh, kw]
// (from the weight input or an attribute; checked). Fails with a one-line
// message naming `kernel` for group != 1, bad strides/dilations/pads, an empty
// weight or a dilated kernel larger than the padded input.
inline ConvGeometry conv_geometry(const PrepareContext& ctx, const Shape& x, const std::vector<int64_t>& w,
                                  const char* kernel) {
  if (x.size() != 4) fail("X must have rank 4, got shape ", shape_str(x));
  if (w.size() != 4) fail("W must have rank 4, got shape ", shape_str(w));
  const auto s = ctx.attrs->get_ints_n("strides", 2, 1), d = ctx.attrs->get_ints_n("dilations", 2, 1);
  const auto p = ctx.attrs->get_ints_n("pads", 4, 0);
  const int64_t group = ctx.attrs->get_int("group", 1);
  if (group != 1) fail("kernel ", kernel, " needs group == 1, got ", group);
  const int64_t kLimit = int64_t(1) << 31;
  for (int64_t v : s)
    if (v < 1 || v > kLimit) fail("strides must be in [1, 2^31], got ", shape_str(s));
  for (int64_t v : d)
    if (v < 1 || v > kLimit) fail("dilations must be in [1, 2^31], got ", shape_str(d));
  for (int64_t v : p)
    if (v < 0 || v > kLimit) fail("pads must be in [0, 2^31], got ", shape_str(p));
  ConvGeometry g{x[0], x[1], x[2], x[3], w[0], w[2], w[3], s[0], s[1], d[0], d[1], p[0], p[1], p[2], p[3], 0, 0};
  if (w[1] != g.C) fail("W ", shape_str(w), " must have C = ", g.C, " input channels");
  if (g.M < 1 || g.C < 1 || g.kh < 1 || g.kw < 1) fail("empty weight ", shape_str(w));
  const int64_t eh = g.H + g.pt + g.pb - g.dh * (g.kh - 1) - 1, ew = g.W + g.pl + g.pr - g.dw * (g.kw - 1) - 1;
  if (eh < 0 || ew < 0) fail("dilated kernel ", g.kh, "x", g.kw, " is larger than the padded input ", g.H, "x", g.W);
  g.OH = eh / g.sh + 1;
  g.OW = ew / g.sw + 1;
  return g;
}

}  // namespace sparsecc::detail
