// Op binding of the pixel-broadcast GEMM family: Conv (group 1, constant W)
// as Y^T = X^T . W^T with output channels as the vector operand (driver:
// pgemm_driver.h). Kernel name "pgemm-<PT>x<NR>" (docs/kernels.md, section
// "pgemm"); the compiler packs W [M][C*kh*kw] into B-panels of W^T (NR
// channels per panel, [K][nq]) and keeps the original shape. A plain 1x1 conv
// reads X in place; any other geometry goes through igemm's phase planes.
// Work: channel panels x pixel tiles with RunContext::parallel_for.
#include <memory>
#include <string>

#include "../../src/op_registry.h"
#include "../dispatch.h"
#include "conv_geometry.h"
#include "op_epilogue.h"
#include "pgemm_driver.h"

namespace sparsecc::detail {
namespace {

template <size_t PT, size_t NR>
Prepared prepare_pgemm_conv(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const Shape* b = ctx.optional_in(2);
  const std::string kname = "pgemm-" + std::to_string(PT) + "x" + std::to_string(NR);
  const ConvGeometry cg = conv_geometry(ctx, x, w, kname.c_str());
  if (b && *b != Shape{cg.M}) fail("bias B ", shape_str(*b), " must have shape [", cg.M, "]");
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const ukernel::PGemmFn fn = kernels::best_pgemm(std::to_string(PT) + "x" + std::to_string(NR));
  const size_t M = size_t(cg.M), P = size_t(cg.OH * cg.OW), K = size_t(cg.C * cg.kh * cg.kw);
  std::shared_ptr<const pgemm::PixelConv> conv;
  if (cg.plain_1x1()) {
    conv = std::make_shared<const pgemm::PixelConv>(fn, PT, NR, M, K, P, ep);
  } else {
    auto planes = std::make_shared<const igemm::DirectConv>(nullptr, 1, 1, cg.shape(), ep);
    if (planes->plane_floats() > igemm::kMaxPlaneFloats)
      fail("kernel ", kname, ": the phase planes of this conv need ", planes->plane_floats(), " floats (limit ",
           igemm::kMaxPlaneFloats, "); use im2col-gemm");
    conv = std::make_shared<const pgemm::PixelConv>(fn, PT, NR, std::move(planes), M, ep);
  }
  Prepared out;
  out.out_shapes = {{cg.N, cg.M, cg.OH, cg.OW}};
  out.scratch_bytes = conv->scratch_floats() * sizeof(float);
  const bool has_b = b != nullptr;
  const size_t in_plane = size_t(cg.C * cg.H * cg.W), out_plane = M * P;
  const int64_t N = cg.N;
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    auto par = [&rc](size_t n, const auto& body) {
      rc.parallel_for(n, [&body](size_t b0, size_t b1) { body(b0, b1); }, 1);
    };
    for (int64_t n = 0; n < N; ++n)
      conv->conv_image(in[1], has_b ? in[2] : nullptr, in[0] + n * in_plane, o[0] + n * out_plane,
                       rc.scratch<float>(), par);
  };
  return out;
}

}  // namespace

void register_pgemm_ops(OpRegistry& r) {
  r.add("Conv", "pgemm-7x48", prepare_pgemm_conv<7, 48>);
  r.add("Conv", "pgemm-6x16", prepare_pgemm_conv<6, 16>);
}

}  // namespace sparsecc::detail
