// Op binding of the sparse-rows family: Gemm (Y[R, N] = X[R, K] . W^T + B) and
// MatMul with a constant rank-2 B (A's batch dims fold into R rows) whose
// weight is sparse in groups of G output features x 1 input feature. Kernel
// names "spmm-g1" .. "spmm-g8" for those ops (the sparse Conv of the same name
// is spmm_ops.cc; docs/kernels.md, section "spmv").
//
// Node layout written by compiler/lower/kernel_specs/spmv.py:
//   inputs     X, values (1-D constant, the spmm value layout: per group row G
//              bias values -- zeros when the node had no bias -- then G weights
//              per nonzero group)
//   attributes spmm_weight_shape = [N, K] (the weight as W [N, K], i.e. B^T
//              for MatMul), spmm_index (spmm/spmm-driver.h), and the op's
//              fused-epilogue attributes.
// The whole index is validated here, at load time. Work: chunks of group rows
// balanced by nonzero count, each running every row of X (the weights are read
// once per chunk for up to 4 rows at a time); the activation runs over each
// chunk's outputs right after.
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
Prepared prepare_spmv(PrepareContext& ctx, bool matmul) {
  ctx.expect_counts(2, 2, 1);
  const Shape &x = ctx.in(0), &v = ctx.in(1);
  const char* op = matmul ? "MatMul" : "Gemm";
  if (matmul ? x.size() < 2 : x.size() != 2)
    fail(op, " kernel spmm-g", G, ": X must have rank ", matmul ? ">= 2" : "2", ", got shape ", shape_str(x));
  if (v.size() != 1) fail("kernel spmm-g", G, " needs the packed values as a 1-D constant, got ", shape_str(v));
  const std::vector<int64_t> ws = ctx.attrs->get_ints("spmm_weight_shape");
  if (ws.size() != 2) fail("spmm_weight_shape must have 2 values [N, K], got ", shape_str(ws));
  const int64_t N = ws[0], K = x.back();
  if (ws[1] != K) fail("spmm_weight_shape ", shape_str(ws), " must have K = ", K, " (X ", shape_str(x), ")");
  if (N < 1 || K < 1 || N > (int64_t(1) << 30) || K > (int64_t(1) << 30)) fail("invalid weight shape ", shape_str(ws));
  const ukernel::Epilogue ep = to_ukernel_epilogue(parse_epilogue(*ctx.attrs));
  auto sw = std::make_shared<spmm::SparseWeights>();
  const std::string err = spmm::parse_index(ctx.attrs->get_ints("spmm_index"), G, size_t(N), size_t(K), *sw);
  if (!err.empty()) fail("spmm_index: ", err);
  if (size_t(v[0]) != sw->n_values) fail("packed values have ", v[0], " floats, the index needs ", sw->n_values);
  auto chan = std::make_shared<std::vector<int32_t>>(sw->chan.begin(), sw->chan.end());  // each < K <= 2^30

  Shape y = x;
  y.back() = N;
  const size_t R = size_t(numel(x) / K);
  const ukernel::SpmvFn fn = kernels::best_spmv("g" + std::to_string(G));
  const ukernel::ActFn act = ep.act == ukernel::Act::none ? nullptr : kernels::best_vact();
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    // about 2 chunks per thread; a single chunk on one thread (no split cost)
    const std::vector<size_t> rb = spmm::balanced_rows(*sw, rc.num_threads() <= 1 ? 1 : 2 * rc.num_threads());
    const float *X = in[0], *values = in[1];
    float* Y = o[0];
    rc.parallel_for(
        rb.size() - 1,
        [&](size_t c0, size_t c1) {
          for (size_t c = c0; c < c1; ++c) {
            const size_t r0 = rb[c], r1 = rb[c + 1];
            const size_t m0 = r0 * G, m1 = std::min(r1 * G, size_t(N));
            fn(R, X, size_t(K), values + sw->value_off[r0], chan->data() + sw->nz_off[r0], sw->nnz.data() + r0, m0,
               m1, Y, size_t(N));
            if (act)
              for (size_t r = 0; r < R; ++r) act(m1 - m0, Y + r * size_t(N) + m0, Y + r * size_t(N) + m0, ep);
          }
        },
        1);
  };
  return out;
}

template <size_t G>
Prepared prepare_spmv_gemm(PrepareContext& ctx) {
  return prepare_spmv<G>(ctx, false);
}

template <size_t G>
Prepared prepare_spmv_matmul(PrepareContext& ctx) {
  return prepare_spmv<G>(ctx, true);
}

}  // namespace

void register_spmv_ops(OpRegistry& r) {
  r.add("Gemm", "spmm-g1", prepare_spmv_gemm<1>);
  r.add("Gemm", "spmm-g2", prepare_spmv_gemm<2>);
  r.add("Gemm", "spmm-g4", prepare_spmv_gemm<4>);
  r.add("Gemm", "spmm-g8", prepare_spmv_gemm<8>);
  r.add("MatMul", "spmm-g1", prepare_spmv_matmul<1>);
  r.add("MatMul", "spmm-g2", prepare_spmv_matmul<2>);
  r.add("MatMul", "spmm-g4", prepare_spmv_matmul<4>);
  r.add("MatMul", "spmm-g8", prepare_spmv_matmul<8>);
}

}  // namespace sparsecc::detail
