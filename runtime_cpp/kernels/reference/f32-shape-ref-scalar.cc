// Scalar reference data-movement ops: Reshape, Identity, Transpose, Concat,
// Split, Slice, Gather. Every index read is proven in range at prepare time.
#include <cstring>

#include "../../src/op_registry.h"
#include "transpose_perm.h"

namespace sparsecc::detail {
namespace {

KernelFn copy_kernel(int64_t n) {
  return [=](RunContext&, const float* const* in, float* const* o) { std::memcpy(o[0], in[0], size_t(n) * sizeof(float)); };
}

Prepared prepare_identity(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  return {{ctx.in(0)}, copy_kernel(numel(ctx.in(0)))};
}

Prepared prepare_reshape(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  Shape y = ctx.attrs->get_ints("shape");
  if (y.size() > 8) fail("shape ", shape_str(y), " has rank > 8");
  int64_t n = 1;
  for (int64_t d : y) {
    if (d < 1 || d > (int64_t(1) << 31)) fail("shape ", shape_str(y), " must have every dim >= 1");
    n *= d;
    if (n > (int64_t(1) << 31)) fail("shape ", shape_str(y), " is too large");
  }
  if (n != numel(x)) fail("shape ", shape_str(y), " has ", n, " elements but the input ", shape_str(x), " has ", numel(x));
  return {{y}, copy_kernel(n)};
}

Prepared prepare_transpose(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  const size_t rank = x.size();
  const std::vector<int64_t> perm = transpose_perm(*ctx.attrs, x);
  Shape y(rank), in_strides = strides_of(x), src_stride(rank);
  for (size_t i = 0; i < rank; ++i) {
    y[i] = x[size_t(perm[i])];
    src_stride[i] = in_strides[size_t(perm[i])];
  }
  const int64_t n = numel(x);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    std::vector<int64_t> idx(rank, 0);
    int64_t off = 0;
    for (int64_t i = 0; i < n; ++i) {
      o[0][i] = in[0][off];
      for (size_t d = rank; d-- > 0;) {
        off += src_stride[d];
        if (++idx[d] < y[d]) break;
        off -= src_stride[d] * y[d];
        idx[d] = 0;
      }
    }
  };
  return out;
}

// outer = product of dims before axis, inner = product after (per element of the axis)
void outer_inner(const Shape& s, int64_t axis, int64_t& outer, int64_t& inner) {
  outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < s.size(); ++i) inner *= s[i];
}

int64_t checked_axis(PrepareContext& ctx, const Shape& x, bool required) {
  const int64_t axis = required ? ctx.attrs->get_int("axis") : ctx.attrs->get_int("axis", 0);
  if (axis < 0 || axis >= int64_t(x.size())) fail("axis ", axis, " out of range for input ", shape_str(x));
  return axis;
}

Prepared prepare_concat(PrepareContext& ctx) {
  const size_t n_in = ctx.inputs.size();
  ctx.expect_counts(1, n_in < 1 ? 1 : n_in, 1);
  const Shape& x0 = ctx.in(0);
  const int64_t axis = checked_axis(ctx, x0, true);
  Shape y = x0;
  y[size_t(axis)] = 0;
  std::vector<int64_t> sizes;
  for (size_t k = 0; k < n_in; ++k) {
    const Shape& xk = ctx.in(k);
    if (xk.size() != x0.size()) fail("input ", k, " ", shape_str(xk), " has a different rank than ", shape_str(x0));
    for (size_t d = 0; d < x0.size(); ++d)
      if (int64_t(d) != axis && xk[d] != x0[d])
        fail("input ", k, " ", shape_str(xk), " differs from ", shape_str(x0), " outside axis ", axis);
    y[size_t(axis)] += xk[size_t(axis)];
    sizes.push_back(xk[size_t(axis)]);
  }
  int64_t outer, inner;
  outer_inner(y, axis, outer, inner);
  const int64_t total = y[size_t(axis)];
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t a = 0; a < outer; ++a) {
      float* dst = o[0] + a * total * inner;
      for (size_t k = 0; k < sizes.size(); ++k) {
        const int64_t chunk = sizes[k] * inner;
        std::memcpy(dst, in[k] + a * chunk, size_t(chunk) * sizeof(float));
        dst += chunk;
      }
    }
  };
  return out;
}

Prepared prepare_split(PrepareContext& ctx) {
  const Shape& x = ctx.in(0);
  const int64_t axis = checked_axis(ctx, x, false);
  std::vector<int64_t> split = ctx.attrs->get_ints("split");
  ctx.expect_counts(1, 1, split.size());
  int64_t sum = 0;
  for (int64_t s : split) {
    if (s < 1 || s > x[size_t(axis)]) fail("split sizes ", shape_str(split), " must be >= 1");
    sum += s;
  }
  if (sum != x[size_t(axis)])
    fail("split sizes ", shape_str(split), " sum to ", sum, " but axis ", axis, " of ", shape_str(x), " is ", x[size_t(axis)]);
  int64_t outer, inner;
  outer_inner(x, axis, outer, inner);
  const int64_t total = x[size_t(axis)];
  Prepared out;
  for (int64_t s : split) {
    Shape y = x;
    y[size_t(axis)] = s;
    out.out_shapes.push_back(y);
  }
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    for (int64_t a = 0; a < outer; ++a) {
      const float* src = in[0] + a * total * inner;
      for (size_t k = 0; k < split.size(); ++k) {
        const int64_t chunk = split[k] * inner;
        std::memcpy(o[k] + a * chunk, src, size_t(chunk) * sizeof(float));
        src += chunk;
      }
    }
  };
  return out;
}

Prepared prepare_slice(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  const size_t rank = x.size();
  auto starts = ctx.attrs->get_ints("starts"), steps = ctx.attrs->get_ints("steps"), sizes = ctx.attrs->get_ints("sizes");
  if (starts.size() != rank || steps.size() != rank || sizes.size() != rank)
    fail("starts/steps/sizes must each have ", rank, " values for input ", shape_str(x));
  Shape in_strides = strides_of(x), src_stride(rank);
  int64_t base = 0;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t s = starts[i], st = steps[i], n = sizes[i];
    if (st == 0) fail("steps[", i, "] is 0");
    if (n < 1 || n > x[i]) fail("sizes[", i, "] = ", n, " out of range for dim ", x[i]);
    if (st < -x[i] || st > x[i]) fail("steps[", i, "] = ", st, " out of range for dim ", x[i]);
    if (s < 0 || s >= x[i]) fail("axis ", i, ": start ", s, " outside dim ", x[i]);
    const int64_t last = s + (n - 1) * st;  // |s|, |st|, n <= 2^31: no overflow
    if (last < 0 || last >= x[i])
      fail("axis ", i, ": start ", s, " step ", st, " size ", n, " reads outside dim ", x[i]);
    base += s * in_strides[i];
    src_stride[i] = st * in_strides[i];
  }
  const Shape y = sizes;
  const int64_t n = numel(y);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    std::vector<int64_t> idx(rank, 0);
    int64_t off = base;
    for (int64_t i = 0; i < n; ++i) {
      o[0][i] = in[0][off];
      for (size_t d = rank; d-- > 0;) {
        off += src_stride[d];
        if (++idx[d] < y[d]) break;
        off -= src_stride[d] * y[d];
        idx[d] = 0;
      }
    }
  };
  return out;
}

Prepared prepare_gather(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  const int64_t axis = checked_axis(ctx, x, false);
  const std::vector<int64_t> indices = ctx.attrs->get_ints("indices");
  const Shape ishape = ctx.attrs->get_ints("indices_shape");
  int64_t count = 1;
  for (int64_t d : ishape) {
    if (d < 1 || d > (int64_t(1) << 24)) fail("indices_shape ", shape_str(ishape), " must have dims >= 1");
    count *= d;
    if (count > (int64_t(1) << 24)) fail("indices_shape ", shape_str(ishape), " too large");
  }
  if (count != int64_t(indices.size()))
    fail("indices_shape ", shape_str(ishape), " needs ", count, " indices, got ", indices.size());
  const int64_t dim = x[size_t(axis)];
  for (int64_t v : indices)
    if (v < 0 || v >= dim) fail("index ", v, " out of range [0, ", dim, ") on axis ", axis, " of ", shape_str(x));
  Shape y(x.begin(), x.begin() + axis);
  y.insert(y.end(), ishape.begin(), ishape.end());
  y.insert(y.end(), x.begin() + axis + 1, x.end());
  if (y.size() > 8) fail("output rank ", y.size(), " > 8");
  int64_t outer, inner;
  outer_inner(x, axis, outer, inner);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    float* dst = o[0];
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t v : indices) {
        std::memcpy(dst, in[0] + (a * dim + v) * inner, size_t(inner) * sizeof(float));
        dst += inner;
      }
  };
  return out;
}

}  // namespace

void register_shape_ref(OpRegistry& r) {
  r.add("Identity", "ref", prepare_identity);
  r.add("Reshape", "ref", prepare_reshape);
  r.add("Transpose", "ref", prepare_transpose);
  r.add("Concat", "ref", prepare_concat);
  r.add("Split", "ref", prepare_split);
  r.add("Slice", "ref", prepare_slice);
  r.add("Gather", "ref", prepare_gather);
}

}  // namespace sparsecc::detail
