// Scalar reference Gemm (Y = X·Wᵀ + B, W stored [N, K]) and MatMul (batched,
// numpy batch broadcasting), both with the fused epilogue activation.
#include "../../src/op_registry.h"
#include "f32-activation-ref-scalar.h"

namespace sparsecc::detail {
namespace {

Prepared prepare_gemm(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape &x = ctx.in(0), &w = ctx.in(1);
  const Shape* b = ctx.optional_in(2);
  const bool has_b = b != nullptr;
  if (x.size() != 2) fail("X must have rank 2, got ", shape_str(x));
  if (w.size() != 2) fail("W must have rank 2 ([N, K]), got ", shape_str(w));
  const int64_t M = x[0], K = x[1], N = w[0];
  if (w[1] != K) fail("X ", shape_str(x), " and W ", shape_str(w), " disagree on K");
  if (has_b && *b != Shape{N}) fail("bias B ", shape_str(*b), " must have shape [", N, "]");
  Activation act = parse_epilogue(*ctx.attrs);
  Prepared out;
  out.out_shapes = {{M, N}};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *X = in[0], *W = in[1], *B = has_b ? in[2] : nullptr;
    float* Y = o[0];
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (int64_t k = 0; k < K; ++k) acc += X[i * K + k] * W[j * K + k];
        if (has_b) acc += B[j];
        Y[i * N + j] = act(acc);
      }
  };
  return out;
}

Prepared prepare_matmul(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  const Shape &a = ctx.in(0), &b = ctx.in(1);
  if (a.size() < 2 || b.size() < 2) fail("both inputs need rank >= 2, got ", shape_str(a), " and ", shape_str(b));
  const int64_t M = a[a.size() - 2], K = a[a.size() - 1], N = b[b.size() - 1];
  if (b[b.size() - 2] != K) fail("A ", shape_str(a), " and B ", shape_str(b), " disagree on K");
  Activation act = parse_epilogue(*ctx.attrs);
  // broadcast batch dims, aligned on the right
  const size_t ba = a.size() - 2, bb = b.size() - 2, rank = std::max(ba, bb);
  Shape batch(rank), sa(rank, 0), sb(rank, 0);  // element strides of each batch dim (0 = broadcast)
  {
    int64_t stride_a = M * K, stride_b = K * N;
    for (size_t i = rank; i-- > 0;) {
      const size_t off_a = rank - ba, off_b = rank - bb;
      const int64_t da = i >= off_a ? a[i - off_a] : 1, db = i >= off_b ? b[i - off_b] : 1;
      if (da != db && da != 1 && db != 1)
        fail("batch dims of A ", shape_str(a), " and B ", shape_str(b), " do not broadcast");
      batch[i] = std::max(da, db);
      sa[i] = da == 1 ? 0 : stride_a;
      sb[i] = db == 1 ? 0 : stride_b;
      stride_a *= da;
      stride_b *= db;
    }
  }
  Shape y_shape = batch;
  y_shape.push_back(M);
  y_shape.push_back(N);
  const int64_t n_batch = numel(batch);
  Prepared out;
  out.out_shapes = {y_shape};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *A = in[0], *B = in[1];
    float* Y = o[0];
    for (int64_t t = 0; t < n_batch; ++t) {
      int64_t rem = t, off_a = 0, off_b = 0;
      for (size_t i = rank; i-- > 0;) {
        const int64_t idx = rem % batch[i];
        rem /= batch[i];
        off_a += idx * sa[i];
        off_b += idx * sb[i];
      }
      const float *pa = A + off_a, *pb = B + off_b;
      float* py = Y + t * M * N;
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          float acc = 0.0f;
          for (int64_t k = 0; k < K; ++k) acc += pa[i * K + k] * pb[k * N + j];
          py[i * N + j] = act(acc);
        }
    }
  };
  return out;
}

}  // namespace

void register_gemm_ref(OpRegistry& r) {
  r.add("Gemm", "ref", prepare_gemm);
  r.add("MatMul", "ref", prepare_matmul);
}

}  // namespace sparsecc::detail
