// Op bindings of the row-normalisation families (docs/kernels.md, sections
// "softmax" and "layernorm"):
//  - Softmax, kernel "softmax": along an axis after which every dim is 1, so
//    each softmax is one contiguous row (the usual last axis);
//  - LayerNormalization, kernel "layernorm": over dims [axis, rank) -- always
//    contiguous rows of prod(X.shape[axis:]) -- with Scale and optional B of
//    exactly that shape (the frontend expands broadcastable ones), one output.
// Attributes and checks as in the reference kernels
// (kernels/reference/f32-normalization-ref-scalar.cc). Rows are split over the
// thread pool in chunks of about 4k elements; the arch variant of each
// micro-kernel is chosen when the model is loaded.
#include <algorithm>
#include <string>

#include "../../src/op_registry.h"
#include "../dispatch.h"

namespace sparsecc::detail {
namespace {

constexpr size_t kChunk = 4096;  // elements per parallel work item

template <typename Fn>
Fn need_kernel(const char* family) {
  const kernels::KernelEntry* e = kernels::best(family, "");
  if (!e) fail("no usable '", family, "' micro-kernel in this runtime build");
  return kernels::as<Fn>(*e);
}

int64_t norm_axis(PrepareContext& ctx, const Shape& x) {
  const int64_t axis = ctx.attrs->get_int("axis", int64_t(x.size()) - 1);
  if (axis < 0 || axis >= int64_t(x.size())) fail("axis ", axis, " out of range for input ", shape_str(x));
  return axis;
}

Prepared prepare_softmax(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.empty()) fail("X must have rank >= 1");
  const int64_t axis = norm_axis(ctx, x);
  ctx.attrs->check_all_used();
  for (size_t i = size_t(axis) + 1; i < x.size(); ++i)
    if (x[i] != 1)
      fail("kernel softmax needs the softmax axis to be the last non-1 dim (contiguous rows); axis ", axis,
           " of ", shape_str(x));
  const size_t n = size_t(x[size_t(axis)]), rows = n ? size_t(numel(x)) / n : 0;
  const ukernel::SoftmaxFn fn = need_kernel<ukernel::SoftmaxFn>("softmax");
  Prepared out;
  out.out_shapes = {x};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    rc.parallel_for(
        rows, [&](size_t b, size_t e) {
          for (size_t r = b; r < e; ++r) fn(n, X + r * n, Y + r * n);
        },
        std::max<size_t>(1, kChunk / (n + 1)));
  };
  return out;
}

Prepared prepare_layernorm(PrepareContext& ctx) {
  ctx.expect_counts(2, 3, 1);
  const Shape& x = ctx.in(0);
  const int64_t axis = norm_axis(ctx, x);
  const float eps = ctx.attrs->get_float("epsilon", 1e-5f);
  ctx.attrs->check_all_used();
  if (!(eps >= 0.0f)) fail("epsilon must be >= 0");
  const Shape norm(x.begin() + axis, x.end());
  if (ctx.in(1) != norm) fail("Scale ", shape_str(ctx.in(1)), " must have shape X.shape[axis:] = ", shape_str(norm));
  const bool has_b = ctx.optional_in(2) != nullptr;
  if (has_b && *ctx.optional_in(2) != norm)
    fail("B ", shape_str(*ctx.optional_in(2)), " must have shape X.shape[axis:] = ", shape_str(norm));
  const size_t n = size_t(numel(norm)), rows = n ? size_t(numel(x)) / n : 0;
  const ukernel::LayerNormFn fn = need_kernel<ukernel::LayerNormFn>("layernorm");
  Prepared out;
  out.out_shapes = {x};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float *X = in[0], *S = in[1], *B = has_b ? in[2] : nullptr;
    float* Y = o[0];
    rc.parallel_for(
        rows, [&](size_t b, size_t e) {
          for (size_t r = b; r < e; ++r) fn(n, X + r * n, S, B, eps, Y + r * n);
        },
        std::max<size_t>(1, kChunk / (n + 1)));
  };
  return out;
}

}  // namespace

void register_norm_ops(OpRegistry& r) {
  r.add("Softmax", "softmax", prepare_softmax);
  r.add("LayerNormalization", "layernorm", prepare_layernorm);
}

}  // namespace sparsecc::detail
