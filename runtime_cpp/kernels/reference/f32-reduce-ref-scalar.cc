// Scalar reference ReduceMean / ReduceSum / ReduceMax over a set of axes
// (sorted, unique, non-negative; empty = all), keepdims. Sums accumulate in double.
#include <limits>

#include "../../src/op_registry.h"

namespace sparsecc::detail {
namespace {

enum class Reduce { Mean, Sum, Max };

template <Reduce R>
Prepared prepare_reduce(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  std::vector<int64_t> axes = ctx.attrs->get_ints("axes", {});
  const int64_t keepdims = ctx.attrs->get_int("keepdims", 1);
  if (keepdims != 0 && keepdims != 1) fail("keepdims must be 0 or 1, got ", keepdims);
  const size_t rank = x.size();
  std::vector<bool> reduced(rank, axes.empty());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= int64_t(rank)) fail("axis ", axes[i], " out of range for input ", shape_str(x));
    if (i > 0 && axes[i] <= axes[i - 1]) fail("axes ", shape_str(axes), " must be sorted and unique");
    reduced[size_t(axes[i])] = true;
  }
  Shape y;
  // strides of the output index space laid over the input dims (0 on reduced axes)
  Shape out_dims(rank), out_strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    out_dims[i] = reduced[i] ? 1 : x[i];
    out_strides[i] = reduced[i] ? 0 : stride;
    stride *= out_dims[i];
  }
  for (size_t i = 0; i < rank; ++i)
    if (!reduced[i] || keepdims) y.push_back(out_dims[i]);
  const int64_t n_in = numel(x), n_out = stride, group = n_in / n_out;
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    std::vector<double> acc(size_t(n_out), R == Reduce::Max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::vector<int64_t> idx(rank, 0);
    int64_t off = 0;
    for (int64_t i = 0; i < n_in; ++i) {
      if (R == Reduce::Max)
        acc[size_t(off)] = std::max(acc[size_t(off)], double(X[i]));
      else
        acc[size_t(off)] += X[i];
      for (size_t d = rank; d-- > 0;) {
        off += out_strides[d];
        if (++idx[d] < x[d]) break;
        off -= out_strides[d] * x[d];
        idx[d] = 0;
      }
    }
    for (int64_t j = 0; j < n_out; ++j)
      Y[j] = float(R == Reduce::Mean ? acc[size_t(j)] / double(group) : acc[size_t(j)]);
  };
  return out;
}

}  // namespace

void register_reduce_ref(OpRegistry& r) {
  r.add("ReduceMean", "ref", prepare_reduce<Reduce::Mean>);
  r.add("ReduceSum", "ref", prepare_reduce<Reduce::Sum>);
  r.add("ReduceMax", "ref", prepare_reduce<Reduce::Max>);
}

}  // namespace sparsecc::detail
