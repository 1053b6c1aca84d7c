// Op binding of the sparse family: Conv 1x1 (stride 1, no padding, dilation 1,
// group 1) with a weight sparse in groups of G output channels x 1 input
// channel, as an NCHW SpMM Y[M][HW] = W[M][C] . X[C][HW]. Kernel names
// "spmm-g1", "spmm-g2", "spmm-g4", "spmm-g8" (docs/kernels.md, section
// "spmm"); the arch variant (and with it the pixel tile) of the pattern is
// chosen when the model is loaded.
//
// Node layout written by compiler/lower/kernel_specs/spmm.py:
//   inputs     X [N, C, H, W], values (1-D constant: per group row G bias
//              values then G weights per nonzero group)
//   attributes spmm_weight_shape = [M, C, 1, 1] (the dense W's shape),
//              spmm_index = per group row: count, input-channel deltas
//              (spmm/spmm-driver.h), plus Conv's own attributes.
// The whole index is checked here, at load time (counts, every input channel
// in [0, C), the values' length), so the kernel never reads out of bounds.
#include <memory>
#include <string>
#include <vector>

#include "../../src/op_registry.h"
#include "../dispatch.h"
#include "../spmm/spmm-driver.h"
#include "op_epilogue.h"

namespace sparsecc::detail {
namespace {

template <size_t G>
Prepared prepare_spmm_conv(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  const Shape &x = ctx.in(0), &v = ctx.in(1);
  if (x.size() != 4) fail("X must have rank 4, got shape ", shape_str(x));
  if (v.size() != 1) fail("kernel spmm-g", G, " needs the packed values as a 1-D constant, got ", shape_str(v));
  const std::vector<int64_t> ws = ctx.attrs->get_ints("spmm_weight_shape");
  if (ws.size() != 4) fail("spmm_weight_shape must have 4 values [M, C, kh, kw], got ", shape_str(ws));
  const auto ones2 = std::vector<int64_t>{1, 1};
  if (ctx.attrs->get_ints("strides", ones2) != ones2 || ctx.attrs->get_ints("dilations", ones2) != ones2 ||
      ctx.attrs->get_ints("pads", {0, 0, 0, 0}) != std::vector<int64_t>{0, 0, 0, 0} || ctx.attrs->get_int("group", 1) != 1 ||
      ws[2] != 1 || ws[3] != 1)
    fail("kernel spmm-g", G, " needs a 1x1 conv with stride 1, dilation 1, no padding and group 1 (weight ",
         shape_str(ws), ")");
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], M = ws[0];
  if (ws[1] != C) fail("spmm_weight_shape ", shape_str(ws), " must have C = ", C, " input channels");
  if (M < 1 || C < 1 || M > (int64_t(1) << 30)) fail("invalid weight shape ", shape_str(ws));
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const size_t P = size_t(H * W);
  if (!spmm::increments_fit(size_t(C), P))
    fail("input of ", C, " x ", P, " floats is too large for the 32-bit offsets of kernel spmm-g", G);
  auto sw = std::make_shared<spmm::SparseWeights>();
  const std::string err = spmm::parse_index(ctx.attrs->get_ints("spmm_index"), G, size_t(M), size_t(C), *sw);
  if (!err.empty()) fail("spmm_index: ", err);
  if (size_t(v[0]) != sw->n_values)
    fail("packed values have ", v[0], " floats, the index needs ", sw->n_values);
  auto dmap = std::make_shared<std::vector<int32_t>>(spmm::byte_increments(*sw, P));
  const std::string pattern = "g" + std::to_string(G);
  spmm::SpmmImage img{kernels::best_spmm(pattern), sw.get(), dmap->data(), P, ep};
  img.plan_for(*kernels::best("spmm", pattern));  // pixel tiles + input channel blocks for this plane

  Prepared out;
  out.out_shapes = {{N, M, H, W}};
  const size_t in_plane = size_t(C) * P, out_plane = size_t(M) * P;
  out.run = [img, sw, dmap, N, in_plane, out_plane](RunContext& rc, const float* const* in, float* const* o) {
    auto par = [&rc](size_t n, const auto& body) { rc.parallel_for(n, [&body](size_t b, size_t e) { body(b, e); }, 1); };
    for (int64_t n = 0; n < N; ++n) img.run(in[1], in[0] + n * in_plane, o[0] + n * out_plane, rc.num_threads(), par);
  };
  return out;
}

}  // namespace

void register_spmm_ops(OpRegistry& r) {
  r.add("Conv", "spmm-g1", prepare_spmm_conv<1>);
  r.add("Conv", "spmm-g2", prepare_spmm_conv<2>);
  r.add("Conv", "spmm-g4", prepare_spmm_conv<4>);
  r.add("Conv", "spmm-g8", prepare_spmm_conv<8>);
}

}  // namespace sparsecc::detail
