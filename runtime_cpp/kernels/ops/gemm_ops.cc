// Op bindings of the GEMM family: Conv (1x1 stride-1 pad-0 as an NCHW GEMM;
// k x k directly over phase planes (igemm_driver.h) or via im2col + GEMM), Gemm and MatMul with a constant, compile-time
// packed weight operand, and batched MatMul of two run-time operands.
// Kernel names "gemm-<MR>x<NR>", "igemm-<MR>x<NR>", "im2col-gemm-<MR>x<NR>" and "bmm-<MR>x<NR>"
// (docs/kernels.md, section "gemm"); the arch
// variant of the tile is chosen when the model is loaded.
//
// The packed weights keep the original tensor shape (no padding; layouts in
// gemm_driver.h), so every shape check is the reference kernel's. Work is
// split over output-channel blocks x pixel strips (Conv) or column panels x
// row blocks (Gemm/MatMul) with RunContext::parallel_for.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "../../src/op_registry.h"
#include "../gemm/f32-gemm.h"
#include "op_epilogue.h"
#include "../dispatch.h"
#include "conv_geometry.h"
#include "gemm_driver.h"
#include "igemm_driver.h"

namespace sparsecc::detail {
namespace {

using gemm::Variant;

// The best variant of the tile for this CPU (kernels/dispatch.h), resolved at load time.
Variant resolve_gemm(size_t MR, size_t NR) {
  return {kernels::best_gemm(std::to_string(MR) + "x" + std::to_string(NR)), MR, NR};
}

template <typename F>
void par_for(RunContext& ctx, size_t n, const F& body, size_t grain) {
  ctx.parallel_for(n, [&body](size_t b, size_t e) { body(b, e); }, grain);
}

// How a group-1 Conv runs: NCHW GEMM (only 1x1, stride 1, pad 0, dilation 1),
// im2col + GEMM, or igemm (any geometry whose phase planes are not huge).
enum class ConvPath { gemm, im2col, igemm };

template <size_t MR, size_t NR, ConvPath kPath>
Prepared prepare_conv(PrepareContext& ctx) {
  constexpr bool kIm2col = kPath != ConvPath::gemm;
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const Shape* b = ctx.optional_in(2);
  const char* kname = kPath == ConvPath::gemm ? "gemm" : (kPath == ConvPath::im2col ? "im2col-gemm" : "igemm");
  const ConvGeometry cg = conv_geometry(ctx, x, w, kname);
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const int64_t N = cg.N, C = cg.C, H = cg.H, W = cg.W, M = cg.M, kh = cg.kh, kw = cg.kw, OH = cg.OH, OW = cg.OW;
  if (b && *b != Shape{M}) fail("bias B ", shape_str(*b), " must have shape [", M, "]");
  if (!kIm2col && !cg.plain_1x1())
    fail("kernel gemm needs a 1x1 kernel with stride 1, dilation 1 and no padding (W ", shape_str(w),
         "); use im2col-gemm");
  const size_t K = size_t(C * kh * kw), P = size_t(OH * OW);

  Prepared out;
  out.out_shapes = {{N, M, OH, OW}};
  // strips of packed B; none when a 1x1 conv reads X in place (gemm::pack_1x1_b)
  const bool packs_b = kIm2col || gemm::pack_1x1_b(K);
  out.scratch_bytes = packs_b ? K * gemm::chunk_columns(K, P, NR) * sizeof(float) : 0;
  const Variant v = resolve_gemm(MR, NR);
  const gemm::Im2col im{size_t(C),     size_t(H),     size_t(W),     size_t(kh),    size_t(kw),
                        size_t(cg.sh), size_t(cg.sw), size_t(cg.dh), size_t(cg.dw), size_t(cg.pt),
                        size_t(cg.pl), size_t(OH),    size_t(OW)};
  const bool has_b = b != nullptr;
  const size_t in_plane = size_t(C * H * W), out_plane = size_t(M) * P;
  if constexpr (kPath == ConvPath::igemm) {
    const ukernel::IGemmFn fn = kernels::best_igemm(std::to_string(MR) + "x" + std::to_string(NR));
    const igemm::ConvShape cs = cg.shape();
    // geometry only (weights are bound per run): the plane size and the offset table
    const auto geom = std::make_shared<const igemm::DirectConv>(fn, MR, NR, cs, ep);
    if (geom->plane_floats() > igemm::kMaxPlaneFloats)
      fail("kernel igemm: the phase planes of this conv need ", geom->plane_floats(), " floats (limit ",
           igemm::kMaxPlaneFloats, "); use im2col-gemm");
    out.scratch_bytes = geom->scratch_floats() * sizeof(float);
    out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
      auto par = [&rc](size_t n, const auto& body) { par_for(rc, n, body, 1); };
      for (int64_t n = 0; n < N; ++n)
        igemm::conv_image(*geom, in[1], has_b ? in[2] : nullptr, in[0] + n * in_plane, o[0] + n * out_plane,
                          rc.scratch<float>(), par);
    };
    return out;
  }
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const gemm::ChannelGemm g{v, size_t(M), K, in[1], has_b ? in[2] : nullptr, ep};
    auto par = [&rc](size_t n, const auto& body) { par_for(rc, n, body, 1); };
    for (int64_t n = 0; n < N; ++n)
      gemm::conv_image(g, kIm2col ? &im : nullptr, P, in[0] + n * in_plane, o[0] + n * out_plane,
                       rc.scratch<float>(), par);
  };
  return out;
}

template <size_t MR, size_t NR>
Prepared prepare_gemm(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const Shape* b = ctx.optional_in(2);
  if (x.size() != 2) fail("X must have rank 2, got ", shape_str(x));
  if (w.size() != 2) fail("W must have rank 2 ([N, K]), got ", shape_str(w));
  const int64_t M = x[0], K = x[1], N = w[0];
  if (w[1] != K) fail("X ", shape_str(x), " and W ", shape_str(w), " disagree on K");
  if (b && *b != Shape{N}) fail("bias B ", shape_str(*b), " must have shape [", N, "]");
  if (K < 1 || N < 1) fail("empty weight ", shape_str(w));
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const Variant v = resolve_gemm(MR, NR);
  const bool has_b = b != nullptr;
  Prepared out;
  out.out_shapes = {{M, N}};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const gemm::RowGemm g{v, size_t(M), size_t(K), size_t(N), in[1], has_b ? in[2] : nullptr, ep};
    par_for(rc, g.tiles(), [&](size_t t0, size_t t1) { g.run_tiles(in[0], size_t(K), o[0], size_t(N), t0, t1); }, 1);
  };
  return out;
}

// MatMul A[..., M, K] x B[K, N] with B constant (rank 2): the batch dims of A
// fold into the rows.
template <size_t MR, size_t NR>
Prepared prepare_matmul(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  const Shape &a = ctx.in(0), &b = ctx.in(1);
  if (a.size() < 2) fail("A needs rank >= 2, got ", shape_str(a));
  if (b.size() != 2) fail("kernel gemm needs a rank-2 constant B, got ", shape_str(b));
  const int64_t K = a.back(), N = b[1];
  if (b[0] != K) fail("A ", shape_str(a), " and B ", shape_str(b), " disagree on K");
  if (K < 1 || N < 1) fail("empty B ", shape_str(b));
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const int64_t R = numel(a) / K;
  Shape y = a;
  y.back() = N;
  const Variant v = resolve_gemm(MR, NR);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const gemm::RowGemm g{v, size_t(R), size_t(K), size_t(N), in[1], nullptr, ep};
    par_for(rc, g.tiles(), [&](size_t t0, size_t t1) { g.run_tiles(in[0], size_t(K), o[0], size_t(N), t0, t1); }, 1);
  };
  return out;
}

// MatMul A[..., M, K] x B[..., K, N] with B computed at run time (attention
// scores and context): no packing -- the micro-kernel reads B's rows in place
// (b_row_stride = N). Batch dims broadcast (numpy rules); each (batch, column
// panel, row block) is one task.
template <size_t MR, size_t NR>
Prepared prepare_batched_matmul(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  const Shape &a = ctx.in(0), &b = ctx.in(1);
  if (a.size() < 2 || b.size() < 2) fail("kernel bmm needs A and B of rank >= 2, got ", shape_str(a), " and ", shape_str(b));
  const int64_t M = a[a.size() - 2], K = a.back(), N = b.back();
  if (b[b.size() - 2] != K) fail("A ", shape_str(a), " and B ", shape_str(b), " disagree on K");
  if (M < 1 || K < 1 || N < 1) fail("empty operand: A ", shape_str(a), ", B ", shape_str(b));
  // broadcast batch dims, right-aligned
  const size_t rank = std::max(a.size(), b.size()) - 2;
  Shape batch(rank);
  std::vector<size_t> sa(rank, 0), sb(rank, 0);  // element strides of A's / B's batch dims (0: broadcast)
  size_t ea = size_t(M * K), eb = size_t(K * N);
  const size_t ra = a.size() - 2, rb = b.size() - 2;  // batch ranks; dim i of the result is A's i - (rank - ra)
  for (size_t i = rank; i-- > 0;) {
    const int64_t da = i + ra >= rank ? a[i + ra - rank] : 1, db = i + rb >= rank ? b[i + rb - rank] : 1;
    if (da != db && da != 1 && db != 1)
      fail("batch dims of A ", shape_str(a), " and B ", shape_str(b), " do not broadcast");
    batch[i] = std::max(da, db);
    sa[i] = da == 1 ? 0 : ea;
    sb[i] = db == 1 ? 0 : eb;
    ea *= size_t(da);
    eb *= size_t(db);
  }
  size_t batches = 1;
  for (int64_t d : batch) batches *= size_t(d);
  Shape y = batch;
  y.push_back(M);
  y.push_back(N);
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const Variant v = resolve_gemm(MR, NR);
  const size_t mb = (size_t(M) + MR - 1) / MR, nb = (size_t(N) + NR - 1) / NR;
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    par_for(
        rc, batches * nb * mb,
        [&](size_t t0, size_t t1) {
          for (size_t t = t0; t < t1; ++t) {
            const size_t bi = t / (nb * mb), rest = t % (nb * mb), n0 = (rest / mb) * NR, m0 = (rest % mb) * MR;
            size_t offa = 0, offb = 0, idx = bi;
            for (size_t i = rank; i-- > 0;) {
              const size_t d = size_t(batch[i]), c = idx % d;
              idx /= d;
              offa += c * sa[i];
              offb += c * sb[i];
            }
            const size_t mr = std::min(MR, size_t(M) - m0), nr = std::min(NR, size_t(N) - n0);
            v.fn(mr, nr, size_t(K), in[0] + offa + m0 * size_t(K), size_t(K), 1, in[1] + offb + n0, size_t(N),
                 o[0] + bi * size_t(M * N) + m0 * size_t(N) + n0, size_t(N), nullptr, ukernel::Bias::none, ep);
          }
        },
        1);
  };
  return out;
}

template <size_t MR, size_t NR>
void register_tile(OpRegistry& r) {
  const std::string tile = std::to_string(MR) + "x" + std::to_string(NR);
  r.add("Conv", "gemm-" + tile, prepare_conv<MR, NR, ConvPath::gemm>);
  r.add("Conv", "im2col-gemm-" + tile, prepare_conv<MR, NR, ConvPath::im2col>);
  if constexpr ((MR == 12 && NR == 32) || (MR == 8 && NR == 48) || (MR == 6 && NR == 16))  // igemm rows in kernels.def
    r.add("Conv", "igemm-" + tile, prepare_conv<MR, NR, ConvPath::igemm>);
  r.add("Gemm", "gemm-" + tile, prepare_gemm<MR, NR>);
  r.add("MatMul", "gemm-" + tile, prepare_matmul<MR, NR>);
  r.add("MatMul", "bmm-" + tile, prepare_batched_matmul<MR, NR>);
}

}  // namespace

void register_gemm_ops(OpRegistry& r) {
  register_tile<12, 32>(r);
  register_tile<8, 48>(r);
  register_tile<6, 16>(r);
  register_tile<8, 8>(r);
  register_tile<4, 8>(r);
}

}  // namespace sparsecc::detail
