// Op binding of the sparse family for Conv (group 1) with a weight sparse in
// groups of G output channels x 1 input channel (x the whole kernel). Kernel
// names "spmm-g1", "spmm-g2", "spmm-g4", "spmm-g8" (docs/kernels.md, section
// "spmm"); the arch variant (and with it the pixel tile) of the pattern is
// chosen when the model is loaded. A 1x1 conv with stride 1, dilation 1 and no
// padding is an NCHW SpMM Y[M][HW] = W[M][C] . X[C][HW]; any other geometry
// runs the same micro-kernel over the direct conv's phase planes
// (spmm_kxk.h), the nonzeros then being pseudo-channels (c, ky, kx).
//
// Node layout written by compiler/lower/kernel_specs/spmm.py:
//   inputs     X [N, C, H, W], values (1-D constant: per group row G bias
//              values then G weights per nonzero group)
//   attributes spmm_weight_shape = [M, C, kh, kw] (the dense W's shape),
//              spmm_index = per group row: count, (pseudo-)channel deltas
//              (spmm/spmm-driver.h), plus Conv's own attributes.
// The whole index is checked here, at load time (counts, every channel in
// [0, C*kh*kw), the values' length), so the kernel never reads out of bounds.
#include <memory>
#include <string>
#include <vector>

#include "../../src/op_registry.h"
#include "../dispatch.h"
#include "../spmm/spmm-driver.h"
#include "conv_geometry.h"
#include "spmm_kxk.h"
#include "op_epilogue.h"

namespace sparsecc::detail {
namespace {

// A k x k (or strided / padded) conv: the same sparse stream over the
// pseudo-channels (c, ky, kx) of the direct conv's phase planes (spmm_kxk.h).
template <size_t G>
Prepared prepare_spmm_conv_kxk(PrepareContext& ctx, const ConvGeometry& cg, const ukernel::Epilogue& ep) {
  const std::string pattern = "g" + std::to_string(G);
  auto geom = std::make_shared<const igemm::DirectConv>(nullptr, 1, 16, cg.shape(), ep);
  if (geom->plane_floats() > igemm::kMaxPlaneFloats)
    fail("kernel spmm-g", G, ": the phase planes of this conv need ", geom->plane_floats(), " floats (limit ",
         igemm::kMaxPlaneFloats, ")");
  const size_t K = size_t(cg.C * cg.kh * cg.kw);
  auto sw = std::make_shared<spmm::SparseWeights>();
  const std::string err = spmm::parse_index(ctx.attrs->get_ints("spmm_index"), G, size_t(cg.M), K, *sw);
  if (!err.empty()) fail("spmm_index: ", err);
  if (size_t(ctx.in(1)[0]) != sw->n_values)
    fail("packed values have ", ctx.in(1)[0], " floats, the index needs ", sw->n_values);
  auto conv = std::make_shared<spmm::SpmmConvKxk>();
  conv->fn = kernels::best_spmm(pattern);
  conv->sw = sw.get();
  conv->geom = geom.get();
  conv->ep = ep;
  conv->build();
  spmm::SpmmImage tiles{conv->fn, sw.get(), nullptr, conv->wide(), ep};  // only for the pixel tiling of this variant
  tiles.plan_for(*kernels::best("spmm", pattern));
  conv->mr = tiles.mr, conv->lanes = tiles.lanes, conv->masked = tiles.masked;

  Prepared out;
  out.out_shapes = {{cg.N, cg.M, cg.OH, cg.OW}};
  const size_t plane_scratch = (geom->scratch_floats() + 15) / 16 * 16;
  out.scratch_bytes = (plane_scratch + size_t(cg.M) * conv->wide()) * sizeof(float);
  const size_t in_plane = size_t(cg.C * cg.H * cg.W), out_plane = size_t(cg.M * cg.OH * cg.OW);
  const int64_t N = cg.N;
  out.run = [conv, geom, sw, N, in_plane, out_plane, plane_scratch](RunContext& rc, const float* const* in,
                                                                    float* const* o) {
    auto par = [&rc](size_t n, const auto& body) { rc.parallel_for(n, [&body](size_t b, size_t e) { body(b, e); }, 1); };
    float* planes = rc.scratch<float>();
    float* wide = planes + plane_scratch;
    for (int64_t n = 0; n < N; ++n) {
      par(geom->channels(), [&](size_t c0, size_t c1) { geom->fill_planes(in[0] + n * in_plane, planes, c0, c1); });
      conv->run(in[1], planes, wide, o[0] + n * out_plane, rc.num_threads(), par);
    }
  };
  return out;
}

template <size_t G>
Prepared prepare_spmm_conv(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  const Shape &x = ctx.in(0), &v = ctx.in(1);
  const std::string kname = "spmm-g" + std::to_string(G);
  if (v.size() != 1) fail("kernel ", kname, " needs the packed values as a 1-D constant, got ", shape_str(v));
  const std::vector<int64_t> ws = ctx.attrs->get_ints("spmm_weight_shape");
  if (ws.size() != 4) fail("spmm_weight_shape must have 4 values [M, C, kh, kw], got ", shape_str(ws));
  const ConvGeometry cg = conv_geometry(ctx, x, ws, kname.c_str());
  if (cg.M > (int64_t(1) << 30)) fail("invalid weight shape ", shape_str(ws));
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  if (!cg.plain_1x1()) return prepare_spmm_conv_kxk<G>(ctx, cg, ep);
  const int64_t N = cg.N, C = cg.C, M = cg.M;
  const size_t P = size_t(cg.H * cg.W);
  if (!spmm::increments_fit(size_t(C), P))
    fail("input of ", C, " x ", P, " floats is too large for the 32-bit offsets of kernel ", kname);
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
  out.out_shapes = {{N, M, cg.H, cg.W}};
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
