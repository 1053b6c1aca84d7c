// Op binding of the depthwise family: Conv with group == C == M (channel
// multiplier 1), a K x K kernel (K = 3 or 5), stride S in both directions
// (S = 1 or 2), dilation 1 and every pad in [0, K-1]. Kernel names
// "dwconv-<K>x<K>s<S>" (docs/kernels.md, section "dwconv"); the arch variant
// is chosen when the model is loaded (kernels/dispatch.h). Weights stay in the
// ONNX layout [C, 1, K, K] (each channel's K*K taps are contiguous, which is
// what the micro-kernel reads), so nothing is repacked. The N*C planes are
// split over the thread pool; the fused epilogue runs inside the micro-kernel.
#include <string>

#include "../../src/op_registry.h"
#include "../dispatch.h"
#include "../reference/f32-activation-ref-scalar.h"
#include "op_epilogue.h"

namespace sparsecc::detail {
namespace {

template <int K, int S>
Prepared prepare_dwconv(PrepareContext& ctx) {
  const std::string kname = "dwconv-" + std::to_string(K) + "x" + std::to_string(K) + "s" + std::to_string(S);
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const Shape* b = ctx.optional_in(2);
  if (x.size() != 4) fail("X must have rank 4, got shape ", shape_str(x));
  if (w.size() != 4) fail("W must have rank 4, got shape ", shape_str(w));
  const auto s = ctx.attrs->get_ints_n("strides", 2, 1), d = ctx.attrs->get_ints_n("dilations", 2, 1);
  const auto p = ctx.attrs->get_ints_n("pads", 4, 0);
  const int64_t group = ctx.attrs->get_int("group", 1);
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3];
  if (group != C || w[0] != C || w[1] != 1)
    fail("kernel ", kname, " needs a depthwise conv (group == C == M, W [C, 1, K, K]); got X ", shape_str(x), ", W ",
         shape_str(w), ", group ", group);
  if (w[2] != K || w[3] != K) fail("kernel ", kname, " needs a ", K, "x", K, " kernel, W has ", shape_str(w));
  if (s[0] != S || s[1] != S) fail("kernel ", kname, " needs strides [", S, ", ", S, "], got ", shape_str(s));
  if (d[0] != 1 || d[1] != 1) fail("kernel ", kname, " needs dilations [1, 1], got ", shape_str(d));
  for (int64_t v : p)
    if (v < 0 || v > K - 1) fail("kernel ", kname, " needs pads in [0, ", K - 1, "], got ", shape_str(p));
  if (b && *b != Shape{C}) fail("bias B ", shape_str(*b), " must have shape [", C, "]");
  if (H + p[0] + p[2] < K || W + p[1] + p[3] < K)
    fail("kernel ", K, "x", K, " is larger than the padded input ", H, "x", W);
  const int64_t OH = (H + p[0] + p[2] - K) / S + 1, OW = (W + p[1] + p[3] - K) / S + 1;
  const std::string tile = kname.substr(7);
  const ukernel::DwConvFn fn = kernels::best_dwconv(tile);
  const bool has_b = b != nullptr;
  const size_t planes = size_t(N * C), hw = size_t(H * W), ohw = size_t(OH * OW);
  const size_t pt = size_t(p[0]), pl = size_t(p[1]);
  // about 32k multiply-adds per chunk so a chunk outweighs the hand-out cost
  const size_t grain = std::max<size_t>(1, 32768 / (ohw * K * K + 1));
  Prepared out;
  out.out_shapes = {{N, C, OH, OW}};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float *X = in[0], *Wt = in[1], *B = has_b ? in[2] : nullptr;
    float* Y = o[0];
    rc.parallel_for(
        planes,
        [&](size_t begin, size_t end) {
          for (size_t pc = begin; pc < end; ++pc) {
            const size_t c = pc % size_t(C);
            fn(X + pc * hw, size_t(H), size_t(W), Wt + c * K * K, B ? B[c] : 0.0f, Y + pc * ohw, size_t(OH),
               size_t(OW), pt, pl, ep);
          }
        },
        grain);
  };
  return out;
}

}  // namespace

void register_dwconv_ops(OpRegistry& r) {
  r.add("Conv", "dwconv-3x3s1", prepare_dwconv<3, 1>);
  r.add("Conv", "dwconv-3x3s2", prepare_dwconv<3, 2>);
  r.add("Conv", "dwconv-5x5s1", prepare_dwconv<5, 1>);
  r.add("Conv", "dwconv-5x5s2", prepare_dwconv<5, 2>);
}

}  // namespace sparsecc::detail
