// Scalar reference BatchNormalization (inference form, per channel on axis 1),
// LayerNormalization (over dims [axis, rank), statistics in double) and
// Softmax (one axis, max-subtracted, sums in double).
#include <cmath>

#include "../../src/op_registry.h"

namespace sparsecc::detail {
namespace {

Prepared prepare_batchnorm(PrepareContext& ctx) {
  ctx.expect_counts(5, 5, 1);
  const Shape& x = ctx.in(0);
  if (x.size() < 2) fail("X must have rank >= 2 ([N, C, ...]), got ", shape_str(x));
  const int64_t C = x[1];
  static const char* names[] = {"X", "scale", "B", "mean", "var"};
  for (size_t i = 1; i < 5; ++i)
    if (ctx.in(i) != Shape{C}) fail(names[i], " ", shape_str(ctx.in(i)), " must have shape [", C, "]");
  const float eps = ctx.attrs->get_float("epsilon", 1e-5f);
  if (!(eps >= 0.0f)) fail("epsilon must be >= 0");
  const int64_t N = x[0], inner = numel(x) / (N * C);
  Prepared out;
  out.out_shapes = {x};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *X = in[0], *S = in[1], *B = in[2], *Mu = in[3], *V = in[4];
    float* Y = o[0];
    for (int64_t c = 0; c < C; ++c) {
      const double a = double(S[c]) / std::sqrt(double(V[c]) + double(eps));
      const double b = double(B[c]) - double(Mu[c]) * a;
      for (int64_t n = 0; n < N; ++n) {
        const int64_t base = (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) Y[base + i] = float(double(X[base + i]) * a + b);
      }
    }
  };
  return out;
}

int64_t read_axis(PrepareContext& ctx, const Shape& x) {
  const int64_t axis = ctx.attrs->get_int("axis", int64_t(x.size()) - 1);
  if (axis < 0 || axis >= int64_t(x.size())) fail("axis ", axis, " out of range for input ", shape_str(x));
  return axis;
}

Prepared prepare_layernorm(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape& x = ctx.in(0);
  const int64_t axis = read_axis(ctx, x);
  const Shape norm(x.begin() + axis, x.end());
  if (ctx.in(1) != norm) fail("Scale ", shape_str(ctx.in(1)), " must have shape X.shape[axis:] = ", shape_str(norm));
  const bool has_b = ctx.optional_in(2) != nullptr;
  if (has_b && *ctx.optional_in(2) != norm)
    fail("B ", shape_str(*ctx.optional_in(2)), " must have shape X.shape[axis:] = ", shape_str(norm));
  const float eps = ctx.attrs->get_float("epsilon", 1e-5f);
  if (!(eps >= 0.0f)) fail("epsilon must be >= 0");
  const int64_t inner = numel(norm), outer = numel(x) / inner;
  Prepared out;
  out.out_shapes = {x};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *S = in[1], *B = has_b ? in[2] : nullptr;
    for (int64_t r = 0; r < outer; ++r) {
      const float* X = in[0] + r * inner;
      float* Y = o[0] + r * inner;
      double mean = 0.0, var = 0.0;
      for (int64_t i = 0; i < inner; ++i) mean += X[i];
      mean /= double(inner);
      for (int64_t i = 0; i < inner; ++i) var += (X[i] - mean) * (X[i] - mean);
      var /= double(inner);
      const double inv = 1.0 / std::sqrt(var + double(eps));
      for (int64_t i = 0; i < inner; ++i)
        Y[i] = float((X[i] - mean) * inv * double(S[i]) + (has_b ? double(B[i]) : 0.0));
    }
  };
  return out;
}

Prepared prepare_softmax(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.empty()) fail("X must have rank >= 1");
  const int64_t axis = read_axis(ctx, x);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < x.size(); ++i) inner *= x[i];
  const int64_t dim = x[size_t(axis)];
  Prepared out;
  out.out_shapes = {x};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t b = 0; b < inner; ++b) {
        const float* X = in[0] + a * dim * inner + b;
        float* Y = o[0] + a * dim * inner + b;
        float m = X[0];
        for (int64_t i = 1; i < dim; ++i) m = X[i * inner] > m ? X[i * inner] : m;
        double sum = 0.0;
        for (int64_t i = 0; i < dim; ++i) sum += std::exp(double(X[i * inner]) - double(m));
        for (int64_t i = 0; i < dim; ++i) Y[i * inner] = float(std::exp(double(X[i * inner]) - double(m)) / sum);
      }
  };
  return out;
}

}  // namespace

void register_normalization_ref(OpRegistry& r) {
  r.add("BatchNormalization", "ref", prepare_batchnorm);
  r.add("LayerNormalization", "ref", prepare_layernorm);
  r.add("Softmax", "ref", prepare_softmax);
}

}  // namespace sparsecc::detail
